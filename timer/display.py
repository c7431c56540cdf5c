"""The runner's terminal side: plain lines or a live panel, keys, and waiting.

:func:`view` turns a timeline and a run state into a :class:`View` (pure, so
tests can check it); :class:`LiveDisplay` draws it with rich and redraws only
when something visible changed; :class:`PlainDisplay` prints one line per cue.
:class:`Keyboard` reads single keys in cbreak mode and always restores the
terminal; :class:`Waker` is the runner's sleep, woken early by keys,
signals and commands, with no polling thread.
"""

from __future__ import annotations

import math
import os
import select
import termios
import textwrap
import tty
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from rich.console import Console, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from timer.exercises import load_exercises
from timer.run_events import CueEvent, RunListener, RunState
from timer.timeline import Block, Timeline

#: select() may wake up to 0.1% of its timeout late (Linux timer slack for
#: poll/select); waits are cut by this fraction and the runner sleeps the rest.
SELECT_SLACK = 0.002
#: Key -> runner command.
KEYS: dict[str, str] = {" ": "toggle", "p": "toggle", "n": "next", "b": "back", "r": "restart",
                        "+": "more", "=": "more", "s": "skip", "q": "quit"}
HELP = "space pause  n next set  b back  r restart set  + 10 s rest  s skip rest  q quit"

_BIG: dict[str, tuple[str, str, str]] = {
    "0": ("█▀█", "█ █", "▀▀▀"),
    "1": ("▀█ ", " █ ", "▀▀▀"),
    "2": ("▀▀█", "█▀▀", "▀▀▀"),
    "3": ("▀▀█", " ▀█", "▀▀▀"),
    "4": ("█ █", "▀▀█", "  ▀"),
    "5": ("█▀▀", "▀▀█", "▀▀▀"),
    "6": ("█▀▀", "█▀█", "▀▀▀"),
    "7": ("▀▀█", "  █", "  ▀"),
    "8": ("█▀█", "█▀█", "▀▀▀"),
    "9": ("█▀█", "▀▀█", "▀▀▀"),
    ":": (" ", "▀", "▀"),
}


def clock_text(seconds: float, *, zero: bool = False) -> str:
    """``75 -> "1:15"``; with ``zero=True`` minutes are padded: ``"01:15"``."""
    whole = max(int(seconds + 1e-9), 0)
    minutes, secs = divmod(whole, 60)
    return f"{minutes:02d}:{secs:02d}" if zero else f"{minutes}:{secs:02d}"


def big_digits(text: str) -> str:
    """Three lines of block characters spelling ``text`` (digits and ':')."""
    glyphs = [_BIG[ch] for ch in text if ch in _BIG]
    return "\n".join(" ".join(g[row] for g in glyphs) for row in range(3))


_HEADINGS = {"warmup": "Warm-up", "rest": "Rest", "cooldown": "Cool-down", "finish": "Done"}


def _name(block: Block) -> str:
    exercises = load_exercises()
    return exercises[block.exercise_id].name if block.exercise_id in exercises else ""


def headings(block: Block) -> tuple[str, str]:
    """(title, subtitle): ``("Squats", "Set 1 of 3")``, ``("Rest", "then lunges, set 2 of 3")``."""
    name = _name(block)
    if block.kind == "set":
        return name, f"Set {block.set_no} of {block.sets}"
    if block.kind == "rest":
        return "Rest", f"then {name.lower()}, set {block.set_no} of {block.sets}"
    return _HEADINGS.get(block.kind, block.kind.capitalize()), name


@dataclass(frozen=True)
class View:
    title: str
    subtitle: str
    countdown: int
    reps: str
    set_progress: float
    session_progress: float
    elapsed: str
    next_up: str
    cue: str
    paused: bool


