"""``python -m timer``: see :mod:`timer.cli`."""

from timer.cli import main

raise SystemExit(main())
