"""The live panel in a real terminal (tmux): on a small one the keys stay in view, and work."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from timer.compiler import compile_plan
from timer.display import HELP, render, view
from timer.plans import load_plan
from timer.run_events import RunState

ROOT = Path(__file__).resolve().parents[1]
PLAN = """
name = "short"
title = "Short test"
[[exercises]]
exercise = "squat"
sets = 2
reps = 20
"""
KEYS = HELP.split("  ")


@pytest.mark.parametrize("width, height", [(44, 14), (44, 10), (60, 12), (72, 40)])
def test_every_key_is_drawn_within_the_terminal(width: int, height: int) -> None:
    timeline = compile_plan(load_plan("beginner"))
    console = Console(width=width, height=height, record=True, force_terminal=False)
    console.print(render(view(timeline, RunState(200.0, 5, False, timeline.cues[20], 1.0)),
                         min(72, width), height))
    lines = console.export_text().splitlines()
    assert len(lines) < height and all(len(line) <= width for line in lines)
    text = "\n".join(lines)
    assert all(key in text for key in KEYS), text


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[list[str]]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    base = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    yield base
    subprocess.run([*base, "kill-server"], capture_output=True)


def screen(tmux: list[str], until: str, timeout: float = 30.0) -> str:
    """The pane's text once ``until`` shows (lines the terminal wrapped are joined)."""
    deadline = time.monotonic() + timeout
    while True:
        text = subprocess.run([*tmux, "capture-pane", "-p", "-J", "-t", "run"], capture_output=True,
                              text=True).stdout
        if until in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def test_on_a_44_by_14_terminal_the_keys_are_visible_and_work(tmux: list[str], tmp_path: Path) -> None:
    (tmp_path / "short.toml").write_text(PLAN)
    command = (f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES LEGCOACH_HOME=home TERM=xterm-256color "
               f"{shlex.quote(sys.executable)} -m timer run --plan-file short.toml --mute; sleep 30")
    subprocess.run([*tmux, "new-session", "-d", "-s", "run", "-x", "44", "-y", "14", command], check=True)
    shown = screen(tmux, "q quit")
    assert "Leg Coach" in shown and "Squats" in shown
    for key in KEYS:
        assert key in shown, shown
    subprocess.run([*tmux, "send-keys", "-t", "run", "q"], check=True)
    after = screen(tmux, "Progress saved")
    assert "Stopped at squats, set 1 of 2. Progress saved" in after, after
