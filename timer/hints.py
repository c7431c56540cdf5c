"""Commands to show the user: ones that work as printed, from where they are.

The timer's hints ("continue with: ...") name the installed console script
``leg-coach-timer`` when the shell finds it beside this interpreter (an
activated venv, or an install on PATH); otherwise this interpreter, by a
path relative to the working folder when it lies inside it
(``.venv/bin/python -m timer ...``), else by its absolute path. ``python``
alone would be whatever the shell finds first, which may not have Leg Coach.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

SCRIPT = "leg-coach-timer"


def timer_command(*args: str) -> str:
    """A command line that runs ``python -m timer ARGS`` with this installation."""
    return " ".join([*_program(), *(shlex.quote(a) for a in args)])


def _program() -> list[str]:
    here = Path(sys.executable).absolute().parent
    found = shutil.which(SCRIPT)
    if found and Path(found).absolute().parent == here:
        return [SCRIPT]
    python = Path(sys.executable).absolute()
    try:
        shown = str(python.relative_to(Path.cwd()))
    except ValueError:
        shown = str(python)
    return [shlex.quote(shown if os.sep in shown else f".{os.sep}{shown}"), "-m", "timer"]
