"""Plan in, timed cues out: the pure heart of the timer.

:func:`compile_plan` turns a :class:`~timer.plan_model.Plan` into a
:class:`~timer.timeline.Timeline`: every cue has a planned offset in seconds
from the session start, and belongs to a :class:`~timer.timeline.Block` (a
warm-up move, a set, a rest, a cool-down move, the finish). Blocks tile
``[0, length]`` without gaps. ``Timeline``, ``Block`` and ``Cue`` stay
importable from here, next to the function that makes them.

Pacing comes from the plan and from *estimated* speech lengths, so a plan
always gets the same schedule, and the same length whether or not the
voice was measured (``timer plans``, ``show``, the live panel and ``render``
agree). When the real (measured) length of a cue,
given by ``durations``, runs past the slot before the next cue, everything
after it moves later: cues never overlap. The lateness is then taken back
from the next rest, which may give up at most half of its time.

Cue kinds: ``announce`` (exercise, set x of y, amount), ``countdown`` (3-2-1),
``go``, ``rep`` (paced count), ``time_left`` ("halfway", "10 seconds left"),
``switch`` (change sides), ``rest``, ``next_up``, ``tip`` (a form cue),
``warmup``, ``cooldown`` and ``finish``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from speech.model import Narration, Sound
from timer.exercises import Exercise, number_words
from timer.plan_model import Entry, Plan, Step
from timer.timeline import Block as Block
from timer.timeline import Cue as Cue
from timer.timeline import Timeline as Timeline

#: Every cue kind, in rough order of appearance.
CUE_KINDS = ("announce", "countdown", "go", "rep", "time_left", "switch", "rest",
             "next_up", "tip", "warmup", "cooldown", "finish")
BLOCK_KINDS = ("warmup", "set", "rest", "cooldown", "finish")

GAP = 0.2          # least silence between two cues
PAD = 0.5          # silence after a block's last cue before the next block
READY = 1.0        # from the end of an announcement to the countdown
COUNT_STEP = 1.0   # between "three", "two", "one", "go"
TIP_MIN_REST = 20  # shorter rests get no form tip
FINISH = 8.0       # the finish block, unless its cue is spoken for longer

Durations = Callable[[Narration], float | None]


@dataclass
class _Builder:
    """Places cues one after another; tracks how late the schedule runs."""

    durations: Durations | None
    cues: list[Cue] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    start: float = 0.0   # current block's start
    anchor: float = 0.0  # start of the previous cue in the block
    free: float = 0.0    # earliest start for the next cue
    late: float = 0.0    # how far behind the planned pacing we run
    whistle: bool = False  # the next block follows a set: open with a whistle

    def measure(self, narration: Narration) -> float:
        seconds = self.durations(narration) if self.durations else None
        return narration.estimated_seconds() if seconds is None else max(float(seconds), 0.0)

    def begin(self) -> None:
        self.anchor = self.free = self.start

    def say(self, kind: str, narration: Narration, after: float | None = None,
            at: float | None = None) -> float:
        """Place a cue ``after`` seconds past the previous cue's start, at the
        absolute time ``at``, or (neither) as soon as the previous one ends.
        Returns the *estimated* length, the slot the plan's pacing allows for."""
        if self.whistle:
            narration, self.whistle = Narration.of(Sound("whistle"), narration), False
        if after is not None:  # paced: running late here puts the plan behind
            desired = self.anchor + after
            offset = max(desired, self.free)
            self.late += offset - desired
        else:
            offset = max(self.free if at is None else at, self.free)
        seconds = self.measure(narration)
        self.cues.append(Cue(offset, kind, narration, seconds, len(self.blocks)))
        self.anchor, self.free = offset, offset + seconds + GAP
        return narration.estimated_seconds()

    def close(self, kind: str, title: str, after: float | None = None, **info: Any) -> None:
        """End the current block ``after`` seconds past the last cue's start."""
        last_end = self.free - GAP
        desired = self.anchor + after if after is not None else last_end + PAD
        end = max(desired, last_end + PAD)
        self.late += end - desired
        self.finish_block(kind, title, end, **info)

    def finish_block(self, kind: str, title: str, end: float, **info: Any) -> None:
        self.blocks.append(Block(len(self.blocks), kind, self.start, end, title, **info))
        self.start = end
        self.whistle = kind == "set"


