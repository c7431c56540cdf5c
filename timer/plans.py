"""Workout plans: the built-in ones and your own, in one TOML format.

A plan is a TOML file. The built-in plans (``beginner``, ``intermediate``,
``advanced`` and ``move-break``) live in ``timer/plans/`` in exactly the
format below, so any of them is a good starting point for your own::

    name = "my-legs"                  # required: lower case, digits, dashes
    title = "My leg day"              # required: what the coach calls it
    description = "Squats and bridges, about 12 minutes."   # optional
    rest_between_sets = 30            # seconds, default 30
    rest_between_exercises = 45       # seconds, default 60
    switch_seconds = 5                # seconds to change sides, default 5

    [[warmup]]                        # optional, any number of moves
    exercise = "march"
    seconds = 60                      # per side for one-sided moves

    [[exercises]]                     # required, at least one
    exercise = "squat"                # an exercise id (see below)
    sets = 3                          # 1 to 20
    reps = 12                         # 1 to 100, for counted exercises
    tempo = { down = 3, up = 1 }      # optional, seconds per phase (0 to 10)
    rest = 40                         # optional, overrides rest_between_sets

    [[exercises]]
    exercise = "lunge"
    sets = 2
    reps = 8                          # per leg for one-sided exercises
    sides = "each"                    # "alternate" or "each" (all reps, then switch)

    [[exercises]]
    exercise = "wall-sit"
    sets = 2
    seconds = 40                      # 5 to 600, for timed exercises

    [[cooldown]]                      # optional, like warmup
    exercise = "quad-stretch"
    seconds = 20

Counted exercises take ``reps`` and an optional ``tempo`` (``down``, ``hold``,
``up``; missing phases keep the exercise's own tempo); timed exercises take
``seconds``. Leave either out to use the exercise's usual amount. One-sided
exercises count ``reps`` per leg; lunges alternate legs unless ``sides =
"each"``. Rests of 0 skip the rest. Each list holds at most 30 entries.
Exercise ids: squat, lunge, glute-bridge, wall-sit, calf-raise, march,
jumping-jacks, skipping, leg-swings, hip-circles, quad-stretch,
hamstring-stretch, calf-stretch, hip-flexor-stretch, glute-stretch.

A mistake stops the plan with one line naming the file, the field and the
problem, for example ``myplan.toml: exercises[1].sets: must be a whole number
from 1 to 20, got "three"``. Entries are counted from 1, in file order.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from timer.exercises import Exercise, Sides, Tempo, get_exercise, load_exercises

DEFAULT_PLAN = "beginner"
_BUILTIN_ORDER = ("beginner", "intermediate", "advanced", "move-break")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_TOP_FIELDS = (
    "name", "title", "description", "rest_between_sets", "rest_between_exercises",
    "switch_seconds", "warmup", "exercises", "cooldown",
)
_ENTRY_FIELDS = ("exercise", "sets", "reps", "seconds", "tempo", "rest", "sides")
_STEP_FIELDS = ("exercise", "seconds")


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
        """The plan in the file format; :func:`loads_plan` reads it back equal."""
        lines = [f"name = {_q(self.name)}", f"title = {_q(self.title)}"]
        if self.description:
            lines.append(f"description = {_q(self.description)}")
        lines += [
            f"rest_between_sets = {_n(self.rest_between_sets)}",
            f"rest_between_exercises = {_n(self.rest_between_exercises)}",
            f"switch_seconds = {_n(self.switch_seconds)}",
        ]
        lines += _step_lines("warmup", self.warmup)
        for entry in self.exercises:
            lines += ["", "[[exercises]]", *_entry_lines(entry, self.rest_between_sets)]
        lines += _step_lines("cooldown", self.cooldown)
        return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes; TOML also bans DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _n(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))


def _step_lines(table: str, steps: tuple[Step, ...]) -> list[str]:
    lines: list[str] = []
    for step in steps:
        lines += ["", f"[[{table}]]", f"exercise = {_q(step.exercise.id)}", f"seconds = {_n(step.seconds)}"]
    return lines


def _entry_lines(entry: Entry, default_rest: float) -> list[str]:
    ex = entry.exercise
    lines = [f"exercise = {_q(ex.id)}", f"sets = {entry.sets}"]
    if entry.reps is not None:
        lines.append(f"reps = {entry.reps}")
    if entry.seconds is not None:
        lines.append(f"seconds = {_n(entry.seconds)}")
    if entry.tempo != ex.tempo and not ex.timed:
        t = entry.tempo
        lines.append(f"tempo = {{ down = {_n(t.down)}, hold = {_n(t.hold)}, up = {_n(t.up)} }}")
    if entry.rest != default_rest:
        lines.append(f"rest = {_n(entry.rest)}")
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


def _show(value: Any) -> str:
    if isinstance(value, (str, bool)):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


class _Reader:
    """Checks raw TOML values; every failure is one PlanError line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, problem: str) -> NoReturn:
        raise PlanError(f"{self.source}: {field}: {problem}")

    def fields(self, raw: Mapping[str, Any], prefix: str, allowed: tuple[str, ...]) -> None:
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]}?" if close else f"expected one of {', '.join(allowed)}"
                self.fail(prefix + key, f"unknown field; {hint}")

    def whole(self, raw: Mapping[str, Any], key: str, field: str, lo: int, hi: int) -> int:
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(field, f"must be a whole number from {lo} to {hi}, got {_show(value)}")
        return value

    def number(self, raw: Mapping[str, Any], key: str, field: str, lo: float, hi: float,
               default: float | None = None) -> float:
        if key not in raw and default is not None:
            return default
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            got = "nothing" if value is None else _show(value)
            self.fail(field, f"must be a number of seconds from {_n(lo)} to {_n(hi)}, got {got}")
        return float(value)

    def text(self, raw: Mapping[str, Any], key: str, limit: int, required: bool = True) -> str:
        value = raw.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            got = "nothing" if value is None else _show(value)
            self.fail(key, f"must be text of 1 to {limit} characters, got {got}")
        return value.strip()

    def tables(self, raw: Mapping[str, Any], key: str, required: bool = False) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, f"must be a list of tables written [[{key}]]")
        if required and not value:
            self.fail(key, f"needs at least one [[{key}]] entry")
        if len(value) > 30:
            self.fail(key, f"at most 30 entries, got {len(value)}")
        return value

    def exercise(self, raw: Mapping[str, Any], field: str) -> Exercise:
        value = raw.get("exercise")
        known = load_exercises()
        if not isinstance(value, str):
            got = "nothing" if value is None else _show(value)
            self.fail(field, f"must name an exercise, e.g. \"squat\", got {got}")
        if value not in known:
            close = difflib.get_close_matches(value, list(known), n=1)
            hint = f"did you mean \"{close[0]}\"?" if close else f"known: {', '.join(known)}"
            self.fail(field, f"unknown exercise {_show(value)}; {hint}")
        return known[value]

    def step(self, raw: dict[str, Any], prefix: str) -> Step:
        self.fields(raw, prefix, _STEP_FIELDS)
        exercise = self.exercise(raw, prefix + "exercise")
        seconds = self.number(raw, "seconds", prefix + "seconds", 5, 600, exercise.seconds)
        return Step(exercise, seconds)

    def tempo(self, raw: Mapping[str, Any], field: str, base: Tempo) -> Tempo:
        if not isinstance(raw, dict):
            self.fail(field, f"must be a table like {{ down = 2, up = 1 }}, got {_show(raw)}")
        self.fields(raw, field + ".", ("down", "hold", "up"))
        phases = ("down", "hold", "up")
        tempo = Tempo(*(self.number(raw, k, f"{field}.{k}", 0, 10, getattr(base, k)) for k in phases))
        if not 0.5 <= tempo.seconds <= 20:
            self.fail(field, f"one rep must take 0.5 to 20 seconds, got {_n(tempo.seconds)}")
        return tempo

    def entry(self, raw: dict[str, Any], prefix: str, default_rest: float) -> Entry:
        self.fields(raw, prefix, _ENTRY_FIELDS)
        ex = self.exercise(raw, prefix + "exercise")
        if "sets" not in raw:
            self.fail(prefix + "sets", "missing; give the number of sets, e.g. sets = 3")
        sets = self.whole(raw, "sets", prefix + "sets", 1, 20)
        wrong = "reps" if ex.timed else "seconds"
        if wrong in raw:
            how = "timed: give seconds" if ex.timed else "counted in reps: give reps"
            self.fail(prefix + wrong, f"{ex.id} is {how}, not {wrong}")
        if "tempo" in raw and ex.timed:
            self.fail(prefix + "tempo", f"{ex.id} is timed and has no tempo")
        if "sides" in raw and (not ex.sided or ex.timed):
            self.fail(prefix + "sides", f"{ex.id} has no sides to choose")
        sides = raw.get("sides", ex.sides) if ex.sided and not ex.timed else None
        if sides not in (None, "alternate", "each"):
            self.fail(prefix + "sides", f"must be \"alternate\" or \"each\", got {_show(sides)}")
        reps: int | None = None if ex.timed else ex.reps
        if "reps" in raw:
            reps = self.whole(raw, "reps", prefix + "reps", 1, 100)
        seconds = self.number(raw, "seconds", prefix + "seconds", 5, 600, ex.seconds) if ex.timed else None
        tempo = self.tempo(raw["tempo"], prefix + "tempo", ex.tempo) if "tempo" in raw else ex.tempo
        rest = self.number(raw, "rest", prefix + "rest", 0, 600, default_rest)
        return Entry(ex, sets, reps, seconds, tempo, rest, sides)


