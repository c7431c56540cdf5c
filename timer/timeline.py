"""A session as data: timed cues, grouped into blocks.

A :class:`Timeline` is what :func:`timer.compiler.compile_plan` produces and
what everything downstream reads: the runner plays it, the display shows
where a run is in it, the skill hands it out a turn at a time. Every
:class:`Cue` has a planned offset in seconds from the session start and
belongs to a :class:`Block` (a warm-up move, a set, a rest, a cool-down move,
the finish); blocks tile ``[0, length]`` without gaps. Plain values, no
clock and no I/O: playing or showing a timeline needs nothing of the compiler.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from speech.model import Narration


@dataclass(frozen=True)
class Cue:
    """One thing said at ``offset`` seconds, lasting ``seconds``."""

    offset: float
    kind: str
    narration: Narration
    seconds: float
    block: int

    @property
    def text(self) -> str:
        return self.narration.text

    @property
    def end(self) -> float:
        return self.offset + self.seconds


@dataclass(frozen=True)
class Block:
    """A stretch of the session: a warm-up or cool-down move, a set, a rest or
    the finish. For a rest, ``exercise_id``/``set_no`` name the set that follows."""

    index: int
    kind: str
    start: float
    end: float
    title: str
    exercise_id: str | None = None
    set_no: int | None = None
    sets: int | None = None
    reps: int = 0                 # reps counted aloud in this block
    seconds: float | None = None  # work time of a timed set, per side
    sides: str | None = None      # "alternate" or "each" for a set of a one-sided exercise

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    """All cues of a session, ordered by offset, and the blocks they belong to."""

    cues: tuple[Cue, ...]
    length: float
    blocks: tuple[Block, ...]
    title: str = ""
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(b.start for b in self.blocks))

    def block_at(self, offset: float) -> Block:
        """The block running at ``offset`` (the last block at or past the end)."""
        i = bisect.bisect_right(self._starts, max(offset, 0.0)) - 1
        return self.blocks[max(i, 0)]

    def cues_in_block(self, index: int) -> tuple[Cue, ...]:
        lo = bisect.bisect_left(self.cues, index, key=lambda c: c.block)
        hi = bisect.bisect_right(self.cues, index, key=lambda c: c.block)
        return self.cues[lo:hi]

    def first_cue_at(self, offset: float) -> int:
        """Index of the first cue starting at or after ``offset`` (for resuming)."""
        return bisect.bisect_left(self.cues, offset, key=lambda c: c.offset)

    def set_blocks(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "set")

    @property
    def total_reps(self) -> int:
        return sum(b.reps for b in self.blocks)

    @property
    def total_sets(self) -> int:
        return len(self.set_blocks())

    def turns(self) -> tuple[tuple[int, ...], ...]:
        """Block indexes grouped for turn-by-turn voice sessions: the whole
        warm-up, then each set with the rest after it, then the cool-down; the
        finish joins the last group."""
        groups: list[list[int]] = []
        for b in self.blocks:
            prev = self.blocks[b.index - 1].kind if b.index else None
            joins = b.kind == "finish" or (b.kind == prev and b.kind in ("warmup", "cooldown")) or (
                b.kind == "rest" and prev == "set")
            if joins and groups:
                groups[-1].append(b.index)
            else:
                groups.append([b.index])
        return tuple(tuple(g) for g in groups)

    def to_json(self) -> list[dict[str, Any]]:
        """``[{"offset", "text", "kind"}, ...]``, one per cue, JSON-ready."""
        return [{"offset": round(c.offset, 3), "text": c.text, "kind": c.kind} for c in self.cues]

