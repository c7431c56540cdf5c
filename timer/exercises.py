"""The exercises Leg Coach narrates, loaded once from ``timer/data/exercises.toml``.

An :class:`Exercise` is either counted in reps at a :class:`Tempo` (squats,
lunges, glute bridges, calf raises) or done for a number of seconds (wall sit,
marching, jumping jacks, stretches). Sided exercises work one leg or side at a
time: their sets either alternate sides every rep or do all reps on one side,
then switch.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

Kind = Literal["reps", "timed"]
Sides = Literal["alternate", "each"]

KINDS: tuple[str, ...] = ("reps", "timed")
SIDES: tuple[str, ...] = ("alternate", "each")
CATEGORIES: tuple[str, ...] = ("strength", "cardio", "mobility", "stretch")

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """Spell out 0..999 the way a coach counts: ``21 -> "twenty-one"``."""
    if not 0 <= n < 1000:
        raise ValueError(f"cannot spell {n}")
    if n < 20:
        return _NUMBER_WORDS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_NUMBER_WORDS[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    head = f"{_NUMBER_WORDS[hundreds]} hundred"
    return head + (f" and {number_words(rest)}" if rest else "")


def _amount(value: float) -> str:
    return number_words(int(value)) if value == int(value) else f"{value:g}"


def _seconds_words(seconds: float) -> str:
    return f"{_amount(seconds)} second" + ("" if seconds == 1 else "s")


@dataclass(frozen=True)
class Tempo:
    """Seconds spent in each phase of one rep."""

    down: float = 2.0
    hold: float = 0.0
    up: float = 1.0

    @property
    def seconds(self) -> float:
        """Length of one rep."""
        return self.down + self.hold + self.up

    def phrase(self, lift_first: bool = False) -> str:
        """Spoken pacing, e.g. ``"Two seconds down, one second up."``."""
        down = f"{_seconds_words(self.down)} down" if self.down else ""
        up = f"{_seconds_words(self.up)} up" if self.up else ""
        parts = [up, down] if lift_first else [down, up]
        if self.hold:
            parts.insert(1, f"hold for {_amount(self.hold)}")
        text = ", ".join(p for p in parts if p)
        return text[:1].upper() + text[1:] + "."


@dataclass(frozen=True)
class Exercise:
    """One exercise as data. ``id`` is what plans refer to."""

    id: str
    name: str
    singular: str
    kind: Kind
    category: str
    form_cues: tuple[str, ...]
    tempo: Tempo = Tempo()
    sided: bool = False
    sides: Sides = "each"
    side_word: str = "side"
    standing: bool = True
    lift_first: bool = False
    reps: int = 12
    seconds: float = 30.0
    aliases: tuple[str, ...] = ()

    @property
    def timed(self) -> bool:
        return self.kind == "timed"

    def cue(self, n: int) -> str:
        """The n-th form cue, wrapping around (so every set can get a tip)."""
        return self.form_cues[n % len(self.form_cues)]

    def words(self) -> tuple[str, ...]:
        """Every lower-case way of naming this exercise."""
        return (self.id, self.id.replace("-", " "), self.name.lower(), self.singular, *self.aliases)


class ExerciseDataError(ValueError):
    """The packaged exercise data is malformed (a bug, not a user error)."""


def _exercise(ex_id: str, raw: dict[str, Any]) -> Exercise:
    def need(key: str, kind: type) -> Any:
        value = raw.get(key)
        if not isinstance(value, kind):
            raise ExerciseDataError(f"exercises.toml: {ex_id}.{key}: missing or not a {kind.__name__}")
        return value

    known = {f for f in Exercise.__dataclass_fields__ if f not in ("id", "form_cues")} | {"cues"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ExerciseDataError(f"exercises.toml: {ex_id}: unknown field {unknown[0]!r}")
    kind = need("kind", str)
    sides = raw.get("sides", "each")
    if kind not in KINDS or sides not in SIDES or need("category", str) not in CATEGORIES:
        raise ExerciseDataError(f"exercises.toml: {ex_id}: bad kind, sides or category")
    cues = tuple(need("cues", list))
    if not cues or not all(isinstance(c, str) and c.strip() for c in cues):
        raise ExerciseDataError(f"exercises.toml: {ex_id}.cues: needs at least one cue")
    return Exercise(
        id=ex_id,
        name=need("name", str),
        singular=need("singular", str),
        kind=kind,
        category=raw["category"],
        form_cues=cues,
        tempo=Tempo(**{phase: float(s) for phase, s in raw.get("tempo", {}).items()}),
        sided=bool(raw.get("sided", False)),
        sides=sides,
        side_word=raw.get("side_word", "side"),
        standing=bool(raw.get("standing", True)),
        lift_first=bool(raw.get("lift_first", False)),
        reps=int(raw.get("reps", 12)),
        seconds=float(raw.get("seconds", 30)),
        aliases=tuple(a.lower() for a in raw.get("aliases", ())),
    )


@cache
def load_exercises() -> dict[str, Exercise]:
    """All known exercises by id, in file order. Loaded once; do not mutate."""
    text = resources.files("timer").joinpath("data/exercises.toml").read_text(encoding="utf-8")
    return {ex_id: _exercise(ex_id, raw) for ex_id, raw in tomllib.loads(text).items()}


def get_exercise(ex_id: str) -> Exercise:
    """The exercise with this id; ``KeyError`` naming the known ids if none."""
    exercises = load_exercises()
    try:
        return exercises[ex_id]
    except KeyError:
        raise KeyError(f"unknown exercise {ex_id!r}; known: {', '.join(exercises)}") from None


def find_exercise(words: str) -> Exercise | None:
    """The exercise a person means by ``words`` ("squats", "glute bridge"), or None."""
    wanted = " ".join(words.lower().replace("-", " ").split())
    for exercise in load_exercises().values():
        if wanted in {w.replace("-", " ") for w in exercise.words()}:
            return exercise
    return None