def _parse(data: dict[str, Any], source: str) -> Plan:
    r = _Reader(source)
    r.fields(data, "", _TOP_FIELDS)
    name = r.text(data, "name", 60)
    if not _NAME.fullmatch(name):
        r.fail("name", f"use lower-case letters, digits and dashes, got {_show(name)}")
    rest_sets = r.number(data, "rest_between_sets", "rest_between_sets", 0, 600, 30.0)
    return Plan(
        name=name,
        title=r.text(data, "title", 80),
        description=r.text(data, "description", 500, required=False),
        rest_between_sets=rest_sets,
        rest_between_exercises=r.number(
            data, "rest_between_exercises", "rest_between_exercises", 0, 600, 60.0),
        switch_seconds=r.number(data, "switch_seconds", "switch_seconds", 2, 30, 5.0),
        warmup=tuple(r.step(s, f"warmup[{i}].") for i, s in enumerate(r.tables(data, "warmup"), 1)),
        exercises=tuple(
            r.entry(e, f"exercises[{i}].", rest_sets)
            for i, e in enumerate(r.tables(data, "exercises", required=True), 1)
        ),
        cooldown=tuple(r.step(s, f"cooldown[{i}].") for i, s in enumerate(r.tables(data, "cooldown"), 1)),
    )


