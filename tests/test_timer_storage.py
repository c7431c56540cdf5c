"""The timer on bad storage: real faults, one line, the workout goes on, nothing lost.

Faults are real where this machine can make them: a folder or a file where
the history or its folder should be, damaged files, and (as root, where
mounting is allowed) a read-only tmpfs and a small tmpfs that is full or
fills during a workout. Tests that need a mount are skipped, with the
reason, where mounting is not possible.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from timer.history import History, HistoryError

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

TINY_PLAN = """
name = "tiny"
title = "Tiny test"
rest_between_sets = 5
rest_between_exercises = 5
[[exercises]]
exercise = "squat"
sets = 3
reps = 2
[[exercises]]
exercise = "glute-bridge"
sets = 2
reps = 2
"""


def timer(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEGCOACH_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "timer", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout)


def run_fast(home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return timer("run", "--speed", "1000", "--mute", "--plain", *extra, home=home)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and len(lines[0]) <= 200, lines[0]
    return lines[0]


def seed(home: Path, finished: int = 2) -> list[int]:
    """A history with ``finished`` finished workouts; returns their ids."""
    with History(home / "history.db", clock=lambda: T0) as history:
        ids = [history.start("beginner") for _ in range(finished)]
        for sid in ids:
            history.finish(sid)
    return ids


def stored(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute("SELECT id, plan_name, status FROM sessions ORDER BY id").fetchall()
    finally:
        conn.close()


# -- mounts (real read-only and full disks) --

def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {done.stderr.strip()}")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB tmpfs, unmounted afterwards."""
    target = tmp_path / "disk"
    _mount(target, "size=1m")
    yield target
    _umount(target)


