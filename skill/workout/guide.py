"""The guided-session model: what the user asked for -> plan -> timeline -> turns.

A :class:`PlanSpec` ("beginner", "ten minutes", "just squats") rebuilds the
same :class:`~timer.plans.Plan` whenever it is needed; the timeline comes
from the timer's compiler with *estimated* speech lengths (no measured
durations), so the speaker keeps the plan's cues and tempo exactly as the
local timer does. A :class:`Guide` holds that timeline cut into voice turns
(:mod:`skill.workout.turns`) and answers questions about positions in it,
in the :class:`~skill.workout.turns.TurnWords` it was made with.
Pure: no SDK, no I/O.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache

from skill.workout.plan_spec import PlanSpec
from skill.workout.turns import (
    DEFAULT_TURN_SECONDS,
    EPS,
    FINISH_RESERVE,
    Piece,
    TurnWords,
    block_phrase,
    pieces_for,
    question_for,
    render_span,
)
from speech.model import Narration
from timer.compiler import Block, Timeline, compile_plan
from timer.plans import Plan

TURN_SECONDS_ENV = "LEGCOACH_TURN_SECONDS"
SOUNDS_ENV = "LEGCOACH_WORKOUT_SOUNDS"


def turn_seconds_from_env() -> float:
    """LEGCOACH_TURN_SECONDS (30 to 240), else 90 s."""
    raw = os.environ.get(TURN_SECONDS_ENV, "").strip()
    if not raw:
        return DEFAULT_TURN_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{TURN_SECONDS_ENV}={raw!r}: give a number of seconds") from None
    if not 30 <= value <= 240:
        raise ValueError(f"{TURN_SECONDS_ENV}={raw!r}: must be from 30 to 240 seconds")
    return value


def sounds_from_env() -> bool:
    """Sound-library clips (whistle, chime) in workout turns unless
    LEGCOACH_WORKOUT_SOUNDS is off, 0, no or false; without them the same
    time passes in silence."""
    return os.environ.get(SOUNDS_ENV, "on").strip().lower() not in ("off", "0", "no", "false")


@dataclass(frozen=True)
class Guide:
    """A plan's timeline and the pieces it is spoken in."""

    spec: PlanSpec
    plan: Plan
    timeline: Timeline
    pieces: tuple[Piece, ...]
    limit: float
    said: TurnWords
    sounds: bool = True

    @cached_property  # guides are cached (guide_for): hashing the plan's TOML once is enough
    def digest(self) -> str:
        """Same digest, same pieces: the plan's content and where it is cut
        (a new turn limit or a changed plan gives another digest)."""
        cuts = ",".join(f"{p.start:.3f}" for p in self.pieces)
        return hashlib.sha256(f"{self.plan.digest}|{cuts}".encode()).hexdigest()[:16]

    def block(self, index: int) -> Block:
        """The block running where piece ``index`` starts."""
        return self.timeline.block_at(self.pieces[index].start)

    def where(self, index: int) -> str:
        """Where piece ``index`` is: "lunges, set two of three"."""
        return block_phrase(self.block(index), self.said)

    def ask(self, index: int) -> Narration:
        """The question that leads into piece ``index``."""
        if index == 0:
            return question_for(self.timeline, self.block(0), self.said)
        question = self.pieces[index - 1].question
        return question if question is not None else Narration.of(self.said.ready)

    def group_first(self, group: int) -> int:
        return next(p.index for p in self.pieces if p.group == group)

    @property
    def groups(self) -> int:
        return self.pieces[-1].group + 1

    def resume_index(self, last: int, heard: float) -> int:
        """Where to carry on after piece ``last`` was heard for ``heard`` seconds
        (time after its lead-in): past it if every exercise block in it was
        heard to its end, else at the piece where the unfinished block starts."""
        piece = self.pieces[last]
        heard_until = piece.start + max(0.0, heard - piece.lead)
        for blk in self.timeline.blocks:
            if blk.end <= piece.start + EPS or blk.start >= piece.end - EPS or blk.kind in ("rest", "finish"):
                continue
            if blk.end > heard_until + HEARD_TOLERANCE:
                return self.piece_at(blk.start)
        return last + 1

    def piece_at(self, offset: float) -> int:
        return max(p.index for p in self.pieces if p.start <= offset + EPS)

    def sets_from(self, index: int) -> list[Block]:
        """Set blocks not yet started when piece ``index`` begins."""
        start = self.pieces[index].start
        return [b for b in self.timeline.set_blocks() if b.start >= start - EPS]

    def finale(self) -> Narration:
        """The finish block alone (after skipping to the end)."""
        last = self.timeline.blocks[-1]
        return render_span(self.timeline, last.start, last.end, sounds=self.sounds)

    def compose(self, prefix: Narration, index: int) -> Narration | None:
        """``prefix``, piece ``index`` and its question if they fit, else None.
        The final piece keeps :data:`FINISH_RESERVE` free for a closing line."""
        piece = self.pieces[index]
        speech = Narration.of(prefix, piece.narration, piece.question or Narration())
        tail = FINISH_RESERVE if piece.question is None else 0.0
        return speech if speech.estimated_seconds() + tail <= self.limit + EPS else None


#: Seconds of slack when judging whether a block was heard to its end.
HEARD_TOLERANCE = 2.0


@lru_cache(maxsize=64)
def guide_for(spec: PlanSpec, said: TurnWords, limit: float = DEFAULT_TURN_SECONDS,
              sounds: bool = True) -> Guide:
    """The guide for ``spec`` saying ``said`` (cached: plans are data, so the
    same spec gives the same guide)."""
    plan = spec.plan()
    timeline = compile_plan(plan)
    return Guide(spec, plan, timeline, pieces_for(timeline, said, limit, sounds), limit, said, sounds)