def loads_plan(text: str, source: str = "<plan>") -> Plan:
    """Parse and validate plan TOML; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if where:
            place = f"line {where[1]}, column {where[2]}"
        else:
            place = f"line {text.count(chr(10)) + 1} (end of file)"
        message = re.sub(r"\s*\(at [^)]*\)$", "", message)
        raise PlanError(f"{source}: {place}: invalid TOML: {message}") from None
    return _parse(data, source)


def load_plan_file(path: str | Path) -> Plan:
    """Load a user's plan file; any problem is a one-line :class:`PlanError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise PlanError(f"{path}: cannot read: {reason}") from None
    return loads_plan(text, str(path))


def builtin_plans() -> list[str]:
    """Names of the plans shipped with Leg Coach, easiest first."""
    names = {p.name[:-5] for p in resources.files("timer").joinpath("plans").iterdir()
             if p.name.endswith(".toml")}
    return [n for n in _BUILTIN_ORDER if n in names] + sorted(names - set(_BUILTIN_ORDER))


@cache
def load_plan(name: str = DEFAULT_PLAN) -> Plan:
    """A built-in plan by name; :class:`PlanError` listing the names if unknown."""
    if name not in builtin_plans():
        raise PlanError(f"{name}: no such plan; built-in plans: {', '.join(builtin_plans())}")
    text = resources.files("timer").joinpath(f"plans/{name}.toml").read_text(encoding="utf-8")
    return loads_plan(text, f"plans/{name}.toml")


def resolve_plan(spec: str) -> Plan:
    """A built-in plan name, or else a path to a plan file."""
    if spec in builtin_plans():
        return load_plan(spec)
    if spec.endswith(".toml") or "/" in spec or Path(spec).exists():
        return load_plan_file(spec)
    return load_plan(spec)