_GO = Narration.of(Sound("go"), "Go!")


def _switch(exercise: Exercise) -> Narration:
    return Narration.of(f"Switch sides. {_sides(exercise)[1].capitalize()}.")


def _count(n: float, word: str) -> str:
    """``_count(1, "rep") -> "1 rep"``, ``_count(12, "rep") -> "12 reps"``."""
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def _sides(exercise: Exercise) -> tuple[str, str]:
    return (f"left {exercise.side_word}", f"right {exercise.side_word}")


def _amount(entry: Entry) -> str:
    ex = entry.exercise
    each = f" each {ex.side_word}" if ex.sided else ""
    amount = _count(entry.seconds, "second") if entry.seconds is not None else _count(entry.reps or 0, "rep")
    amount += each
    if entry.sides == "alternate":
        return amount + ", alternating."
    first = f" {_sides(ex)[0].capitalize()} first." if ex.sided else ""
    return amount + "." + first


def _announce(entry: Entry, set_no: int, intro: str) -> Narration:
    ex = entry.exercise
    parts = [intro, f"{ex.name}. Set {set_no} of {entry.sets}. {_amount(entry)}"]
    if set_no == 1:
        if entry.reps is not None:
            parts.append(entry.tempo.phrase(ex.lift_first))
        parts.append(ex.cue(0))
    return Narration.of(*parts)


def _timed_work(b: _Builder, seconds: float, first_after: float) -> float:
    """Halfway and 10-seconds-left cues for ``seconds`` of work starting
    ``first_after`` past the previous cue; returns ``after`` for what follows."""
    marks = []
    if seconds >= 30:
        marks.append((seconds / 2, "Halfway."))
    if seconds >= 20:
        marks.append((seconds - 10, "10 seconds left."))
    done = 0.0
    for at, words in marks:
        b.say("time_left", Narration.of(words), after=first_after + at - done)
        first_after, done = 0.0, at
    return first_after + seconds - done


def _counted_reps(b: _Builder, entry: Entry, count: int, first_after: float) -> float:
    """Count ``count`` reps at the entry's tempo. Alternating sides are called
    and counted per leg: "Left, one.", "Right, one.", "Left, two."..."""
    left, right = (side.split()[0].capitalize() for side in _sides(entry.exercise))
    slot = 0.0
    for rep in range(1, count + 1):
        if entry.sides == "alternate":
            words = f"{left if rep % 2 else right}, {number_words((rep + 1) // 2)}."
        else:
            words = number_words(rep).capitalize() + "."
        slot = b.say("rep", Narration.of(words), after=first_after if rep == 1 else entry.tempo.seconds)
    return slot  # the last rep's estimated length


