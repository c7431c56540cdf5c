"""Workout history on a real SQLite file: lifecycle, weeks, and surviving a kill."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from timer.history import WEEKLY_GOAL, History, history_path
from timer.plans import load_plan, loads_plan

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2025, 3, 12, 18, 0, tzinfo=timezone.utc)  # a Wednesday
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.db", clock=lambda: T0) as h:
        yield h


def _finished(history: History, at: datetime, user: str = "local") -> int:
    sid = history.start("beginner", user=user, now=at - timedelta(minutes=12))
    history.finish(sid, now=at)
    return sid


def test_default_database_lives_in_the_data_home(legcoach_home: Path) -> None:
    assert history_path() == legcoach_home / "history.db"
    with History() as h:
        h.start("beginner")
    assert (legcoach_home / "history.db").is_file()


def test_database_runs_in_wal_mode(history: History) -> None:
    history.start("beginner")
    with closing(sqlite3.connect(history.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_session_lifecycle_from_start_to_finish(history: History) -> None:
    sid = history.start("beginner")
    session = history.get(sid)
    assert session is not None
    assert (session.status, session.block, session.offset, session.user) == ("running", 0, 0.0, "local")
    assert session.started == T0 and session.ended is None
    history.progress(sid, 4, 182.5)
    assert history.unfinished() == history.get(sid)
    history.quit(sid, now=T0 + timedelta(minutes=3))
    resumable = history.unfinished()
    assert resumable is not None and (resumable.status, resumable.block, resumable.offset) == ("quit", 4, 182.5)
    history.resume(sid)
    history.progress(sid, 19, 820.0)
    history.finish(sid, now=T0 + timedelta(minutes=15))
    done = history.get(sid)
    assert done is not None and done.status == "finished" and done.ended == T0 + timedelta(minutes=15)
    assert history.unfinished() is None


def test_a_killed_session_still_running_can_be_resumed(history: History) -> None:
    sid = history.start("advanced")
    history.progress(sid, 7, 300.0)
    reopened = History(history.path)
    try:
        session = reopened.unfinished()
        assert session is not None and session.id == sid and session.block == 7
    finally:
        reopened.close()


def test_only_the_latest_session_is_offered_for_resuming(history: History) -> None:
    old = history.start("beginner", now=T0 - timedelta(days=2))
    history.quit(old, now=T0 - timedelta(days=2))
    new = history.start("intermediate", now=T0)
    history.abandon(new, now=T0)
    assert history.unfinished() is None


def test_custom_plan_text_is_kept_so_a_resume_runs_the_same_plan(history: History) -> None:
    plan = load_plan("beginner").only(["squat"])
    sid = history.start(plan.name, plan_toml=plan.to_toml())
    session = history.unfinished()
    assert session is not None and session.id == sid
    assert session.plan_hash == plan.digest
    assert session.plan_toml is not None and loads_plan(session.plan_toml) == plan


def test_users_have_separate_histories(history: History) -> None:
    _finished(history, T0, user="amzn1.ask.account.A")
    history.start("beginner", user="amzn1.ask.account.B")
    assert history.unfinished("amzn1.ask.account.A") is None
    assert history.unfinished() is None
    assert history.week_count(T0, "amzn1.ask.account.A") == 1
    assert history.week_count(T0) == 0
    assert [s.user for s in history.sessions("amzn1.ask.account.B")] == ["amzn1.ask.account.B"]


def test_sessions_are_listed_newest_first(history: History) -> None:
    ids = [history.start("beginner", now=T0 + timedelta(hours=h)) for h in (2, 0, 1)]
    assert [s.id for s in history.sessions()] == [ids[0], ids[2], ids[1]]
    assert [s.id for s in history.sessions(limit=1)] == [ids[0]]


@pytest.mark.parametrize("status", ["running", "paused"])
def test_ending_with_an_unknown_status_is_refused(history: History, status: str) -> None:
    sid = history.start("beginner")
    with pytest.raises(ValueError, match=status):
        history.end(sid, status)


def test_writing_to_a_missing_session_is_an_error(history: History) -> None:
    with pytest.raises(KeyError, match="no session 99"):
        history.progress(99, 1, 1.0)


def test_week_count_starts_on_monday_in_local_time(history: History) -> None:
    # Monday 10 March 2025, 00:30 in Berlin is still Sunday (23:30) in UTC.
    sunday_night = datetime(2025, 3, 9, 23, 30, tzinfo=BERLIN)
    monday_early = datetime(2025, 3, 10, 0, 30, tzinfo=BERLIN)
    sunday_next = datetime(2025, 3, 16, 23, 59, tzinfo=BERLIN)
    monday_next = datetime(2025, 3, 17, 0, 1, tzinfo=BERLIN)
    for at in (sunday_night, monday_early, sunday_next, monday_next):
        _finished(history, at)
    assert history.week_count(datetime(2025, 3, 9, 12, 0, tzinfo=BERLIN)) == 1
    assert history.week_count(datetime(2025, 3, 12, 12, 0, tzinfo=BERLIN)) == 2
    assert history.week_count(datetime(2025, 3, 17, 9, 0, tzinfo=BERLIN)) == 1


def test_week_count_follows_a_daylight_saving_change(history: History) -> None:
    # Clocks go forward in Berlin on Sunday 30 March 2025.
    _finished(history, datetime(2025, 3, 30, 23, 30, tzinfo=BERLIN))
    _finished(history, datetime(2025, 3, 31, 0, 30, tzinfo=BERLIN))
    assert history.week_count(datetime(2025, 3, 24, 8, 0, tzinfo=BERLIN)) == 1
    assert history.week_count(datetime(2025, 3, 31, 8, 0, tzinfo=BERLIN)) == 1


def test_week_count_ignores_unfinished_sessions(history: History) -> None:
    _finished(history, T0)
    history.quit(history.start("beginner", now=T0), now=T0)
    history.start("beginner", now=T0)
    assert history.week_count(T0) == 1
    assert WEEKLY_GOAL == 3


def test_finished_on_tells_whether_a_day_had_a_finished_workout(history: History) -> None:
    _finished(history, datetime(2025, 3, 10, 0, 30, tzinfo=BERLIN))
    assert history.finished_on(date(2025, 3, 10), tz=BERLIN)
    assert not history.finished_on(date(2025, 3, 9), tz=BERLIN)
    assert history.finished_on(date(2025, 3, 9), tz=timezone.utc)


def test_naive_times_are_taken_as_this_machines_local_time(history: History) -> None:
    local_noon = datetime(2025, 3, 12, 12, 0)
    _finished(history, local_noon)
    assert history.week_count(local_noon) == 1
    assert history.finished_on(date(2025, 3, 12))


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from timer.history import History

    history = History(Path(sys.argv[1]))
    sid = history.start("beginner")
    block = 0
    while True:
        history.progress(sid, block, block * 2.5)
        print(block, flush=True)
        block += 1
""")


def test_progress_survives_the_process_being_killed(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE,
                              text=True, env=env, cwd=ROOT)
    assert writer.stdout is not None
    last = -1
    try:
        while last < 200:
            line = writer.stdout.readline()
            assert line, "the writer stopped early"
            last = int(line)
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=10)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    with History(db) as reopened:
        session = reopened.unfinished()
        assert session is not None and session.status == "running"
        assert session.block >= last and session.offset == session.block * 2.5
    with closing(sqlite3.connect(db)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