def fill(disk: Path) -> None:
    """Fill ``disk`` until the kernel says it is full (ENOSPC)."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as err:
        assert err.errno == 28  # ENOSPC: the disk is really full
    finally:
        os.close(fd)


def remount_read_only(disk: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")


# -- a folder or a file in the way --

def test_a_folder_named_history_db_is_one_line_and_the_workout_still_runs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "history.db").mkdir(parents=True)
    ran = run_fast(home)
    assert ran.returncode == 0, ran.stderr
    line = one_line(ran.stderr)
    assert "history.db: is a folder" in line and "unrecorded" in line
    assert "Squats. Set 1 of 2" in ran.stdout and ran.stdout.splitlines()[-1].startswith("Workout complete")
    for argv in (["history"], ["run", "--resume", "--mute"], ["remind", "--next", "2"]):
        done = timer(*argv, home=home)
        assert done.returncode == 3, (argv, done.stderr)
        assert "history.db: is a folder" in one_line(done.stderr)
    assert (home / "history.db").is_dir()


def test_legcoach_home_being_a_file_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    done = timer("history", home=home)
    assert done.returncode == 3
    assert "/home: is a file, not a folder" in one_line(done.stderr)
    assert run_fast(home).returncode == 0


def test_the_reminders_service_stops_with_the_code_its_unit_does_not_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "history.db").mkdir(parents=True)
    done = timer("remind", "--mute", home=home, timeout=30)
    assert "history.db: is a folder" in one_line(done.stderr)
    unit = (ROOT / "infra" / "leg-coach-remind.service").read_text()
    prevent = re.search(r"^RestartPreventExitStatus=(.+)$", unit, re.M)
    assert prevent and str(done.returncode) in prevent[1].split()
    assert re.search(r"^Restart=on-failure$", unit, re.M) and done.returncode != 0


# -- damaged files are moved aside, kept, and a new history starts --

def _foreign(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('someone else''s data')")
    conn.close()


def _truncated(db: Path) -> None:
    seed(db.parent, finished=200)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


def _garbage(db: Path) -> None:
    db.write_bytes(bytes(range(256)) * 40)


def _bad_sessions_table(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, colour TEXT)")
    conn.close()


@pytest.mark.parametrize("damage", [_garbage, _truncated, _foreign, _bad_sessions_table],
                         ids=["not-a-database", "truncated", "foreign", "other-sessions-table"])
@pytest.mark.parametrize("command", ["history", "run", "remind"])
def test_a_damaged_history_is_moved_aside_kept_and_a_new_one_started(tmp_path, damage, command):
    home = tmp_path / "home"
    home.mkdir()
    db = home / "history.db"
    damage(db)
    before = db.read_bytes()
    argv = {"history": ["history"], "run": ["run", "--speed", "1000", "--mute", "--plain"],
            "remind": ["remind", "--next", "1"]}[command]
    done = timer(*argv, home=home)
    assert done.returncode == 0, done.stderr
    line = one_line(done.stderr)
    [kept] = home.glob("history.db.damaged-*")
    assert f"history.db: was damaged; kept as {kept.name}" in line
    assert kept.read_bytes()[: len(before)] == before  # kept as it was, never deleted
    again = timer("history", home=home)
    assert again.returncode == 0 and again.stderr == ""
    expected = 1 if command == "run" else 0
    assert len(stored(db)) == expected


def test_a_damaged_saved_plan_is_one_line_on_history_and_resume(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with History(home / "history.db", clock=lambda: T0) as history:
        sid = history.start("mine", plan_toml="a = " + "[" * 1000 + "]" * 1000)
        history.progress(sid, 3, 40.0)
    shown = timer("history", home=home)
    assert shown.returncode == 0 and shown.stderr == ""
    assert "mine" in shown.stdout and "stopped at block 4" in shown.stdout
    resumed = timer("run", "--resume", "--mute", home=home)
    assert resumed.returncode == 2
    line = one_line(resumed.stderr)
    assert "saved plan 'mine'" in line and "nested too deeply" in line and "start a new workout" in line


# -- read-only and full disks (real tmpfs mounts) --

def test_a_read_only_home_still_shows_history_and_runs_unrecorded(small_disk: Path) -> None:
    seed(small_disk)
    before = stored(small_disk / "history.db")
    remount_read_only(small_disk)
    shown = timer("history", home=small_disk)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("finished in") == 2 and "This week" in shown.stdout
    ran = run_fast(small_disk)
    assert ran.returncode == 0
    line = one_line(ran.stderr)
    assert "cannot write" in line and "make the folder writable" in line and "unrecorded" in line
    assert ran.stdout.splitlines()[-1].startswith("Workout complete")
    assert timer("remind", "--next", "3", home=small_disk).returncode == 0
    assert stored(small_disk / "history.db") == before


def test_an_empty_read_only_home_is_one_line(small_disk: Path) -> None:
    remount_read_only(small_disk)
    done = timer("history", home=small_disk)
    assert done.returncode == 3
    assert "make the folder writable or set LEGCOACH_HOME" in one_line(done.stderr)
    assert run_fast(small_disk).returncode == 0


def test_a_full_disk_runs_the_workout_unrecorded_and_loses_nothing(small_disk: Path) -> None:
    seed(small_disk)
    before = stored(small_disk / "history.db")
    fill(small_disk)
    ran = run_fast(small_disk)
    assert ran.returncode == 0
    line = one_line(ran.stderr)
    assert "the disk is full; free some space" in line and "unrecorded" in line
    assert ran.stdout.count("Squats. Set") == 2
    assert stored(small_disk / "history.db") == before
    (small_disk / "filler").unlink()
    assert run_fast(small_disk).returncode == 0
    assert len(stored(small_disk / "history.db")) == len(before) + 1


def test_a_disk_that_fills_during_the_workout_says_so_once_and_keeps_going(small_disk: Path) -> None:
    seed(small_disk)
    before = stored(small_disk / "history.db")
    plan = small_disk.parent / "tiny.toml"
    plan.write_text(TINY_PLAN)
    env = {**os.environ, "LEGCOACH_HOME": str(small_disk)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "timer", "run", "--plan-file", str(plan), "--speed", "10", "--mute",
         "--plain"], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the workout is under way and recorded
    assert "Squats. Set 1 of 3" in first
    fill(small_disk)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    line = one_line(err)
    assert "the disk is full" in line and "unrecorded" in line
    assert out.count("Glute bridges. Set") == 2 and out.splitlines()[-1].startswith("Workout complete")
    (small_disk / "filler").unlink()
    after = stored(small_disk / "history.db")
    assert after[: len(before)] == before  # nothing already stored is lost
    assert len(after) in (len(before), len(before) + 1)  # the new one started, at most


def test_history_errors_in_code_are_one_line_history_errors(tmp_path: Path) -> None:
    (tmp_path / "history.db").mkdir()
    with pytest.raises(HistoryError, match=r"history\.db: is a folder"):
        History(tmp_path / "history.db")