def _set_block(b: _Builder, entry: Entry, set_no: int, intro: str, switch_seconds: float) -> None:
    ex = entry.exercise
    b.begin()
    slot = b.say("announce", _announce(entry, set_no, intro))
    for i, word in enumerate(("Three.", "Two.", "One.")):
        slot = b.say("countdown", Narration.of(Sound("beep"), word),
                     after=slot + READY if i == 0 else COUNT_STEP)
    b.say("go", _GO, after=COUNT_STEP)
    rounds = 2 if ex.sided and entry.sides != "alternate" else 1
    after: float | None = None
    for side in range(rounds):
        if side:
            b.say("switch", _switch(ex), after=after)
            b.say("go", _GO, after=switch_seconds)
        if entry.seconds is not None:
            after = _timed_work(b, entry.seconds, first_after=0.0)
        else:  # what follows the count is paced by estimates too, never by measured words
            after = _counted_reps(b, entry, entry.counted // rounds, first_after=entry.tempo.seconds) + GAP
    if entry.seconds is None and after is not None:
        after += PAD - GAP
    b.close("set", f"{ex.name}, set {set_no} of {entry.sets}", after=after, exercise_id=ex.id,
            set_no=set_no, sets=entry.sets, reps=entry.counted, seconds=entry.seconds,
            sides=entry.sides)


def _rest_block(b: _Builder, seconds: float, entry: Entry, set_no: int) -> None:
    ex = entry.exercise
    b.begin()
    shorten = min(b.late, seconds / 2)
    b.say("rest", Narration.of(f"Rest {_count(seconds, 'second')}."))
    b.say("next_up", Narration.of(f"Next up: {ex.name.lower()}, set {set_no} of {entry.sets}."))
    if seconds >= TIP_MIN_REST:
        b.say("tip", Narration.of(ex.cue(set_no)), at=b.start + (seconds - shorten) / 2)
    planned = b.start + seconds
    end = max(planned - shorten, b.free - GAP + PAD)
    b.late += end - planned
    b.finish_block("rest", f"Rest, then {ex.name.lower()} set {set_no} of {entry.sets}", end,
                   exercise_id=ex.id, set_no=set_no, sets=entry.sets)


def _step_work(b: _Builder, step: Step, first_after: float) -> float:
    """A warm-up or cool-down move's time on one side, with a tip halfway
    through long ones; returns ``after`` for what follows."""
    if step.seconds >= 40 and len(step.exercise.form_cues) > 1:
        b.say("tip", Narration.of(step.exercise.cue(1)), after=first_after + step.seconds / 2)
        return step.seconds / 2
    return first_after + step.seconds


def _step_block(b: _Builder, kind: str, step: Step, lead: str) -> None:
    ex = step.exercise
    b.begin()
    amount = _count(step.seconds, "second")
    if ex.sided:
        amount += f" each {ex.side_word}. {_sides(ex)[0].capitalize()} first."
    else:
        amount += "."
    slot = b.say(kind, Narration.of(lead, f"{ex.name}, {amount}", ex.cue(0)))
    after = _step_work(b, step, first_after=slot)
    if ex.sided:
        slot = b.say("switch", _switch(ex), after=after)
        after = _step_work(b, step, first_after=slot)
    b.close(kind, f"{'Warm-up' if kind == 'warmup' else 'Cool-down'}: {ex.name.lower()}", after=after,
            exercise_id=ex.id, seconds=step.seconds)


def _finish_block(b: _Builder) -> None:
    b.begin()
    sets = sum(1 for blk in b.blocks if blk.kind == "set")
    reps = sum(blk.reps for blk in b.blocks)
    done = _count(sets, "set") + (f" and {_count(reps, 'rep')}" if reps else "")
    minutes = _count(max(1, round(b.start / 60)), "minute")
    b.say("finish", Narration.of(Sound("chime"), f"Workout complete. {done} in about {minutes}. Well done!"))
    b.finish_block("finish", "Workout complete", max(b.start + FINISH, b.free - GAP))


def _intro(plan: Plan) -> str:
    names = [e.exercise.name.lower() for e in plan.exercises]
    names = list(dict.fromkeys(names))
    if len(names) == 1 and not plan.warmup:
        return f"{plan.title}."  # the first announcement names the exercise next
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{plan.title}. {listed[:1].upper() + listed[1:]}."


def compile_plan(plan: Plan, durations: Durations | None = None) -> Timeline:
    """The plan's session as timed cues. ``durations(narration)`` gives a cue's
    real spoken length (None: use the estimate). Pure: no clock, no I/O."""
    b = _Builder(durations)
    intro = _intro(plan)
    for i, step in enumerate(plan.warmup):
        _step_block(b, "warmup", step, lead=f"{intro} Let's warm up." if i == 0 else "")
        intro = ""
    sets = [(entry, n) for entry in plan.exercises for n in range(1, entry.sets + 1)]
    for i, (entry, set_no) in enumerate(sets):
        _set_block(b, entry, set_no, intro, plan.switch_seconds)
        intro = ""
        if i + 1 < len(sets):
            rest = entry.rest if set_no < entry.sets else plan.rest_between_exercises
            if rest > 0:
                _rest_block(b, rest, *sets[i + 1])
    for i, step in enumerate(plan.cooldown):
        _step_block(b, "cooldown", step, lead="Great work. Time to cool down." if i == 0 else "")
    _finish_block(b)
    return Timeline(tuple(b.cues), b.start, tuple(b.blocks), plan.title)
