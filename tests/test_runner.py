"""The real-time runner on a fake clock, its display and its key reader."""

from __future__ import annotations

import io
import os
import termios
import threading
import time
from pathlib import Path

import pytest

from speech.model import Narration
from timer.compiler import Block, Cue, Timeline, compile_plan
from rich.console import Console

from timer.display import HELP, Keyboard, LiveDisplay, PlainDisplay, Waker, big_digits, clock_text
from timer.display import render, view
from timer.history import History
from timer.plans import load_plan, loads_plan
from timer.run_events import CueEvent, RunListener, RunState
from timer.runner import Runner
from timer.session import EventLog, ProgressLog, resume_start, welcome, where

# warm-up, set 1, rest, set 2, rest, set 3, cool-down: 10 s each.
KINDS = ("warmup", "set", "rest", "set", "rest", "set", "cooldown")


def _timeline() -> Timeline:
    blocks, cues = [], []
    set_no = 0
    for i, kind in enumerate(KINDS):
        set_no += kind == "set"
        start = i * 10.0
        blocks.append(Block(i, kind, start, start + 10.0, f"{kind} {i}", exercise_id="squat",
                            set_no=max(set_no, 1), sets=3, reps=2 if kind == "set" else 0))
        cues.append(Cue(start, "announce" if kind == "set" else kind, Narration.of(f"{kind} {i}."), 1.0, i))
        if kind == "set":
            cues += [Cue(start + 3.0, "rep", Narration.of("One."), 0.5, i),
                     Cue(start + 6.0, "rep", Narration.of("Two."), 0.5, i)]
        else:
            cues.append(Cue(start + 5.0, "tip", Narration.of(f"Tip {i}."), 1.0, i))
    return Timeline(tuple(cues), 70.0, tuple(blocks), "Test")


class Recorder(RunListener):
    def __init__(self, clock: object = None) -> None:
        self.events: list[CueEvent] = []
        self.blocks: list[tuple[int, float]] = []
        self.controls: list[str] = []
        self.ticks: list[RunState] = []

    def on_cue(self, event: CueEvent, state: RunState) -> None:
        self.events.append(event)

    def on_block(self, block: int, offset: float, state: RunState) -> None:
        self.blocks.append((block, offset))

    def on_control(self, command: str, state: RunState) -> None:
        self.controls.append(command)

    def on_tick(self, state: RunState) -> None:
        self.ticks.append(state)


@pytest.fixture
def timeline() -> Timeline:
    return _timeline()


def _runner(timeline, speaker, clock, rec, **kw) -> Runner:
    return Runner(timeline, speaker, clock.now, clock.sleep, listeners=[rec], **kw)


def _planned(rec: Recorder) -> list[float]:
    return [e.planned for e in rec.events]


def test_cues_fire_exactly_at_their_offsets(timeline, speaker, clock):
    rec = Recorder()
    start = clock.now()
    result = _runner(timeline, speaker, clock, rec).run()
    assert result.status == "finished"
    assert _planned(rec) == [c.offset for c in timeline.cues]
    assert all(e.actual == pytest.approx(e.planned, abs=1e-9) for e in rec.events)
    assert speaker.spoken == [c.narration for c in timeline.cues]
    assert clock.now() - start == pytest.approx(timeline.length)


def test_oversleeping_never_accumulates_drift(timeline, speaker, clock):
    def late_sleep(seconds: float) -> None:
        clock.sleep(seconds + 0.004)  # every sleep overshoots by 4 ms

    rec = Recorder()
    Runner(timeline, speaker, clock.now, late_sleep, listeners=[rec]).run()
    lateness = [e.actual - e.planned for e in rec.events]
    assert max(lateness) <= 0.004 + 1e-9
    assert lateness[-1] <= lateness[1] + 1e-9


def test_speed_compresses_real_time_not_plan_time(timeline, speaker, clock):
    rec = Recorder()
    start = clock.now()
    _runner(timeline, speaker, clock, rec, speed=10).run()
    assert clock.now() - start == pytest.approx(7.0)
    assert all(e.actual == pytest.approx(e.planned, abs=1e-9) for e in rec.events)


