"""Demo runs (another --speed than 1): listed as demos, never counted, never silence a reminder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from timer.history import SCHEMA_VERSION, History
from timer.remind_rules import WORKOUT
from timer.remind_schedule import upcoming
from timer.reminders_config import load_config

ROOT = Path(__file__).resolve().parents[1]
BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = datetime(2026, 11, 25, 7, 0, tzinfo=BERLIN)
PLAN = """
name = "short"
title = "Short test"
[[exercises]]
exercise = "squat"
sets = 1
reps = 2
"""

#: The schema as first shipped (version 1), before demo runs were recorded.
SCHEMA_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, user TEXT NOT NULL DEFAULT 'local', plan_name TEXT NOT NULL,
    plan_hash TEXT, plan_toml TEXT, started TEXT NOT NULL, ended TEXT,
    status TEXT NOT NULL DEFAULT 'running'
           CHECK (status IN ('running', 'quit', 'finished', 'abandoned')),
    block INTEGER NOT NULL DEFAULT 0, offset_s REAL NOT NULL DEFAULT 0, updated TEXT);
CREATE INDEX sessions_by_user ON sessions (user, started);
CREATE INDEX sessions_by_end ON sessions (user, status, ended);
PRAGMA user_version = 1;
"""


def timer(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "timer", *args], cwd=home.parent, text=True,
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**os.environ, "LEGCOACH_HOME": str(home)})


def test_a_run_at_another_speed_is_listed_as_a_demo_and_not_counted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "short.toml").write_text(PLAN)
    ran = timer("run", "--plan-file", "short.toml", "--speed", "50", "--mute", "--plain", home=home)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == ("Workout complete (a demo at another speed: not counted). "
                                           "This week: 0 of 3 leg sessions.")
    listed = timer("history", home=home).stdout.splitlines()
    assert listed[0].endswith(" (demo)") and "short" in listed[0] and "finished in" in listed[0]
    assert listed[-1] == "This week: 0 of 3 leg sessions."


def test_a_demo_never_silences_the_days_workout_reminder(tmp_path: Path) -> None:
    with History(tmp_path / "history.db") as history:
        demo = history.start("beginner", now=WEDNESDAY, demo=True)
        history.finish(demo, now=WEDNESDAY + timedelta(minutes=1))
        assert not history.finished_on(WEDNESDAY.date(), tz=BERLIN)
        assert history.week_count(WEDNESDAY + timedelta(hours=1)) == 0
        found = upcoming(load_config(), BERLIN, history, WEDNESDAY.replace(hour=17, minute=30), 5)
        assert [r.due for r in found if r.kind == WORKOUT][0] == WEDNESDAY.replace(hour=18)
        real = history.start("beginner", now=WEDNESDAY + timedelta(hours=1))
        history.finish(real, now=WEDNESDAY + timedelta(hours=1, minutes=20))
        assert history.finished_on(WEDNESDAY.date(), tz=BERLIN)


def test_resuming_at_another_speed_makes_the_session_a_demo(tmp_path: Path) -> None:
    with History(tmp_path / "history.db") as history:
        sid = history.start("beginner", now=WEDNESDAY)
        history.quit(sid, now=WEDNESDAY + timedelta(minutes=3))
        history.resume(sid, now=WEDNESDAY + timedelta(minutes=5), demo=True)
        history.finish(sid, now=WEDNESDAY + timedelta(minutes=9))
        assert history.get(sid).demo and history.week_count(WEDNESDAY) == 0  # type: ignore[union-attr]


def test_a_history_from_before_demos_is_migrated_and_keeps_every_session(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA_V1)
    conn.execute("INSERT INTO sessions (plan_name, started, ended, status) VALUES"
                 " ('beginner', '2026-11-25T06:00:00.000000+00:00', '2026-11-25T06:20:00.000000+00:00',"
                 " 'finished')")
    conn.commit()
    conn.close()
    with History(db) as history:
        [old] = history.sessions()
        assert old.status == "finished" and not old.demo
        assert history.week_count(WEDNESDAY) == 1
        history.start("beginner", now=WEDNESDAY, demo=True)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("SELECT count(*), sum(demo) FROM sessions").fetchone() == (2, 1)
        assert not list(tmp_path.glob("history.db.damaged-*"))
    finally:
        conn.close()