def view(timeline: Timeline, state: RunState) -> View:
    """What the screen shows for ``state`` (progress quantised to 1%)."""
    blocks = timeline.blocks
    block = blocks[state.block] if blocks else None
    position = max(state.position, 0.0)
    start, end = (block.start, block.end) if block else (0.0, timeline.length)
    title, subtitle = headings(block) if block else ("Workout", "")
    following = blocks[state.block + 1] if block and state.block + 1 < len(blocks) else None
    return View(
        title=title,
        subtitle=subtitle,
        countdown=max(math.ceil(end - position - 1e-9), 0),
        reps=rep_text(timeline, state),
        set_progress=round(min(max((position - start) / max(end - start, 1e-9), 0.0), 1.0), 2),
        session_progress=round(min(position / max(timeline.length, 1e-9), 1.0), 2),
        elapsed=f"{clock_text(position)} / {clock_text(timeline.length)}",
        next_up=following.title if following else "Finish",
        cue=state.cue.text if state.cue else "",
        paused=state.paused,
    )


def rep_text(timeline: Timeline, state: RunState) -> str:
    """``"Rep 5 of 12"`` from the rep cues of the current block (alternating
    sides: ``"Rep 3 of 6 each leg"``), else ``""``."""
    if not timeline.blocks:
        return ""
    reps = [c.offset for c in timeline.cues_in_block(state.block) if c.kind == "rep"]
    if not reps:
        return ""
    done = sum(1 for offset in reps if offset <= state.position + 1e-9)
    if timeline.blocks[state.block].sides == "alternate":
        return f"Rep {(done + 1) // 2} of {len(reps) // 2} each leg"
    return f"Rep {done} of {len(reps)}"


#: Width of the label column and the grid's padding: the values get the rest.
_LABEL = 9
#: Lines the full panel needs besides the keys: borders, title, subtitle,
#: big digits (3), reps, set, session, elapsed, next, coach.
_FULL_LINES = 14


def key_lines(width: int) -> list[str]:
    """The keys (:data:`HELP`), packed into lines that fit the panel's value
    column; a key and its words are never split."""
    room = max(width - 6 - _LABEL, 12)
    lines: list[str] = []
    for group in HELP.split("  "):
        if lines and len(lines[-1]) + 2 + len(group) <= room:
            lines[-1] += "  " + group
        else:
            lines.append(group)
    return lines


def render(v: View, width: int = 72, height: int | None = None) -> RenderableType:
    """The live panel for ``v``, ``width`` columns wide. On a terminal of
    ``height`` lines too short for the whole panel a compact one is drawn:
    the keys always stay in view; the big digits, bars and tip go first."""
    keys = key_lines(width)
    compact = height is not None and height - 1 < _FULL_LINES + len(keys)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="dim", width=_LABEL - 2)
    grid.add_column()
    style = "yellow" if v.paused else "bold green" if v.countdown > 3 else "bold red"
    label = Text("PAUSED", style="bold yellow") if v.paused else Text("left")
    count = clock_text(v.countdown) if v.countdown >= 60 else str(v.countdown)
    if compact:
        grid.add_row("", Text.assemble((v.title, "bold"), "  ", v.subtitle, no_wrap=True, overflow="ellipsis"))
        grid.add_row(label, Text(count, style=style))
        room = (height or 0) - 1 - 4 - len(keys)  # borders, title, countdown, the keys
        optional = [("reps", Text(v.reps or "-")), ("next", Text(v.next_up, no_wrap=True, overflow="ellipsis")),
                    ("coach", Text(v.cue, style="italic cyan", no_wrap=True, overflow="ellipsis"))]
        for name, value in optional[:max(room, 0)]:
            grid.add_row(name, value)
    else:
        grid.add_row("", Text(v.title, style="bold"))
        grid.add_row("", Text(v.subtitle))
        grid.add_row(label, Text(big_digits(count), style=style))
        grid.add_row("reps", Text(v.reps or "-"))
        bar = max(width - 15, 10)
        grid.add_row("set", ProgressBar(total=1.0, completed=v.set_progress, width=bar))
        grid.add_row("session", ProgressBar(total=1.0, completed=v.session_progress, width=bar))
        grid.add_row("", Text(v.elapsed, style="dim"))
        grid.add_row("next", Text(v.next_up))
        grid.add_row("coach", Text(v.cue, style="italic cyan"))
    grid.add_row("keys", Text("\n".join(keys), style="bold"))
    return Panel(grid, title="Leg Coach", border_style="blue", width=width)


