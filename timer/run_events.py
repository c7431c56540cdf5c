"""What a run reports: fired cues, state snapshots, the result, and its listeners.

The :class:`~timer.runner.Runner` tells the world what happened through a
:class:`RunListener`'s hooks, each with a :class:`RunState` snapshot, and
ends with a :class:`RunResult`. These values are the whole contract between
the runner and what watches it (the terminal display, the event log, the
history recorder), so a watcher needs only this module, not the runner's loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from timer.timeline import Cue

Status = Literal["finished", "quit", "stopped"]


@dataclass(frozen=True)
class CueEvent:
    """One fired cue; times in plan seconds from the session start."""

    planned: float
    actual: float
    text: str
    kind: str
    block: int

    def to_json(self) -> dict[str, object]:
        return {
            "planned": round(self.planned, 6),
            "actual": round(self.actual, 6),
            "text": self.text,
            "kind": self.kind,
            "block": self.block,
        }


@dataclass(frozen=True)
class RunState:
    """A snapshot for displays: where the run is now."""

    position: float
    block: int
    paused: bool
    cue: Cue | None
    speed: float


@dataclass(frozen=True)
class RunResult:
    status: Status
    block: int
    offset: float
    signal: int | None = None


class RunListener:
    """Hooks called by the runner, all no-ops here; subclass what you need.

    Cues fire first; listeners run right after, so a slow listener can delay
    a later cue but never the one it is told about.
    """

    def on_cue(self, event: CueEvent, state: RunState) -> None: ...

    def on_block(self, block: int, offset: float, state: RunState) -> None: ...

    def on_control(self, command: str, state: RunState) -> None: ...

    def on_tick(self, state: RunState) -> None: ...

