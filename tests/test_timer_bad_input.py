"""Bad files and arguments: one line under 200 characters naming the file or flag, exit 2.

The whole class, not only the cases once found: every file the timer reads
(plan files, reminder settings, a plan saved in the history) and every
numeric flag. Most cases run in-process through ``main(argv)``; a FIFO, which
would block a careless reader forever, and a few others run in a real
subprocess with a timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from timer import remind
from timer.cli import main
from timer.plans import load_plan

ROOT = Path(__file__).resolve().parents[1]
NESTED_ARRAY = "a = " + "[" * 1000 + "]" * 1000 + "\n"
NESTED_TABLE = "a = " + "{b = " * 1000 + "1" + "}" * 1000 + "\n"
LONG = "x" * 5000


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert len(lines[0]) <= 200, lines[0]
    return lines[0]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are named relative to the working folder, as a user types them."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Path(name)


BEGINNER = load_plan("beginner").to_toml()

PLAN_FILES = {
    "nested-array": NESTED_ARRAY,
    "nested-table": NESTED_TABLE,
    "nested-in-a-field": BEGINNER.replace('title = "', 'x = ' + "[" * 999 + "]" * 999 + '\ntitle = "'),
    "long-title": BEGINNER.replace('title = "', f'title = "{LONG}', 1),
    "long-unknown-field": BEGINNER + f"\n{LONG} = 1\n",
    "long-exercise": BEGINNER.replace('exercise = "squat"', f'exercise = "{LONG}"', 1),
    "long-bad-toml": f'name = "{LONG}\n',
    "huge-number": BEGINNER.replace("sets = 2", "sets = 99999999999999999999", 1),
    "nan-rest": BEGINNER.replace("rest_between_sets = 30", "rest_between_sets = nan", 1),
    "binary": "\x00\x01\x02 = \x7f",
}


@pytest.mark.parametrize("command", ["show", "run", "render"])
@pytest.mark.parametrize("case", list(PLAN_FILES))
def test_a_bad_plan_file_is_one_short_line_naming_it(tmp_path, capsys, case, command):
    path = write(tmp_path, f"{case}.toml", PLAN_FILES[case])
    extra = {"show": [], "run": ["--mute"], "render": ["-o", str(tmp_path / "out.wav")]}[command]
    assert main([command, "--plan-file", str(path), *extra]) == 2
    assert f"{case}.toml" in error_line(capsys)


def test_a_plan_file_too_large_or_not_regular_is_refused_unread(tmp_path, capsys):
    huge = write(tmp_path, "huge.toml", "# " + "x" * 400_000 + "\n")
    for path, problem in [(huge, "too large"), ("/dev/zero", "not a regular file"),
                          (Path("."), "is a folder")]:
        assert main(["show", "--plan-file", str(path)]) == 2
        line = error_line(capsys)
        assert f"error: {path}: " in line and problem in line


def test_a_very_long_path_is_cut_in_the_middle(tmp_path, capsys):
    path = tmp_path / ("d" * 200) / ("p" * 200 + ".toml")
    assert main(["show", "--plan-file", str(path)]) == 2
    line = error_line(capsys)
    assert "..." in line and line.endswith("No such file or directory")


def test_a_fifo_never_blocks_a_reader_or_a_writer(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    env = {**os.environ, "LEGCOACH_HOME": str(tmp_path / "home")}
    for argv in (["show", "--plan-file", str(fifo)], ["remind", "--config", str(fifo), "--next", "1"],
                 ["run", "--mute", "--events", str(fifo)],
                 ["render", "-o", str(fifo)]):
        done = subprocess.run([sys.executable, "-m", "timer", *argv], cwd=tmp_path, env=env, text=True,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
        assert done.returncode == 2, (argv, done.stderr)
        [line] = done.stderr.splitlines()
        assert "pipe" in line and ("not a regular file" in line or "a FIFO no one reads" in line)


CONFIGS = {
    "nested": NESTED_ARRAY,
    "zone-folder": '[service]\ntimezone = "America"\n',
    "zone-traversal": '[service]\ntimezone = "../../../etc/passwd"\n',
    "zone-long": f'[service]\ntimezone = "{LONG}"\n',
    "long-section": f"[{LONG}]\n",
    "long-key": f"[workout]\n{LONG} = 1\n",
    "long-message": "[workout]\nmessage = " + "[" * 300 + "]" * 300 + "\n",
    "long-day": f'[workout]\ndays = ["{LONG}"]\n',
    "huge-every": "[move_break]\nevery_minutes = 99999999999999999999\n",
}


@pytest.mark.parametrize("case", list(CONFIGS))
def test_bad_reminder_settings_are_one_short_line_naming_the_file(tmp_path, capsys, case):
    path = write(tmp_path, f"{case}.toml", CONFIGS[case])
    assert main(["remind", "--config", str(path), "--next", "1"]) == 2
    line = error_line(capsys)
    assert f"{case}.toml" in line


def test_an_unknown_time_zone_names_the_field(tmp_path, capsys):
    path = write(tmp_path, "zone.toml", '[service]\ntimezone = "America"\n')
    assert main(["remind", "--config", str(path), "--next", "1"]) == 2
    assert "service.timezone: unknown time zone 'America'" in error_line(capsys)


FLAGS = [
    (["history", "--limit", "99999999999999999999"], "--limit"),
    (["history", "--limit", "-1"], "--limit"),
    (["history", "--limit", "1e3"], "--limit"),
    (["run", "--speed", "1e-300"], "--speed"),
    (["run", "--speed", "1e308"], "--speed"),
    (["run", "--speed", "nan"], "--speed"),
    (["run", "--speed", "-inf"], "--speed"),
    (["run", "--speed", LONG], "--speed"),
    (["run", "--rate", "99999999999999999999999"], "--rate"),
    (["run", "--volume", "nan"], "--volume"),
    (["run", "--volume", "1e400"], "--volume"),
    (["render", "-o", "x.wav", "--rate", LONG], "--rate"),
    (["remind", "--every", "99999999999999999999"], "--every"),
    (["remind", "--every", "-5"], "--every"),
    (["remind", "--next", "99999999"], "--next"),
    (["remind", "--next", "0"], "--next"),
    (["remind", "--next", LONG], "--next"),
    (["show", LONG], "no such plan"),
    (["run", "--no-such-flag", LONG], "unrecognized arguments"),
]


@pytest.mark.parametrize("argv, flag", FLAGS, ids=[f"{a[0]}{a[1:2]}{a[2:3]}"[:60] for a, _ in FLAGS])
def test_a_bad_number_is_one_short_line_naming_the_flag(capsys, argv, flag):
    assert main(argv) == 2
    assert flag in error_line(capsys)


def test_remind_next_says_why_it_printed_fewer(tmp_path, capsys):
    settings = write(tmp_path, "r.toml", "[move_break]\nenabled = false\n")
    now = datetime(2026, 3, 2, 8, 0).astimezone()
    assert remind.main(["--config", str(settings), "--next", "1000"], now=lambda zone: now) == 0
    captured = capsys.readouterr()
    printed = captured.out.splitlines()
    assert 0 < len(printed) < 1000
    assert captured.err.strip() == f"({len(printed)} reminders in the next 15 days; --next looks no further)"


def test_a_subprocess_answers_a_nested_plan_with_one_line(tmp_path):
    path = write(tmp_path, "deep.toml", NESTED_ARRAY)
    env = {**os.environ, "LEGCOACH_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "timer", "run", "--plan-file", str(path), "--mute"],
                          cwd=tmp_path, env=env, text=True, capture_output=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr == "python -m timer: error: deep.toml: invalid TOML: nested too deeply\n"
