"""Workout plans as values: a plan, its exercise entries, its warm-up and cool-down steps.

A :class:`Plan` is a checked plan, wherever it came from: a built-in or a
user's file (read by :mod:`timer.plans`) or a change made in code
(:meth:`Plan.only`, :func:`timer.plan_fit.plan_for_minutes`). It writes
itself back in the file format (:meth:`Plan.to_toml`), and its
:attr:`~Plan.digest` hashes that text, so history can replay a custom plan
exactly. Plain values, no file access: the compiler depends on them, not on
the loader.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from timer.exercises import Exercise, Sides, Tempo, get_exercise


class PlanError(ValueError):
    """A plan that cannot be used; the message is one line: file: field: problem."""


@dataclass(frozen=True)
class Step:
    """One warm-up or cool-down move, done for ``seconds`` (per side if sided)."""

    exercise: Exercise
    seconds: float


@dataclass(frozen=True)
class Entry:
    """One ``[[exercises]]`` entry: sets of reps (per side) or of seconds."""

    exercise: Exercise
    sets: int
    reps: int | None
    seconds: float | None
    tempo: Tempo
    rest: float
    sides: Sides | None = None

    @property
    def counted(self) -> int:
        """Reps counted aloud in one set (both sides of a sided exercise)."""
        return 0 if self.reps is None else self.reps * (2 if self.sides else 1)


@dataclass(frozen=True)
class Plan:
    """A validated workout plan. Values, not file text: see :meth:`to_toml`."""

    name: str
    title: str
    exercises: tuple[Entry, ...]
    description: str = ""
    warmup: tuple[Step, ...] = ()
    cooldown: tuple[Step, ...] = ()
    rest_between_sets: float = 30.0
    rest_between_exercises: float = 60.0
    switch_seconds: float = 5.0

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return tuple(e.exercise.id for e in self.exercises)

    @property
    def digest(self) -> str:
        """A short hash of the plan's content: same digest, same workout."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()[:16]

    def only(self, exercise_ids: Iterable[str]) -> Plan:
        """This plan with only these exercises ("just squats"), warm-up and
        cool-down kept. Ids the plan lacks are added with the exercise's usual
        amount and the plan's most common number of sets."""
        ids = list(dict.fromkeys(exercise_ids))
        if not ids:
            raise PlanError(f"{self.name}: only: name at least one exercise")
        sets = max((e.sets for e in self.exercises), default=3)
        entries = []
        for ex_id in ids:
            found = [e for e in self.exercises if e.exercise.id == ex_id]
            if not found:
                try:
                    exercise = get_exercise(ex_id)
                except KeyError as err:
                    raise PlanError(f"{self.name}: only: {err.args[0]}") from None
                found = [_default_entry(exercise, sets, self.rest_between_sets)]
            entries.extend(found)
        names = " and ".join(e.exercise.name.lower() for e in entries[:3])
        return replace(
            self, name=f"{self.name}-only-{'-'.join(ids)}"[:60].rstrip("-"),
            title=f"{self.title}: {names} only", exercises=tuple(entries),
            description=f"Only {names}, from the {self.title[:1].lower() + self.title[1:]}.",
        )

    def to_toml(self) -> str:
        """The plan in the file format; :func:`~timer.plans.loads_plan` reads it back equal."""
        lines = [f"name = {_q(self.name)}", f"title = {_q(self.title)}"]
        if self.description:
            lines.append(f"description = {_q(self.description)}")
        lines += [
            f"rest_between_sets = {toml_number(self.rest_between_sets)}",
            f"rest_between_exercises = {toml_number(self.rest_between_exercises)}",
            f"switch_seconds = {toml_number(self.switch_seconds)}",
        ]
        lines += _step_lines("warmup", self.warmup)
        for entry in self.exercises:
            lines += ["", "[[exercises]]", *_entry_lines(entry, self.rest_between_sets)]
        lines += _step_lines("cooldown", self.cooldown)
        return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes; TOML also bans DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_number(value: float) -> str:
    """A number as plan files write it: ``30``, not ``30.0``."""
    return str(int(value)) if value == int(value) else repr(float(value))


def _step_lines(table: str, steps: tuple[Step, ...]) -> list[str]:
    lines: list[str] = []
    for step in steps:
        lines += ["", f"[[{table}]]", f"exercise = {_q(step.exercise.id)}",
                  f"seconds = {toml_number(step.seconds)}"]
    return lines


def _entry_lines(entry: Entry, default_rest: float) -> list[str]:
    ex = entry.exercise
    lines = [f"exercise = {_q(ex.id)}", f"sets = {entry.sets}"]
    if entry.reps is not None:
        lines.append(f"reps = {entry.reps}")
    if entry.seconds is not None:
        lines.append(f"seconds = {toml_number(entry.seconds)}")
    if entry.tempo != ex.tempo and not ex.timed:
        t = entry.tempo
        lines.append(f"tempo = {{ down = {toml_number(t.down)}, hold = {toml_number(t.hold)}, "
                     f"up = {toml_number(t.up)} }}")
    if entry.rest != default_rest:
        lines.append(f"rest = {toml_number(entry.rest)}")
    if entry.sides is not None and entry.sides != ex.sides:
        lines.append(f"sides = {_q(entry.sides)}")
    return lines


def _default_entry(exercise: Exercise, sets: int, rest: float) -> Entry:
    timed = exercise.timed
    return Entry(
        exercise=exercise, sets=sets, reps=None if timed else exercise.reps,
        seconds=exercise.seconds if timed else None, tempo=exercise.tempo, rest=rest,
        sides=exercise.sides if exercise.sided and not timed else None,
    )
