"""`python -m skill`: see skill.cli."""

from __future__ import annotations

import sys

from skill.cli import main

if __name__ == "__main__":
    sys.exit(main())
