"""On one machine the console and the timer keep one record: a workout done in
the console is in ``timer history`` and its weekly count, and one done with
the timer counts when the console is asked about the week."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from skill.builder import build_skill, interaction_model
from skill.devtools.chat import Console, InProcess
from skill.devtools.nlu import LocalNLU
from skill.questions.knowledge import load_knowledge
from skill.store.sqlite import default_db_path, SQLiteAdapter
from speech.live import MuteSpeaker
from timer import cli as timer_cli
from timer.history import History

MONDAY = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, start: datetime) -> None:
        self.time = start

    def now(self) -> datetime:
        return self.time


class Lines:
    """Typed lines, each heard when the coach listens; time moves a minute per line."""

    typing = False

    def __init__(self, clock: Clock, *lines: str) -> None:
        self.clock, self.lines = clock, list(lines)

    def line(self, timeout: float | None, on_key: object = None) -> str | None:
        if timeout is not None:
            self.clock.time += timedelta(seconds=timeout)
            return None
        if not self.lines:
            raise EOFError
        self.clock.time += timedelta(minutes=1)
        return self.lines.pop(0)


def console(clock: Clock, *lines: str, fast: bool = False) -> tuple[Console, io.StringIO]:
    """The console on this machine's store; in real time unless ``fast`` (each
    answer is played out on ``clock`` before the next line is heard)."""
    out = io.StringIO()
    skill = build_skill(SQLiteAdapter(default_db_path()))
    return Console(InProcess(skill), LocalNLU(interaction_model(load_knowledge())), MuteSpeaker(),
                   out, Lines(clock, *lines), clock=clock, fast=fast), out


def test_a_console_workout_is_in_the_timer_history_and_its_week(
        legcoach_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clock = Clock(MONDAY)
    c, out = console(clock, "start a beginner workout", *["next"] * 20)
    assert c.run() == 0
    assert "Workout complete" in out.getvalue()

    assert timer_cli.main(["history"], now=lambda tz=None: clock.time.astimezone(tz)) == 0
    shown = capsys.readouterr().out
    assert "beginner" in shown and "finished" in shown
    assert "This week: 1 of 3" in shown

    listed = subprocess.run([sys.executable, "-m", "timer", "history"], cwd=ROOT, text=True,
                            capture_output=True, env={**os.environ, "LEGCOACH_HOME": str(legcoach_home)},
                            check=False)
    assert listed.returncode == 0 and "beginner" in listed.stdout, listed.stderr


def test_a_timer_workout_counts_when_the_console_is_asked_about_the_week(legcoach_home: Path) -> None:
    clock = Clock(MONDAY)
    history = History(legcoach_home / "history.db")
    history.finish(history.start("beginner", now=MONDAY - timedelta(hours=1)), now=MONDAY)
    history.close()

    c, out = console(clock, "how am I doing this week")
    assert c.run() == 0
    assert "You've finished one workout this week" in out.getvalue()


def test_other_users_of_a_local_server_keep_their_own_count(legcoach_home: Path) -> None:
    history = History(legcoach_home / "history.db")
    history.finish(history.start("beginner", user="amzn1.ask.account.SOMEONE", now=MONDAY), now=MONDAY)
    history.close()

    c, out = console(Clock(MONDAY + timedelta(hours=1)), "how am I doing this week")
    assert c.run() == 0
    assert "You haven't finished a workout yet this week" in out.getvalue()


def test_a_fast_console_workout_is_a_demo_that_never_counts(
        legcoach_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = History(legcoach_home / "history.db")
    stopped = history.start("advanced", now=MONDAY - timedelta(hours=2))
    history.quit(stopped, now=MONDAY - timedelta(hours=1))
    history.close()
    clock = Clock(MONDAY)
    c, out = console(clock, "start a beginner workout", *["next"] * 20, "how am I doing this week",
                     fast=True)
    assert c.run() == 0
    assert "Workout complete" in out.getvalue()
    assert "You haven't finished a workout yet this week" in out.getvalue()

    assert timer_cli.main(["history"], now=lambda tz=None: clock.time.astimezone(tz)) == 0
    shown = capsys.readouterr().out
    assert "This week: 0 of 3" in shown
    assert "advanced" in shown and "stopped at" in shown  # the machine's own workout is untouched
