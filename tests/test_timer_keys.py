"""Rests you can change and a set you can restart: the runner's commands and the keys for them."""

from __future__ import annotations

import os
import pty

import pytest

from speech.model import Narration
from timer.display import HELP, KEYS, Keyboard
from timer.run_events import CueEvent, RunListener, RunState
from timer.runner import REST_MORE, Runner
from timer.timeline import Block, Cue, Timeline

KINDS = ("warmup", "set", "rest", "set", "rest", "set", "cooldown")


def timeline() -> Timeline:
    """Seven blocks of 10 s; sets have reps at +3 and +6 s, the others a tip at +5 s."""
    blocks, cues = [], []
    for i, kind in enumerate(KINDS):
        start = i * 10.0
        blocks.append(Block(i, kind, start, start + 10.0, f"{kind} {i}", exercise_id="squat",
                            set_no=1, sets=3, reps=2 if kind == "set" else 0))
        cues.append(Cue(start, "announce" if kind == "set" else kind, Narration.of(f"{kind} {i}."), 1.0, i))
        if kind == "set":
            cues += [Cue(start + 3.0, "rep", Narration.of("One."), 0.5, i),
                     Cue(start + 6.0, "rep", Narration.of("Two."), 0.5, i)]
        else:
            cues.append(Cue(start + 5.0, "tip", Narration.of(f"Tip {i}."), 1.0, i))
    return Timeline(tuple(cues), 70.0, tuple(blocks), "Test")


class Log(RunListener):
    def __init__(self) -> None:
        self.events: list[CueEvent] = []
        self.blocks: list[int] = []

    def on_cue(self, event: CueEvent, state: RunState) -> None:
        self.events.append(event)

    def on_block(self, block: int, offset: float, state: RunState) -> None:
        self.blocks.append(block)


def run(clock, speaker, *actions: tuple[float, str]) -> tuple[Log, float]:
    log = Log()
    runner = Runner(timeline(), speaker, clock.now, clock.sleep, listeners=[log])
    t0 = clock.now()
    for at, command in actions:
        clock.call_at(t0 + at, lambda c=command: runner.post(c))  # type: ignore[misc]
    result = runner.run()
    assert result.status == "finished"
    return log, clock.now() - t0


def test_ten_more_seconds_lengthens_the_rest_and_moves_what_follows(clock, speaker):
    log, took = run(clock, speaker, (22.0, "more"))
    assert took == pytest.approx(70.0 + REST_MORE)
    after = {e.planned: e.actual for e in log.events}
    assert after[30.0] == pytest.approx(30.0)  # the next set starts in plan time, 10 s later for real
    assert [e.planned for e in log.events].count(20.0) == 1  # nothing in the rest is said twice
    assert log.blocks == [0, 1, 2, 3, 4, 5, 6]


def test_ten_more_seconds_does_nothing_during_a_set(clock, speaker):
    _, took = run(clock, speaker, (12.0, "more"))
    assert took == pytest.approx(70.0)


def test_skip_the_rest_starts_the_next_set_at_once(clock, speaker):
    log, took = run(clock, speaker, (21.0, "skip"))
    assert took == pytest.approx(70.0 - 9.0)
    planned = [e.planned for e in log.events]
    assert planned[planned.index(20.0) + 1] == 30.0  # the rest's tip is never said


def test_skip_does_nothing_during_a_set(clock, speaker):
    _, took = run(clock, speaker, (12.0, "skip"))
    assert took == pytest.approx(70.0)


def test_restart_goes_to_the_start_of_this_set_even_right_after_it_began(clock, speaker):
    # "back" this early goes to the set before; "restart" stays in this one
    log, _ = run(clock, speaker, (31.0, "restart"))
    planned = [e.planned for e in log.events]
    assert planned[planned.index(30.0) + 1] == 30.0
    back, _ = run(clock, speaker, (31.0, "back"))
    planned = [e.planned for e in back.events]
    assert planned[planned.index(30.0) + 1] == 10.0


def test_the_keys_reach_the_runner_through_a_terminal():
    master, slave = pty.openpty()
    got: list[str] = []
    try:
        with Keyboard(slave, got.append) as keyboard:
            os.write(master, b"+sr q")
            keyboard.read()
    finally:
        os.close(master)
        os.close(slave)
    assert got == ["more", "skip", "restart", "toggle", "quit"]
    assert {KEYS["+"], KEYS["s"], KEYS["r"]} == {"more", "skip", "restart"}
    for words in ("+ 10 s rest", "s skip rest", "r restart set"):
        assert words in HELP
