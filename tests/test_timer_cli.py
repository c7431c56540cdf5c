"""`python -m timer`: through main(argv) and through a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

import pytest

from speech.audio import onsets, read_wav, wav_seconds
from speech.cache import AudioCache
from speech.paths import audio_cache_dir
from speech.tts import VoiceOptions, tts_available
from tests.instants import WEEK_EDGES, local
from timer.cli import COMMANDS, main
from timer.compiler import compile_plan
from timer.history import History
from timer.plans import builtin_plans, load_plan, loads_plan
from timer.session import resume_hint

ROOT = Path(__file__).resolve().parents[1]

SHORT_PLAN = """
name = "short"
title = "Short test"
rest_between_sets = 6
rest_between_exercises = 6
[[exercises]]
exercise = "squat"
sets = 2
reps = 2
[[exercises]]
exercise = "glute-bridge"
sets = 2
reps = 2
"""


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT_PLAN, encoding="utf-8")
    return path


def _timer(*args: str, home: Path, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "LEGCOACH_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "timer", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            **kw)  # type: ignore[call-overload]


def at(moment: datetime) -> Callable[[tzinfo], datetime]:
    """A clock stopped at ``moment`` (as ``datetime.now(zone)``)."""
    return lambda zone: moment.astimezone(zone)


NOW = datetime(2026, 12, 2, 16, 40, tzinfo=timezone.utc)  # a Wednesday afternoon


RESUME_LINE = f"continue with: {resume_hint()}"  # its exact forms: test_timer_hints.py


def _wait_for_events(path: Path, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not path.exists() or len(_events(path)) < count):
        time.sleep(0.02)


def _events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- in process --

def test_plans_lists_every_builtin_with_length_and_title(capsys):
    assert main(["plans"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == builtin_plans()
    beginner = load_plan("beginner")
    minutes, seconds = divmod(int(compile_plan(beginner).length), 60)
    assert lines[0].split(None, 2)[1:] == [f"{minutes}:{seconds:02d}", beginner.title]


def test_show_prints_each_cue_with_its_time(capsys, plan_file):
    assert main(["show", "--plan-file", str(plan_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    timeline = compile_plan(loads_plan(SHORT_PLAN))
    assert len(lines) == len(timeline.cues)
    assert lines[0].startswith("  0:00  Short test. Squats and glute bridges.")


def test_no_command_means_run(capsys, plan_file, tmp_path):
    events = tmp_path / "ev.jsonl"
    assert main([str(plan_file), "--speed", "500", "--mute", "--events", str(events)],
                now=at(NOW)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("00:00  Short test.")
    assert "Workout complete (a demo at another speed: not counted). This week: 0 of 3 leg sessions." in out
    assert len(_events(events)) == len(compile_plan(loads_plan(SHORT_PLAN)).cues)


@pytest.mark.parametrize("argv, message", [
    (["show", "no-such-plan"], "no such plan"),
    (["run", "--speed", "0", "--mute"], "--speed"),
    (["run", "--speed", "-1", "--mute"], "--speed"),
    (["run", "--speed", "fast", "--mute"], "must be a positive number"),
    (["run", "--rate", "5"], "--rate"),
    (["run", "--voice", "no-such-voice", "--speed", "500"], "unknown voice"),
    (["show", "beginner", "--plan-file", "x.toml"], "not both"),
    (["render", "beginner", "-o", "/no/such/dir/out.wav"], "cannot write output"),
    (["run", "--resume", "--mute"], "nothing to resume"),
    (["frobnicate"], "no such plan"),
], ids=["unknown-plan", "speed-0", "speed-negative", "speed-word", "rate", "voice", "two-plans",
        "unwritable-output", "nothing-to-resume", "unknown-command"])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    if "--voice" in argv and not tts_available():
        pytest.skip("no text-to-speech on this machine")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_a_bad_plan_file_names_the_file_and_field(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SHORT_PLAN.replace("sets = 2\nreps = 2", "sets = \"three\"", 1), encoding="utf-8")
    assert main(["show", "--plan-file", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith('bad.toml: exercises[1].sets: must be a whole number from 1 to 20, got "three"')


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(capsys, name):
    assert COMMANDS[name].help
    assert main([name, "--help"]) == 0
    assert "usage:" in capsys.readouterr().out


def test_history_lists_sessions_and_the_weekly_count(capsys, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    with History(clock=lambda: NOW) as history:
        done = history.start("beginner", now=NOW - timedelta(minutes=20))
        history.finish(done)
        history.start("advanced")
    assert main(["history"], now=at(NOW)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "advanced" in lines[0] and "stopped at the warm-up, march in place (0:00 in)" in lines[0]
    assert "beginner" in lines[1] and "finished" in lines[1]
    assert lines[-2:] == [f"Continue the last one with: {resume_hint()}",
                          "This week: 1 of 3 leg sessions."]
    assert lines[0].startswith("2026-12-02 17:40  ")  # Berlin time
    assert lines[1].startswith("2026-12-02 17:20  ") and "finished in 20:00" in lines[1]


@pytest.mark.parametrize("zone, finished, asked, count", list(WEEK_EDGES.values()), ids=list(WEEK_EDGES))
def test_history_counts_the_week_monday_to_sunday_in_the_machines_zone(
        capsys, monkeypatch, zone: str, finished: tuple[int, ...], asked: tuple[int, ...],
        count: int) -> None:
    monkeypatch.setenv("TZ", zone)
    end = local(zone, *finished)
    with History(clock=lambda: end) as history:
        history.finish(history.start("beginner", now=end - timedelta(minutes=12)))
    assert main(["history"], now=at(local(zone, *asked))) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"This week: {count} of 3 leg sessions."


@pytest.mark.skipif(not tts_available(), reason="no text-to-speech on this machine")
def test_render_places_every_cue_at_its_offset(capsys, plan_file, tmp_path):
    wav, js = tmp_path / "s.wav", tmp_path / "s.json"
    assert main(["render", "--plan-file", str(plan_file), "-o", str(wav), "--timeline", str(js)]) == 0
    cues = json.loads(js.read_text(encoding="utf-8"))
    assert set(cues[0]) == {"offset", "text", "kind"}
    clip = read_wav(wav)
    offsets = [c["offset"] for c in cues]
    cache = AudioCache(audio_cache_dir(), VoiceOptions())
    timeline = compile_plan(loads_plan(SHORT_PLAN), lambda n: cache.clip_for(n).seconds)
    assert offsets == [round(c.offset, 3) for c in timeline.cues]
    assert clip.seconds == pytest.approx(timeline.length, abs=1 / clip.rate)
    found = onsets(clip)
    assert len(found) >= len(cues) // 2
    assert all(min(abs(t - o) for o in offsets) <= 0.03 for t in found)
    after_silence = [o for prev, o in zip(offsets, offsets[1:]) if o - prev > 3.0]
    assert all(min(abs(t - o) for t in found) <= 0.03 for o in after_silence)
    assert wav_seconds(wav) == pytest.approx(clip.seconds)


# -- real processes --

def test_run_in_a_subprocess_fires_every_cue_in_order(tmp_path):
    events = tmp_path / "ev.jsonl"
    proc = _timer("run", "beginner", "--speed", "200", "--mute", "--events", str(events), home=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == ("Workout complete (a demo at another speed: not counted). "
                                    "This week: 0 of 3 leg sessions.")
    got = _events(events)
    timeline = compile_plan(load_plan("beginner"))
    assert [e["text"] for e in got] == [c.text for c in timeline.cues]
    planned = [float(e["planned"]) for e in got]  # type: ignore[arg-type]
    actual = [float(e["actual"]) for e in got]  # type: ignore[arg-type]
    assert planned == sorted(planned) and actual == sorted(actual)
    assert all(a >= p for a, p in zip(actual, planned))


def test_ctrl_c_stops_with_130_and_says_how_to_resume(tmp_path, plan_file):
    events = tmp_path / "ev.jsonl"
    proc = _timer("run", str(plan_file), "--speed", "20", "--mute", "--events", str(events), home=tmp_path)
    _wait_for_events(events, 3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.splitlines() == [err.strip()] and err.strip().endswith(RESUME_LINE)


def test_an_invalid_plan_file_in_a_subprocess_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed\n", encoding="utf-8")
    proc = _timer("run", "--plan-file", str(bad), "--mute", home=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert len(err.splitlines()) == 1 and "bad.toml: line 1" in err


def test_sigterm_saves_progress_and_resume_continues(tmp_path, plan_file):
    events = tmp_path / "ev.jsonl"
    proc = _timer("run", str(plan_file), "--speed", "20", "--mute", "--events", str(events), home=tmp_path)
    _wait_for_events(events, 12)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert err.strip().endswith(RESUME_LINE)
    with History(tmp_path / "history.db") as history:
        saved = history.unfinished()
    assert saved is not None and saved.status == "quit" and saved.block > 0
    timeline = compile_plan(loads_plan(SHORT_PLAN))
    block_start = timeline.blocks[saved.block].start

    again = _timer("run", "--resume", "--speed", "200", "--mute", "--events", str(events), home=tmp_path)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    resumed = _events(events)
    assert resumed[0]["kind"] == "intro" and str(resumed[0]["text"]).startswith("Welcome back. Resuming at")
    assert resumed[1]["planned"] == pytest.approx(block_start, abs=1e-3)
    assert resumed[-1]["kind"] == "finish"
    with History(tmp_path / "history.db") as history:
        assert history.get(saved.id).status == "finished"  # type: ignore[union-attr]