def test_pause_keeps_remaining_time(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    t0 = clock.now()
    clock.call_at(t0 + 14.0, runner.pause)
    clock.call_at(t0 + 114.0, runner.resume)
    fired: list[float] = []
    speaker.speak = lambda n: fired.append(clock.now() - t0)  # type: ignore[method-assign]
    runner.run()
    assert rec.controls == ["pause", "resume"]
    # The rep due 2 s after the pause point fires 2 s after resuming.
    assert fired[_planned(rec).index(16.0)] == pytest.approx(116.0)
    assert all(e.actual == pytest.approx(e.planned, abs=1e-9) for e in rec.events)


def test_paused_runner_fires_nothing(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 1.0, runner.pause)
    clock.call_at(clock.now() + 500.0, runner.quit)
    result = runner.run()
    assert _planned(rec) == [0.0]
    assert result.status == "quit" and result.offset == pytest.approx(1.0)


def test_next_jumps_to_the_start_of_the_next_set(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    t0 = clock.now()
    fired: list[float] = []
    speaker.speak = lambda n: fired.append(clock.now() - t0)  # type: ignore[method-assign]
    clock.call_at(t0 + 2.0, runner.next)
    runner.run()
    assert _planned(rec)[:3] == [0.0, 10.0, 13.0]  # the warm-up tip at 5 s is skipped
    assert fired[:3] == [0.0, 2.0, 5.0]
    assert rec.events[1].actual == pytest.approx(10.0)
    assert rec.blocks[:2] == [(0, 0.0), (1, 10.0)]


def test_next_from_a_rest_skips_to_the_following_set(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 21.0, runner.next)
    runner.run()
    assert 25.0 not in _planned(rec)
    assert _planned(rec)[_planned(rec).index(20.0) + 1] == 30.0


def test_next_in_the_last_set_goes_to_the_cool_down(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 51.0, runner.next)
    runner.run()
    assert _planned(rec)[-3:] == [50.0, 60.0, 65.0]


def test_next_in_the_cool_down_finishes(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    t0 = clock.now()
    clock.call_at(t0 + 61.0, runner.next)
    result = runner.run()
    assert result.status == "finished"
    assert clock.now() - t0 == pytest.approx(61.0)
    assert 65.0 not in _planned(rec)


def test_back_restarts_the_current_set(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 37.0, runner.back)
    runner.run()
    assert _planned(rec)[_planned(rec).index(36.0) + 1] == 30.0


def test_back_at_the_start_of_a_set_goes_to_the_set_before(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 31.0, runner.back)
    runner.run()
    assert _planned(rec)[_planned(rec).index(30.0) + 1] == 10.0


def test_back_in_the_first_set_restarts_it(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 10.5, runner.back)
    runner.run()
    assert _planned(rec)[:3] == [0.0, 5.0, 10.0]
    assert _planned(rec)[3] == 10.0


def test_back_in_a_rest_restarts_the_set_before_it(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 22.0, runner.back)
    runner.run()
    assert _planned(rec)[_planned(rec).index(20.0) + 1] == 10.0


def test_quit_reports_where_it_stopped(timeline, speaker, clock):
    rec = Recorder()
    runner = _runner(timeline, speaker, clock, rec)
    clock.call_at(clock.now() + 33.5, runner.quit)
    result = runner.run()
    assert (result.status, result.block, result.offset) == ("quit", 3, pytest.approx(33.5))
    assert rec.blocks[-1] == (3, 30.0)


def test_a_signal_stop_carries_its_number(timeline, speaker, clock):
    runner = _runner(timeline, speaker, clock, Recorder())
    clock.call_at(clock.now() + 12.0, lambda: runner.stop(15))
    result = runner.run()
    assert (result.status, result.signal, result.block) == ("stopped", 15, 1)


def test_every_block_start_is_reported_once(timeline, speaker, clock):
    rec = Recorder()
    _runner(timeline, speaker, clock, rec).run()
    assert rec.blocks == [(b.index, b.start) for b in timeline.blocks]


def test_resume_starts_at_the_block_after_an_intro(timeline, speaker, clock):
    rec = Recorder()
    intro = Narration.of("Welcome back.")
    t0 = clock.now()
    _runner(timeline, speaker, clock, rec, start_block=3, intro=intro, intro_seconds=2.0).run()
    assert speaker.spoken[0] == intro
    assert rec.events[0].kind == "intro" and rec.events[0].planned == 28.0
    assert _planned(rec)[1:] == [c.offset for c in timeline.cues if c.offset >= 30.0]
    assert rec.blocks[0] == (3, 30.0)
    assert clock.now() - t0 == pytest.approx(42.0)


def test_ticks_never_delay_cues_and_sleeps_stay_short(timeline, speaker, clock):
    rec = Recorder()
    _runner(timeline, speaker, clock, rec, tick=0.25).run()
    assert all(e.actual == pytest.approx(e.planned, abs=1e-9) for e in rec.events)
    assert max(clock.sleeps) <= 0.25 + 1e-9
    assert 250 <= len(rec.ticks) <= 300


def test_a_slow_redraw_never_makes_a_cue_late(timeline, speaker, clock):
    class SlowDisplay(Recorder):
        def on_tick(self, state: RunState) -> None:
            clock.time += 0.02  # a 20 ms redraw

    rec = SlowDisplay()
    _runner(timeline, speaker, clock, rec, tick=0.25).run()
    assert all(e.actual == pytest.approx(e.planned, abs=1e-9) for e in rec.events)


def test_listeners_run_after_the_cue_is_spoken(timeline, speaker, clock):
    order: list[str] = []

    class Probe(RunListener):
        def on_cue(self, event: CueEvent, state: RunState) -> None:
            order.append(f"listener:{event.text}")

    speaker.speak = lambda n: order.append(f"speak:{n.text}")  # type: ignore[method-assign]
    Runner(timeline, speaker, clock.now, clock.sleep, listeners=[Probe()]).run()
    assert order[:2] == ["speak:warmup 0.", "listener:warmup 0."]


def test_speed_must_be_positive(timeline, speaker):
    with pytest.raises(ValueError):
        Runner(timeline, speaker, speed=0)


# -- history and events --

SHORT_PLAN = """
name = "short"
title = "Short test"
rest_between_sets = 5
[[exercises]]
exercise = "squat"
sets = 2
reps = 2
[[exercises]]
exercise = "glute-bridge"
sets = 2
reps = 2
"""


def test_progress_is_saved_at_each_block_and_resume_continues_there(speaker, clock, tmp_path):
    plan = loads_plan(SHORT_PLAN)
    timeline = compile_plan(plan)
    history = History(tmp_path / "h.db")
    sid = history.start(plan.name, plan_toml=plan.to_toml())
    runner = Runner(timeline, speaker, clock.now, clock.sleep, listeners=[ProgressLog(history, sid)])
    third_set = timeline.set_blocks()[2]
    clock.call_at(clock.now() + third_set.start + 1.0, runner.quit)
    result = runner.run()
    history.quit(sid)
    assert history.get(sid).block == third_set.index  # type: ignore[union-attr]

    start = resume_start(history)
    assert (start.block, start.session_id, start.plan) == (third_set.index, sid, plan)
    rec = Recorder()
    intro = welcome(timeline.blocks[start.block])
    assert intro.text == "Welcome back. Resuming at glute bridges, set 1 of 2."
    Runner(timeline, speaker, clock.now, clock.sleep, start_block=start.block, intro=intro,
           listeners=[rec]).run()
    assert rec.events[1].planned == third_set.start and result.block == third_set.index


def test_resume_words_name_the_block():
    blocks = compile_plan(loads_plan(SHORT_PLAN)).blocks
    said = {b.kind: where(b) for b in blocks}
    assert said["set"] == "glute bridges, set 2 of 2"
    assert said["rest"] == "the rest before glute bridges, set 2 of 2"
    assert said["finish"] == "the finish"
    warmup = compile_plan(load_plan("beginner")).blocks[0]
    assert where(warmup) == "the warm-up, march in place"


def test_event_log_writes_one_flushed_json_line_per_cue(timeline, speaker, clock):
    stream = io.StringIO()
    Runner(timeline, speaker, clock.now, clock.sleep, listeners=[EventLog(stream)]).run()
    import json

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == len(timeline.cues)
    assert lines[1] == {"planned": 5.0, "actual": 5.0, "text": "Tip 0.", "kind": "tip", "block": 0}


# -- display --

def test_plain_display_prints_one_line_per_cue():
    out = io.StringIO()
    event = CueEvent(12.0, 12.001, "Squats. Set 1 of 3. 12 reps.", "announce", 1)
    PlainDisplay(out).on_cue(event, RunState(12.0, 1, False, event, 1.0))
    assert out.getvalue() == "00:12  Squats. Set 1 of 3. 12 reps.\n"


def test_view_shows_block_countdown_reps_and_next(timeline):
    v = view(timeline, RunState(33.5, 3, False, timeline.cues[6], 1.0))
    assert (v.title, v.subtitle, v.countdown, v.reps) == ("Squats", "Set 2 of 3", 7, "Rep 1 of 2")
    assert v.next_up == "rest 4" and v.set_progress == 0.35 and v.session_progress == 0.48
    assert view(timeline, RunState(33.5, 3, True, None, 1.0)).paused


def test_live_panel_shows_exercise_countdown_reps_and_keys(timeline):
    console = Console(width=72, record=True, file=io.StringIO())
    console.print(render(view(timeline, RunState(33.5, 3, False, timeline.cues[6], 1.0))))
    text = console.export_text()
    for shown in ("Squats", "Set 2 of 3", "Rep 1 of 2", "0:33 / 1:10", "rest 4", "Tip 2.", *HELP.split("  ")):
        assert shown in text
    assert big_digits("7").splitlines()[0] in text


def test_live_display_redraws_only_when_something_changed(timeline):
    out = io.StringIO()
    with LiveDisplay(timeline, Console(file=out, force_terminal=True, width=72)) as display:
        display.on_tick(RunState(33.5, 3, False, None, 1.0))
        drawn = len(out.getvalue())
        display.on_tick(RunState(33.52, 3, False, None, 1.0))
        assert len(out.getvalue()) == drawn
        display.on_tick(RunState(35.0, 3, False, None, 1.0))
        assert len(out.getvalue()) > drawn


def test_clock_and_big_digits():
    assert clock_text(75) == "1:15" and clock_text(12, zero=True) == "00:12"
    assert big_digits("10").splitlines() == ["▀█  █▀█", " █  █ █", "▀▀▀ ▀▀▀"]


# -- waking and keys --

def test_waker_returns_early_when_woken():
    waker = Waker()
    threading.Timer(0.05, waker.wake).start()
    began = time.monotonic()
    waker.wait(5.0)
    assert time.monotonic() - began < 2.0
    waker.close()


def test_keyboard_turns_keys_into_commands_and_restores_the_terminal():
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    commands: list[str] = []
    waker = Waker()
    try:
        with Keyboard(slave, commands.append) as keyboard:
            assert not termios.tcgetattr(slave)[3] & termios.ICANON
            waker.watch(slave, keyboard.read)
            os.write(master, b" nbqx")
            waker.wait(2.0)
        assert commands == ["toggle", "next", "back", "quit"]
        assert termios.tcgetattr(slave) == before
    finally:
        waker.close()
        os.close(master)
        os.close(slave)


def test_keyboard_restores_the_terminal_after_an_error():
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    with pytest.raises(RuntimeError):
        with Keyboard(slave, lambda c: None):
            raise RuntimeError("boom")
    assert termios.tcgetattr(slave) == before
    os.close(master)
    os.close(slave)


def test_session_fixture_home_is_private(legcoach_home: Path):
    assert os.environ["LEGCOACH_HOME"] == str(legcoach_home)