class LiveDisplay(RunListener):
    """A rich live panel, redrawn on cues, controls and ticks when it changed."""

    def __init__(self, timeline: Timeline, console: Console) -> None:
        self.timeline = timeline
        self.console = console
        self._live = Live(console=console, auto_refresh=False, transient=False,
                          redirect_stdout=False, redirect_stderr=False)
        self._shown: View | None = None

    def __enter__(self) -> LiveDisplay:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def _draw(self, state: RunState) -> None:
        v = view(self.timeline, state)
        if v != self._shown:
            self._shown = v
            self._live.update(render(v, min(72, self.console.width), self.console.height), refresh=True)

    def on_cue(self, event: CueEvent, state: RunState) -> None:
        self._draw(state)

    def on_block(self, block: int, offset: float, state: RunState) -> None:
        self._draw(state)

    def on_control(self, command: str, state: RunState) -> None:
        self._draw(state)

    def on_tick(self, state: RunState) -> None:
        self._draw(state)


_CONTROL_WORDS = {"more": "10 more seconds", "skip": "Rest skipped", "restart": "Set restarted"}


class PlainDisplay(RunListener):
    """One line per cue: ``"00:12  Squats. Set 1 of 3. 12 reps."``."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def on_cue(self, event: CueEvent, state: RunState) -> None:
        self.out.write(f"{clock_text(event.planned, zero=True)}  {event.text}\n")
        self.out.flush()

    def on_control(self, command: str, state: RunState) -> None:
        if command in ("pause", "resume", "toggle"):
            word = "Paused" if state.paused else "Resumed"
        else:
            word = _CONTROL_WORDS.get(command, "")
        if word:
            self.out.write(f"{clock_text(state.position, zero=True)}  [{word}]\n")
            self.out.flush()


class Keyboard:
    """Single keys from a terminal in cbreak mode, restored on exit.

    ``attach(watch)`` registers the terminal with a waiter (e.g.
    :meth:`Waker.watch`), so keys are read when they arrive,
    with no polling thread.
    """

    def __init__(self, fd: int, on_command: Callable[[str], None]) -> None:
        self.fd = fd
        self.on_command = on_command
        self._saved: list | None = None  # type: ignore[type-arg]
        self.closed = False

    def __enter__(self) -> Keyboard:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self) -> None:
        """Read what is waiting and turn known keys into commands."""
        try:
            data = os.read(self.fd, 64)
        except (BlockingIOError, InterruptedError):
            return
        if not data:
            self.closed = True  # end of input: the caller should stop watching
            return
        for ch in data.decode("utf-8", errors="ignore").lower():
            command = KEYS.get(ch)
            if command:
                self.on_command(command)


class Waker:
    """A sleep that returns early when woken, a signal arrives or a watched fd is readable.

    ``wait(seconds)`` is a drop-in for ``time.sleep``; ``wake()`` writes one
    byte to a pipe, which is safe from signal handlers and other threads.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._watched: dict[int, Callable[[], None]] = {}

    def watch(self, fd: int, on_readable: Callable[[], None]) -> None:
        self._watched[fd] = on_readable

    def unwatch(self, fd: int) -> None:
        self._watched.pop(fd, None)

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``; may return early (the caller re-checks its deadline)."""
        fds = [self._read, *self._watched]
        timeout = max(seconds, 0.0)
        if timeout > 0.01:
            timeout -= timeout * SELECT_SLACK
        # poll, not select: select fails on descriptors numbered 1024 and above
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        readable = [fd for fd, _ in poller.poll(int(timeout * 1000))]  # early, never late
        for fd in readable:
            if fd == self._read:
                self._drain()
            else:
                self._watched[fd]()

    def wake(self) -> None:
        try:
            os.write(self._write, b"x")
        except (BlockingIOError, OSError):
            pass  # the pipe is full or closed: a wake-up is already pending

    def _drain(self) -> None:
        try:
            while os.read(self._read, 512):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        for fd in (self._read, self._write):
            try:
                os.close(fd)
            except OSError:
                pass
