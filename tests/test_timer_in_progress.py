"""Starting a new workout while one is in progress asks first (on a terminal, through a pty)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from timer.history import History

ROOT = Path(__file__).resolve().parents[1]
PROMPT = b"Start a new one? [y] new  [r] resume  [N] no: "


def saved_workout(home: Path) -> int:
    with History(home / "history.db") as history:
        sid = history.start("beginner")
        history.progress(sid, 5, 300.0)
        history.quit(sid)
    return sid


def on_a_terminal(home: Path, argv: list[str], answer: bytes | None) -> tuple[int, str]:
    """Run the timer on a pseudo-terminal; type ``answer`` at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the timer, with the pty as its terminal
        os.environ["LEGCOACH_HOME"] = str(home)
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "timer", *argv])
    seen = b""
    deadline = time.monotonic() + 60
    answered = answer is None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not answered and PROMPT in seen:
            os.write(fd, answer)
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace").replace("\r\n", "\n")


RUN = ["run", "beginner", "--speed", "1000", "--mute", "--plain"]


def test_no_keeps_the_workout_in_progress(tmp_path: Path) -> None:
    sid = saved_workout(tmp_path)
    code, screen = on_a_terminal(tmp_path, RUN, b"\n")
    assert code == 0
    assert "A workout is in progress (beginner, stopped at the rest before lunges, set 1 of 2)." in screen
    assert "Nothing started. Continue it with: " in screen and "Workout complete" not in screen
    with History(tmp_path / "history.db") as history:
        assert history.unfinished().id == sid  # type: ignore[union-attr]


def test_yes_sets_the_old_one_aside_and_starts_anew(tmp_path: Path) -> None:
    sid = saved_workout(tmp_path)
    code, screen = on_a_terminal(tmp_path, RUN, b"y\n")
    assert code == 0 and "Workout complete" in screen and "Welcome back" not in screen
    with History(tmp_path / "history.db") as history:
        assert history.get(sid).status == "abandoned"  # type: ignore[union-attr]
        assert history.sessions()[0].status == "finished"


def test_r_resumes_the_workout_in_progress(tmp_path: Path) -> None:
    sid = saved_workout(tmp_path)
    code, screen = on_a_terminal(tmp_path, RUN, b"r\n")
    assert code == 0 and "Welcome back. Resuming at the rest before lunges, set 1 of 2." in screen
    with History(tmp_path / "history.db") as history:
        assert history.get(sid).status == "finished"  # type: ignore[union-attr]


def test_new_starts_without_asking(tmp_path: Path) -> None:
    saved_workout(tmp_path)
    code, screen = on_a_terminal(tmp_path, [*RUN, "--new"], None)
    assert code == 0 and "in progress" not in screen and "Workout complete" in screen


def test_without_a_terminal_it_says_what_it_set_aside(tmp_path: Path) -> None:
    sid = saved_workout(tmp_path)
    done = subprocess.run([sys.executable, "-m", "timer", *RUN], cwd=ROOT, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60, env={**os.environ, "LEGCOACH_HOME": str(tmp_path)})
    assert done.returncode == 0
    assert done.stderr == ("An unfinished workout (beginner, stopped at the rest before lunges, set 1 of 2)"
                           " was set aside for this one.\n")
    with History(tmp_path / "history.db") as history:
        assert history.get(sid).status == "abandoned"  # type: ignore[union-attr]
