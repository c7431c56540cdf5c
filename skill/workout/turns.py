"""A compiled timeline cut into voice turns: each one fits one Alexa response.

The cues are said as words and the time between them as pauses (``gap =
next cue offset - (cue offset + cue seconds)``, counted from absolute
offsets so rounding never drifts), so rep counts and countdowns keep the
plan's tempo on the speaker. Each :class:`Piece` ends with a short question
("Ready for lunges, set two of three?").

Pieces never cross the groups of :meth:`timer.compiler.Timeline.turns` (the
warm-up, each set with its rest, the cool-down with the finish). A group too
long for one response (``limit`` seconds, question included) is cut at a
block boundary if that keeps at least half a response, else at a cue or in a
long silence; a piece that starts inside a block opens with "Keep going,
thirty seconds left." or "Still resting, ...". Pure: no SDK, no I/O.

The words around the cues are the workout's (skill/core/prompts.toml,
``[workout]``), handed in as one :class:`TurnWords`: this module sits below
the content loader and imports nothing of the skill.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Protocol

from speech.model import Narration, Part, Pause, Sound
from timer.compiler import Block, Timeline
from timer.exercises import get_exercise, number_words

DEFAULT_TURN_SECONDS = 90.0
#: Seconds kept free at the end of the final piece for the weekly-progress line.
FINISH_RESERVE = 8.0
EPS = 1e-6
MIN_PAUSE = 0.05


class Texts(Protocol):
    """Texts by name (:class:`skill.core.prompts.Prompts` is one)."""

    def __getitem__(self, name: str, /) -> str: ...


@dataclass(frozen=True)
class TurnWords:
    """What the pieces say around the cues, each a text with ``{placeholders}``."""

    still_resting: str       # "Still resting, {left}."
    keep_going_left: str     # "Keep going, {left}."
    keep_going: str          # "Keep going."
    rest_of_break: str       # "Say next for the rest of your break."
    next_to_keep_going: str  # "Say next to keep going."
    ready_for: str           # "Ready for {where}?"
    ready_for_rest: str      # "Nice work. Say next for your {number} second rest."
    ready_to_finish: str     # "Ready to finish?"
    ready_to_cool_down: str  # "Ready to cool down?"
    ready_to_warm_up: str    # "Ready to warm up?"
    ready_for_the: str       # "Ready for the {exercise}?"
    ready: str               # "Ready?"
    minutes_left: str        # "{number} minutes left"
    seconds_left: str        # "{number} seconds left"
    set_of: str              # "{exercise}, set {number} of {sets}"
    the_warm_up: str         # "the warm-up"
    the_cool_down: str       # "the cool-down"
    the_finish: str          # "the finish"

    @classmethod
    def of(cls, table: Texts) -> TurnWords:
        """The texts named after the fields, from ``table`` (the workout's words)."""
        return cls(**{f.name: table[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Piece:
    """One response's share of the timeline: ``[start, end)`` seconds."""

    index: int
    group: int
    start: float
    end: float
    narration: Narration        # continuation line, cues and pauses
    question: Narration | None  # asked after it; None: the workout ends here
    lead: float = 0.0           # seconds of the continuation line it opens with

    @property
    def seconds(self) -> float:
        return self.narration.estimated_seconds()


def words(n: float) -> str:
    return number_words(int(round(n)))


def time_left(seconds: float, said: TurnWords) -> str:
    """ "thirty seconds left" (to the next 5 s), or "nine minutes left"."""
    if seconds >= 120:
        return said.minutes_left.format(number=words(seconds / 60))
    return said.seconds_left.format(number=words(max(5, 5 * math.ceil((seconds - 1) / 5))))


def set_phrase(block: Block, said: TurnWords) -> str:
    """ "lunges, set two of three" for a set or the rest before it."""
    name = get_exercise(block.exercise_id or "").name.lower()
    if block.sets is None or block.set_no is None or block.sets == 1:
        return name
    return said.set_of.format(exercise=name, number=words(block.set_no), sets=words(block.sets))


def block_phrase(block: Block, said: TurnWords) -> str:
    """How a block is named when saying where someone is."""
    if block.kind in ("set", "rest"):
        return set_phrase(block, said)
    if block.kind == "warmup":
        return said.the_warm_up
    if block.kind == "cooldown":
        return said.the_cool_down
    return said.the_finish


def _without_sounds(n: Narration) -> Narration:
    return Narration(tuple(Pause(p.seconds) if isinstance(p, Sound) else p for p in n.parts))


def render_span(timeline: Timeline, a: float, b: float, lead: Narration = Narration(),
                sounds: bool = True) -> Narration:
    """The cues starting in ``[a, b)`` with the silences between them (and up
    to ``b``) as pauses; ``lead`` is said first, at ``a``."""
    parts: list[Part | Narration] = [lead]
    cursor = a + lead.estimated_seconds()
    for cue in timeline.cues[timeline.first_cue_at(a - EPS):]:
        if cue.offset >= b - EPS:
            break
        gap = round(cue.offset - cursor, 3)  # from the absolute offset: no drift
        if gap >= MIN_PAUSE:
            parts.append(Pause(gap))
            cursor += gap
        parts.append(cue.narration if sounds else _without_sounds(cue.narration))
        cursor += cue.seconds
    if round(b - cursor, 3) >= MIN_PAUSE:
        parts.append(Pause(round(b - cursor, 3)))
    return Narration.of(*parts)


def _groups(timeline: Timeline) -> list[tuple[float, float]]:
    """(start, end) of each turn group; a finish alone joins the group before."""
    groups = [list(g) for g in timeline.turns()]
    if len(groups) > 1 and [timeline.blocks[i].kind for i in groups[-1]] == ["finish"]:
        groups[-2].extend(groups.pop())
    return [(timeline.blocks[g[0]].start, timeline.blocks[g[-1]].end) for g in groups]


class _Cutter:
    """Cuts one timeline into pieces that fit ``limit`` seconds."""

    def __init__(self, timeline: Timeline, said: TurnWords, limit: float, sounds: bool) -> None:
        self.t, self.said, self.limit, self.sounds = timeline, said, limit, sounds

    def lead(self, a: float) -> Narration:
        """What a piece starting at ``a`` inside a block says first."""
        block = self.t.block_at(a)
        if a - block.start < EPS:
            return Narration()
        left = time_left(block.end - a, self.said)
        if block.kind == "rest":
            return Narration.of(self.said.still_resting.format(left=left))
        switch_ahead = any(c.kind == "switch" and c.offset >= a for c in self.t.cues_in_block(block.index))
        timed = block.kind != "set" or block.seconds is not None
        if timed and not switch_ahead:
            return Narration.of(self.said.keep_going_left.format(left=left))
        return Narration.of(self.said.keep_going)

    def question(self, b: float) -> Narration | None:
        if b >= self.t.length - EPS:
            return None
        block = self.t.block_at(b)
        if b - block.start >= EPS:
            resting = block.kind == "rest"
            return Narration.of(self.said.rest_of_break if resting else self.said.next_to_keep_going)
        return question_for(self.t, block, self.said)

    def render(self, a: float, b: float) -> tuple[Narration, Narration | None, float]:
        body = render_span(self.t, a, b, self.lead(a), self.sounds)
        question = self.question(b)
        tail = question.estimated_seconds() if question is not None else FINISH_RESERVE
        return body, question, body.estimated_seconds() + tail

    def fits(self, a: float, b: float) -> bool:
        return self.render(a, b)[2] <= self.limit + EPS

    def silence_cut(self, a: float, gap_start: float, gap_end: float) -> float | None:
        """The latest point of a silence ``[gap_start, gap_end)`` that fits."""
        lo = max(a, gap_start) + 1.0
        if lo > gap_end - 0.01:
            return None
        seconds = self.render(a, lo)[2]
        if seconds > self.limit:
            return None
        b = min(gap_end - 0.01, lo + self.limit - seconds)  # silence adds time one for one
        block = self.t.block_at(b)  # prefer "thirty seconds left" to "thirty-three"
        nice = block.end - 5 * math.ceil((block.end - b) / 5 - EPS)
        b = nice if lo <= nice <= b else b
        return b if self.fits(a, b) else None

    def cut(self, a: float, end: float) -> float:
        """Where the piece starting at ``a`` in a group ending at ``end`` stops."""
        if self.fits(a, end):
            return end
        ends = sorted({blk.end for blk in self.t.blocks if a + EPS < blk.end < end - EPS}, reverse=True)
        boundary = next((b for b in ends if self.fits(a, b)), None)
        if boundary is not None and boundary - a >= self.limit / 2:
            return boundary
        cues = [c for c in self.t.cues if a + EPS < c.offset < end - EPS]
        starts = next((c.offset for c in reversed(cues) if c.offset - a >= 1.0 and self.fits(a, c.offset)), None)
        spoken = [c for c in self.t.cues if a - EPS <= c.offset < end - EPS]
        gaps = [(c.end, n.offset) for c, n in zip(spoken, spoken[1:], strict=False)]
        gaps.append((spoken[-1].end if spoken else a, end))
        if not spoken or spoken[0].offset > a + EPS:
            gaps.append((a, spoken[0].offset if spoken else end))
        quiet = max((q for g in gaps if (q := self.silence_cut(a, *g)) is not None), default=None)
        options = [b for b in (starts, quiet) if b is not None]
        if starts is not None and quiet is not None and quiet - starts < 10.0:
            options = [starts]
        if options:
            return max(options)
        if boundary is not None:
            return boundary
        raise ValueError(f"{self.t.title}: nothing from {a:.1f} s fits in {self.limit:g} s")

    def pieces(self) -> tuple[Piece, ...]:
        out: list[Piece] = []
        for g, (start, end) in enumerate(_groups(self.t)):
            a = start
            while a < end - EPS:
                b = self.cut(a, end)
                body, question, _ = self.render(a, b)
                lead = self.lead(a).estimated_seconds()
                out.append(Piece(len(out), g, a, b, body, question, lead))
                a = b
        return tuple(out)


def question_for(timeline: Timeline, block: Block, said: TurnWords) -> Narration:
    """The question asked before ``block`` starts."""
    if block.kind == "set":
        return Narration.of(said.ready_for.format(where=set_phrase(block, said)))
    if block.kind == "rest":
        return Narration.of(said.ready_for_rest.format(number=words(block.duration)))
    if block.exercise_id is None:
        return Narration.of(said.ready_to_finish)
    name = get_exercise(block.exercise_id).name.lower()
    if block.kind == "cooldown":
        first = block.index == 0 or timeline.blocks[block.index - 1].kind != "cooldown"
        return Narration.of(said.ready_to_cool_down if first else said.ready_for_the.format(exercise=name))
    if block.index == 0:
        return Narration.of(said.ready_to_warm_up)
    return Narration.of(said.ready_for_the.format(exercise=name))


def pieces_for(timeline: Timeline, said: TurnWords, limit: float = DEFAULT_TURN_SECONDS,
               sounds: bool = True) -> tuple[Piece, ...]:
    """``timeline`` cut into pieces of at most ``limit`` seconds, question
    included, saying ``said`` around the cues."""
    return _Cutter(timeline, said, limit, sounds).pieces()
