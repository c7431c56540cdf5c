"""The real-time runner: fires every cue at session start + offset.

The runner never chains sleeps. It keeps one *origin* on the monotonic clock
(the real time at which plan time 0 happened) and sleeps until
``origin + offset / speed`` for each cue, so timing errors never add up.
Pausing and skipping only move the origin. Clock, sleep and speaker are
injected: tests drive a fake clock, the CLI a :class:`timer.display.Waker`
that also wakes for key presses and signals. What the runner reports to its
listeners, and its result, are the values in :mod:`timer.run_events`.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Sequence
from typing import Literal

from speech.model import Narration, Speaker
from timer.run_events import CueEvent, RunListener, RunResult, RunState, Status
from timer.timeline import Cue, Timeline

Command = Literal["pause", "resume", "toggle", "next", "back", "restart", "more", "skip", "quit"]

#: A press of "back" this soon (real seconds) after a set began goes to the set before.
BACK_GRACE = 2.0
#: Seconds "more" adds to the rest under way.
REST_MORE = 10.0
#: Longest wait while paused when no waker can interrupt the sleep.
PAUSED_WAIT = 0.5
#: No display tick this close (real seconds) before a cue: a redraw could make it late.
TICK_GUARD = 0.03


class Runner:
    """Plays a :class:`Timeline` in real time (``speed`` plan seconds per second)."""

    def __init__(
        self,
        timeline: Timeline,
        speaker: Speaker,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        *,
        speed: float = 1.0,
        start_block: int = 0,
        intro: Narration | None = None,
        intro_seconds: float = 0.0,
        listeners: Sequence[RunListener] = (),
        tick: float | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        if timeline.blocks and not 0 <= start_block < len(timeline.blocks):
            raise ValueError(f"no block {start_block} in this timeline")
        self.timeline = timeline
        self.speaker = speaker
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._wake = wake
        self._tick = tick
        self._listeners = tuple(listeners)
        self._offsets = [c.offset for c in timeline.cues]
        self._starts = [b.start for b in timeline.blocks]
        self._start_block = start_block
        self._intro = intro
        self._intro_seconds = intro_seconds if intro else 0.0
        self._commands: deque[tuple[str, int | None]] = deque()
        self._origin = 0.0
        self._next = 0
        self._block = -1
        self._floor = start_block
        self._block_real = 0.0
        self._next_tick = 0.0
        self._paused_at: float | None = None
        self._last: Cue | None = None
        self._status: Status | None = None
        self._signal: int | None = None

    # -- controls (safe to call from signal handlers and key callbacks) --

    def post(self, command: Command) -> None:
        self._commands.append((command, None))
        if self._wake:
            self._wake()

    def pause(self) -> None:
        self.post("pause")

    def resume(self) -> None:
        self.post("resume")

    def toggle(self) -> None:
        self.post("toggle")

    def next(self) -> None:
        self.post("next")

    def back(self) -> None:
        self.post("back")

    def restart(self) -> None:
        """Go to the start of this set (in a rest: the set just done)."""
        self.post("restart")

    def more(self) -> None:
        """Ten more seconds of the rest under way (nothing outside a rest)."""
        self.post("more")

    def skip(self) -> None:
        """End the rest under way: the next set starts now (nothing outside a rest)."""
        self.post("skip")

    def quit(self) -> None:
        self.post("quit")

    def stop(self, signum: int) -> None:
        """Stop because of a signal (the result carries its number)."""
        self._commands.append(("stop", signum))
        if self._wake:
            self._wake()

    # -- state --

    @property
    def position(self) -> float:
        """Plan seconds since the session start (frozen while paused)."""
        now = self._paused_at if self._paused_at is not None else self._clock()
        return (now - self._origin) * self.speed

    def state(self) -> RunState:
        block = max(self._block, 0)
        return RunState(self.position, block, self._paused_at is not None, self._last, self.speed)

    # -- the loop --

    def run(self) -> RunResult:
        blocks = self.timeline.blocks
        first = blocks[self._start_block].start if blocks else 0.0
        self._set_position(first - self._intro_seconds)
        self._next = bisect_left(self._offsets, first)
        if self._intro:
            planned = first - self._intro_seconds
            intro = Cue(planned, "intro", self._intro, self._intro_seconds, self._start_block)
            self._fire(intro, self._clock())
        while self._status is None:
            self._apply_commands()
            if self._status is not None:
                break
            if self._paused_at is not None:
                self._sleep(self._tick or PAUSED_WAIT)
                self._maybe_tick(self._clock())
                continue
            self._step()
        return RunResult(self._status, max(self._block, 0), self.position, self._signal)

    def _step(self) -> None:
        now = self._clock()
        fired = False
        while self._next < len(self._offsets) and now >= self._deadline(self._offsets[self._next]):
            self._fire(self.timeline.cues[self._next], now)
            self._next += 1
            fired = True
            now = self._clock()
        self._track_block()
        if fired:
            return  # fire what came due meanwhile before any other work
        if self._next >= len(self._offsets) and now >= self._deadline(self.timeline.length):
            self._status = "finished"
            return
        self._maybe_tick(now)
        now = self._clock()  # a tick may have taken a while
        wait = self._next_deadline() - now
        if self._tick is not None:
            wait = min(wait, self._next_tick - now)
        if wait > 0:
            self._sleep(wait)

    def _deadline(self, offset: float) -> float:
        return self._origin + offset / self.speed

    def _next_deadline(self) -> float:
        offset = self.timeline.length
        if self._next < len(self._offsets):
            offset = min(offset, self._offsets[self._next])
        following = self._block + 1
        if following < len(self._starts):
            offset = min(offset, self._starts[following])
        return self._deadline(offset)

    def _fire(self, cue: Cue, now: float) -> None:
        self.speaker.speak(cue.narration)
        self._last = cue
        self._notify("on_cue", CueEvent(cue.offset, (now - self._origin) * self.speed, cue.text,
                                        cue.kind, cue.block))

    def _notify(self, hook: str, *args: object) -> None:
        state = self.state()
        for listener in self._listeners:
            getattr(listener, hook)(*args, state)

    def _track_block(self) -> None:
        """Report a block start once its deadline has passed (same test as for cues)."""
        if not self._starts:
            return
        now = self._paused_at if self._paused_at is not None else self._clock()
        found = bisect_right(self._starts, (now - self._origin) * self.speed) - 1
        while found + 1 < len(self._starts) and now >= self._deadline(self._starts[found + 1]):
            found += 1
        while found >= 0 and now < self._deadline(self._starts[found]):
            found -= 1
        found = max(found, self._floor, 0)
        if found != self._block:
            self._block = found
            self._block_real = self._clock()
            self._notify("on_block", found, self._starts[found])

    def _maybe_tick(self, now: float) -> None:
        if self._tick is None or now < self._next_tick:
            return
        if self._paused_at is None and self._next_deadline() - now < TICK_GUARD:
            self._next_tick = self._next_deadline()  # redraw after the cue, never before it
            return
        self._next_tick = now + self._tick
        self._notify("on_tick")

    def _set_position(self, position: float) -> None:
        now = self._clock()
        self._origin = now - position / self.speed
        if self._paused_at is not None:
            self._paused_at = now
        self._next_tick = now

    # -- commands --

    def _apply_commands(self) -> None:
        while self._commands:
            command, signum = self._commands.popleft()
            if command == "stop":
                self._status, self._signal = "stopped", signum
            elif command == "quit":
                self._status = "quit"
            else:
                self._control(command)
            self._notify("on_control", command)
            if self._status is not None:
                return

    def _control(self, command: str) -> None:
        paused = self._paused_at is not None
        if command == "toggle":
            command = "resume" if paused else "pause"
        if command == "pause" and not paused:
            self._paused_at = self._clock()
        elif command == "resume" and self._paused_at is not None:
            self._origin += self._clock() - self._paused_at
            self._paused_at = None
            self._next_tick = self._clock()
        elif command == "next":
            self._jump(self._next_target())
        elif command == "back":
            self._jump(self._back_target())
        elif command == "restart":
            self._jump(self._restart_target())
        elif command == "more" and self._in_rest():
            self._floor = self._block  # the rest goes on: never back into the set before it
            self._origin += REST_MORE / self.speed
        elif command == "skip" and self._in_rest():
            self._jump(self._block + 1)

    def _jump(self, block: int | None) -> None:
        """Move to the start of ``block`` (None: the end of the session)."""
        self._track_block()
        position = self.timeline.length if block is None else self._starts[block]
        self._set_position(position)
        self._next = bisect_left(self._offsets, position)
        self._floor = 0 if block is None else block
        self._block = -1  # report the block start again (progress, display)
        self._track_block()

    def _next_target(self) -> int | None:
        blocks = self.timeline.blocks
        later = range(self._block + 1, len(blocks))
        for i in later:
            if blocks[i].kind == "set":
                return i
        for i in later:
            if blocks[i].kind != "rest":
                return i
        return None

    def _in_rest(self) -> bool:
        blocks = self.timeline.blocks
        return 0 <= self._block < len(blocks) and blocks[self._block].kind == "rest"

    def _restart_target(self) -> int:
        sets = [i for i in range(self._block + 1) if self.timeline.blocks[i].kind == "set"]
        return sets[-1] if sets else max(self._block, 0)

    def _back_target(self) -> int:
        blocks = self.timeline.blocks
        if not blocks:
            return 0
        sets = [i for i in range(self._block + 1) if blocks[i].kind == "set"]
        if not sets:
            return max(self._block, 0)
        current = sets[-1]
        just_began = current == self._block and self._clock() - self._block_real < BACK_GRACE
        if just_began and len(sets) > 1:
            return sets[-2]
        return current
