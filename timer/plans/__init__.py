"""Workout plans: the built-in ones and your own, in one TOML format.

A plan is a TOML file. The built-in plans (``beginner``, ``intermediate``,
``advanced`` and ``move-break``) live beside this module, in ``timer/plans/``,
in exactly the format below, so any of them is a good starting point for your own::

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

This module reads and checks plan files; what it gives back, a
:class:`~timer.plan_model.Plan`, is a plain value defined in
:mod:`timer.plan_model`. ``Plan`` and ``PlanError`` stay importable from here,
beside the functions that return and raise them.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from timer.exercises import Exercise, Tempo, load_exercises
from timer.files import FileProblem, read_text, short
from timer.plan_model import Entry, Step, toml_number
from timer.plan_model import Plan as Plan
from timer.plan_model import PlanError as PlanError

DEFAULT_PLAN = "beginner"
_BUILTIN_ORDER = ("beginner", "intermediate", "advanced", "move-break")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_TOP_FIELDS = (
    "name", "title", "description", "rest_between_sets", "rest_between_exercises",
    "switch_seconds", "warmup", "exercises", "cooldown",
)
_ENTRY_FIELDS = ("exercise", "sets", "reps", "seconds", "tempo", "rest", "sides")
_STEP_FIELDS = ("exercise", "seconds")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(short(value, 40))
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return short(value, 40)


class _Reader:
    """Checks raw TOML values; every failure is one PlanError line."""

    def __init__(self, source: str) -> None:
        self.source = short(source, 100)

    def fail(self, field: str, problem: str) -> NoReturn:
        raise PlanError(f"{self.source}: {field}: {problem}")

    def fields(self, raw: Mapping[str, Any], prefix: str, allowed: tuple[str, ...]) -> None:
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]}?" if close else f"expected one of {', '.join(allowed)}"
                self.fail(prefix + short(key, 40), f"unknown field; {hint}")

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
            span = f"{toml_number(lo)} to {toml_number(hi)}"
            self.fail(field, f"must be a number of seconds from {span}, got {got}")
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
            self.fail(field, f"one rep must take 0.5 to 20 seconds, got {toml_number(tempo.seconds)}")
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
    source = short(source, 100)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise PlanError(f"{source}: invalid TOML: nested too deeply") from None
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
    try:
        text = read_text(path, "plan file")
    except FileProblem as err:
        raise PlanError(str(err)) from None
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
        raise PlanError(f"{short(name, 40)}: no such plan; built-in plans: {', '.join(builtin_plans())}")
    text = resources.files("timer").joinpath(f"plans/{name}.toml").read_text(encoding="utf-8")
    return loads_plan(text, f"plans/{name}.toml")


def resolve_plan(spec: str) -> Plan:
    """A built-in plan name, or else a path to a plan file."""
    if spec in builtin_plans():
        return load_plan(spec)
    if spec.endswith(".toml") or "/" in spec or _exists(spec):
        return load_plan_file(spec)
    return load_plan(spec)


def _exists(spec: str) -> bool:
    try:
        return Path(spec).exists()
    except (OSError, ValueError):  # a name too long for a file, a NUL byte
        return False
