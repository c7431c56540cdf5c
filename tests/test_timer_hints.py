"""The commands the timer prints work as printed, from where the user is."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from timer.history import History

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).absolute().parent


def saved_workout(home: Path) -> None:
    with History(home / "history.db") as history:
        sid = history.start("beginner")
        history.progress(sid, 5, 300.0)
        history.quit(sid)


def shell(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, text=True, capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("where, path_has_venv, expected", [
    ("project", False, ".venv/bin/python -m timer run --resume"),
    ("elsewhere", False, f"{sys.executable} -m timer run --resume"),
    ("elsewhere", True, "leg-coach-timer run --resume"),
], ids=["in-the-project", "another-folder", "venv-on-path"])
def test_the_resume_hint_runs_as_printed(tmp_path, where, path_has_venv, expected):
    if where == "project" and BIN != ROOT / ".venv" / "bin":
        pytest.skip("the tests do not run from the project's .venv")
    if path_has_venv and not (BIN / "leg-coach-timer").exists():
        pytest.skip("the console script is not installed beside this Python")
    home = tmp_path / "home"
    saved_workout(home)
    cwd = ROOT if where == "project" else tmp_path
    path = os.environ.get("PATH", "")
    path = os.pathsep.join(p for p in path.split(os.pathsep) if Path(p).absolute() != BIN)
    env = {**os.environ, "LEGCOACH_HOME": str(home), "PATH": f"{BIN}{os.pathsep}{path}" if path_has_venv else path}
    listed = shell([sys.executable, "-m", "timer", "history"], cwd, env)
    hint = [line for line in listed.stdout.splitlines() if line.startswith("Continue the last one with: ")]
    assert hint == [f"Continue the last one with: {expected}"]
    command = shlex.split(hint[0].split(": ", 1)[1])
    resumed = shell([*command, "--speed", "1000", "--mute", "--plain"], cwd, env)  # as a shell would
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.splitlines()[0].endswith("Welcome back. Resuming at the rest before lunges, set 1 of 2.")


def test_without_the_project_installed_python_m_timer_says_how_to_install_in_one_line() -> None:
    package = "timer"
    # -S -E: this interpreter without its site-packages, as a system Python without Leg Coach
    done = subprocess.run([sys.executable, "-S", "-E", "-m", package, "--help"], cwd=ROOT, text=True,
                          capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"python -m {package}: Leg Coach is not installed for {sys.executable}")
    assert "run `make run` in the project folder once" in line and "Traceback" not in done.stderr
