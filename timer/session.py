"""One workout run, wired together: plan, voice, timeline, history, display, keys, signals.

:func:`run_workout` is what ``python -m timer run`` does. The pieces are
small listeners on the :class:`~timer.runner.Runner`: an event log (JSON
lines), a progress recorder (history at each block start) and a display.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, TypeVar

from rich.console import Console

from speech.live import MuteSpeaker, PreparingSpeaker, make_speaker
from speech.model import Narration
from speech.tts import VoiceOptions
from timer.compiler import Block, Timeline, compile_plan
from timer.display import Keyboard, LiveDisplay, PlainDisplay, Waker
from timer.exercises import load_exercises
from timer.files import short
from timer.hints import timer_command
from timer.history import WEEKLY_GOAL, History, HistoryError
from timer.plans import Plan, PlanError, load_plan, loads_plan
from timer.reminders_config import local_zone
from timer.run_events import CueEvent, RunListener, RunResult, RunState
from timer.runner import Runner

T = TypeVar("T")

def resume_hint() -> str:
    """The command that continues the saved workout, as it works from here."""
    return timer_command("run", "--resume")
#: Redraws per second of the live display at most.
TICK = 0.25


class Interrupted(Exception):
    """A stop signal arrived before the runner was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class NothingToResume(PlanError):
    pass


@dataclass(frozen=True)
class Start:
    """What to run: a plan from its first block, or a saved session from its block."""

    plan: Plan
    block: int = 0
    session_id: int | None = None


@dataclass(frozen=True)
class RunOptions:
    speed: float = 1.0
    voice: VoiceOptions = VoiceOptions()
    mute: bool = False
    events: Path | None = None
    plain: bool = False

    @property
    def demo(self) -> bool:
        """A run at another speed than real time: recorded as a demo, never counted."""
        return self.speed != 1.0


class EventLog(RunListener):
    """Every fired cue as one JSON line, flushed at once."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def on_cue(self, event: CueEvent, state: RunState) -> None:
        self.stream.write(json.dumps(event.to_json()) + "\n")
        self.stream.flush()


class Recorder:
    """The run's writes to the history. When the history cannot be written (a
    full disk, a read-only folder, no history at all) the workout goes on: the
    problem is said once on ``err`` and nothing more is written."""

    def __init__(self, history: History | None, err: IO[str], problem: str | None = None) -> None:
        self.history = history
        self.err = err
        self.failed = False
        if history is None or problem:
            self._fail(problem or "the workout history is not available")

    def _fail(self, problem: str) -> None:
        if not self.failed:
            self.failed = True
            self.err.write(short(f"{problem}. The workout goes on, unrecorded.", 200) + "\n")
            self.err.flush()

    def call(self, write: Callable[[History], T]) -> T | None:
        """``write(history)``, or None once the history has failed."""
        if self.failed or self.history is None:
            return None
        try:
            return write(self.history)
        except HistoryError as err:
            self._fail(str(err))
            return None


class ProgressLog(RunListener):
    """Saves (block, offset) to history at every block start."""

    def __init__(self, history: History | Recorder, session_id: int | None) -> None:
        self.recorder = history if isinstance(history, Recorder) else Recorder(history, sys.stderr)
        self.session_id = session_id

    def on_block(self, block: int, offset: float, state: RunState) -> None:
        if self.session_id is not None:
            sid = self.session_id
            self.recorder.call(lambda h: h.progress(sid, block, offset))


class SignalStop:
    """SIGINT and SIGTERM stop the runner cleanly; before it runs they raise
    :class:`Interrupted`. Previous handlers come back on exit."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.runner: Runner | None = None
        #: Set once the run is over: later signals are ignored while closing up.
        self.done = False
        self._saved: dict[int, object] = {}

    def __enter__(self) -> SignalStop:
        try:
            for signum in self.SIGNALS:
                if signal.getsignal(signum) is not signal.SIG_IGN:  # e.g. nohup
                    self._saved[signum] = signal.signal(signum, self._handle)
        except ValueError:
            pass  # not the main thread: leave signals alone
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.done:
            return
        if self.runner is None:
            raise Interrupted(signum)
        self.runner.stop(signum)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def resume_start(history: History) -> Start:
    """The latest unfinished session, ready to continue at its block."""
    saved = history.unfinished()
    if saved is None:
        raise NothingToResume("nothing to resume: no unfinished workout in the history")
    try:
        if saved.plan_toml:
            plan = loads_plan(saved.plan_toml, f"saved plan {saved.plan_name[:40]!r}")
        else:
            plan = load_plan(saved.plan_name)
    except PlanError as err:
        raise NothingToResume(f"{err}; it cannot be resumed, start a new workout instead") from None
    return Start(plan, saved.block, saved.id)


def where(block: Block) -> str:
    """``"lunges, set 2 of 3"``, ``"the rest before squats, set 2 of 2"``, ``"the warm-up"``."""
    names = load_exercises()
    name = names[block.exercise_id].name.lower() if block.exercise_id in names else ""
    set_words = f"{name}, set {block.set_no} of {block.sets}"
    if block.kind == "set":
        return set_words
    if block.kind == "rest":
        return f"the rest before {set_words}"
    if block.kind in ("warmup", "cooldown"):
        label = "the warm-up" if block.kind == "warmup" else "the cool-down"
        return f"{label}, {name}" if name else label
    return "the finish"


def welcome(block: Block) -> Narration:
    return Narration.of(f"Welcome back. Resuming at {where(block)}.")


