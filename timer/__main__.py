"""``python -m timer``: see :mod:`timer.cli`."""

import sys

try:
    from timer.cli import main
except ModuleNotFoundError as missing:  # run from the project folder by a Python without it installed
    sys.stderr.write(f"python -m timer: Leg Coach is not installed for {sys.executable} (no {missing.name}): "
                     "run `make run` in the project folder once, then `.venv/bin/python -m timer`\n")
    raise SystemExit(1) from None

raise SystemExit(main())