def prepare_timeline(plan: Plan, speaker: PreparingSpeaker, out: IO[str]) -> Timeline:
    """Render every cue, then recompile with the measured lengths (no overlaps)."""
    estimated = compile_plan(plan)
    if isinstance(speaker, MuteSpeaker):
        return estimated
    out.write("Preparing voice...\n")
    out.flush()
    speaker.prepare(c.narration for c in estimated.cues)
    timeline = compile_plan(plan, speaker.seconds)
    speaker.prepare(c.narration for c in timeline.cues)  # cached: only new ones render
    return timeline


def _stdin_fd() -> int | None:
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return fd if sys.stdin.isatty() else None


def _attach_keys(stack: ExitStack, waker: Waker, runner: Runner) -> None:
    fd = _stdin_fd()
    if fd is None:
        return
    keyboard = stack.enter_context(Keyboard(fd, runner.post))  # type: ignore[arg-type]

    def on_readable() -> None:
        keyboard.read()
        if keyboard.closed:
            waker.unwatch(fd)

    waker.watch(fd, on_readable)
    stack.callback(waker.unwatch, fd)


def play(timeline: Timeline, speaker: PreparingSpeaker, start: Start, options: RunOptions,
         listeners: list[RunListener], stopper: SignalStop, out: IO[str]) -> RunResult:
    """Run the timeline with a live panel (terminal) or plain lines, keys and signals.
    Listeners are called in order, the display between the first and the rest."""
    blocks = timeline.blocks
    intro = welcome(blocks[start.block]) if start.session_id is not None and blocks else None
    intro_seconds = 0.0
    if intro is not None:
        speaker.prepare([intro])
        intro_seconds = speaker.seconds(intro) or intro.estimated_seconds()
    with ExitStack() as stack:
        waker = Waker()
        stack.callback(waker.close)
        live = not options.plain and out.isatty()
        display: RunListener
        if live:
            display = stack.enter_context(LiveDisplay(timeline, Console(file=out)))
        else:
            display = PlainDisplay(out)
        runner = Runner(timeline, speaker, time.monotonic, waker.wait, speed=options.speed,
                        start_block=start.block, intro=intro, intro_seconds=intro_seconds,
                        listeners=[*listeners[:1], display, *listeners[1:]],
                        tick=TICK if live else None, wake=waker.wake)
        _attach_keys(stack, waker, runner)
        stopper.runner = runner
        try:
            return runner.run()
        finally:
            stopper.done = True


@contextmanager
def _event_log(path: Path | None) -> Iterator[EventLog | None]:
    if path is None:
        yield None
        return
    with open(path, "w", encoding="utf-8") as stream:
        yield EventLog(stream)


def run_workout(start: Start, options: RunOptions, history: History | None,
                out: IO[str] | None = None, err: IO[str] | None = None,
                problem: str | None = None) -> int:
    """The whole ``run`` command after argument checks; returns the exit status.
    ``out`` and ``err`` default to the current sys.stdout and sys.stderr. With
    no ``history`` (``problem`` says why) the workout runs unrecorded."""
    out = out or sys.stdout
    err = err or sys.stderr
    speaker = make_speaker(options.voice, mute=options.mute)
    session_id = start.session_id
    try:
        with SignalStop() as stopper, _event_log(options.events) as events:
            timeline = prepare_timeline(start.plan, speaker, out)
            block = start.block if start.block < len(timeline.blocks) else 0
            recorder = Recorder(history, err, problem)
            session_id = _open_session(recorder, start, demo=options.demo)
            listeners: list[RunListener] = [events] if events else []
            listeners.append(ProgressLog(recorder, session_id))
            result = play(timeline, speaker, Start(start.plan, block, start.session_id),
                          options, listeners, stopper, out)
            return _close_session(recorder, session_id, timeline, result, out, err,
                                  demo=options.demo)
    except Interrupted as stop:
        if session_id is None:
            err.write("Stopped before the workout began.\n")
        else:
            err.write(f"Stopped. Progress saved; continue with: {resume_hint()}\n")
        return 128 + stop.signum
    finally:
        speaker.close()


def _open_session(recorder: Recorder, start: Start, demo: bool = False) -> int | None:
    if start.session_id is not None:
        sid = start.session_id
        recorder.call(lambda h: h.resume(sid, demo=demo))
        return None if recorder.failed else sid
    plan = start.plan
    return recorder.call(lambda h: h.start(plan.name, plan_toml=plan.to_toml(), demo=demo))


def _close_session(recorder: Recorder, session_id: int | None, timeline: Timeline, result: RunResult,
                   out: IO[str], err: IO[str], demo: bool = False) -> int:
    saved = session_id is not None and not recorder.failed
    if result.status == "finished":
        count = None
        if session_id is not None:
            recorder.call(lambda h: h.finish(session_id))
            count = recorder.call(lambda h: h.week_count(h.clock().astimezone(local_zone())))
        done = "Workout complete (a demo at another speed: not counted)." if demo else "Workout complete."
        out.write(f"{done} {week_line(count)}\n" if count is not None else f"{done}\n")
        return 0
    if session_id is not None:
        recorder.call(lambda h: h.progress(session_id, result.block, result.offset))
        recorder.call(lambda h: h.quit(session_id))
    saved = saved and not recorder.failed
    at = where(timeline.blocks[result.block]) if timeline.blocks else "the start"
    line = f"Stopped at {at}. Progress saved; continue with: {resume_hint()}\n" if saved \
        else f"Stopped at {at}. Progress was not saved.\n"
    if result.status == "quit":
        out.write(line)
        return 0
    err.write(line)
    return 128 + (result.signal or signal.SIGINT)


def week_line(count: int) -> str:
    return f"This week: {count} of {WEEKLY_GOAL} leg sessions."
