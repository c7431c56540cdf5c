"""The guided-workout part of the interaction model, from data.

Intents and the LEVEL values come from ``skill/workout/intents.toml``;
the EXERCISE slot type from the timer's exercises, so every exercise the
timer knows can be named ("just squats", "how do I do a wall sit").
:mod:`skill.builder` adds :func:`workout_intents`, :func:`builtins` and
:func:`slot_types` to the generated model. The intent names are read when
the skill starts; the timer is imported only when slot values are needed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from skill.core.content import read_data
from skill.model.spec import IntentSpec

START_INTENT = "StartWorkoutIntent"
NEXT_INTENT = "WorkoutNextIntent"
RESUME_INTENT = "WorkoutResumeIntent"
SKIP_INTENT = "WorkoutSkipIntent"
BACK_INTENT = "WorkoutBackIntent"
MORE_REST_INTENT = "WorkoutMoreRestIntent"
SKIP_REST_INTENT = "WorkoutSkipRestIntent"
RESTART_SET_INTENT = "WorkoutRestartSetIntent"
SECONDS_SLOT = "seconds"
SETS_LEFT_INTENT = "WorkoutSetsLeftIntent"
WHATS_NEXT_INTENT = "WorkoutWhatsNextIntent"
FORM_INTENT = "WorkoutFormIntent"
WEEKLY_INTENT = "WeeklyProgressIntent"

LEVEL_SLOT, MINUTES_SLOT, EXERCISE_SLOT = "level", "minutes", "exercise"
LEVEL_TYPE, EXERCISE_TYPE = "LEVEL", "EXERCISE"

# A pattern, compiled (and cached) by re on first use: not at import, which
# every cold start pays.
_VALUE = r"[a-z]+(?:'[a-z]+)?(?: [a-z]+(?:'[a-z]+)?)*"


@cache
def _data() -> dict[str, Any]:
    return read_data("workout/intents.toml")


def workout_intents() -> tuple[IntentSpec, ...]:
    """The custom workout intents with their samples and slots."""
    return tuple(
        IntentSpec(item["name"], tuple(item["samples"]), tuple(item.get("slots", {}).items()))
        for item in _data()["intent"]
    )


def builtins() -> tuple[str, ...]:
    """Built-in intents the workout needs besides the skill's own."""
    return tuple(_data()["builtins"])


def level_synonyms() -> dict[str, tuple[str, ...]]:
    """LEVEL values and their synonyms: ``{"beginner": ("easy", ...), ...}``."""
    return {level: tuple(words) for level, words in _data()["levels"].items()}


def exercise_values() -> dict[str, tuple[str, ...]]:
    """EXERCISE values by exercise id: the spoken name first, then synonyms."""
    from timer.exercises import load_exercises

    out: dict[str, tuple[str, ...]] = {}
    for ex in load_exercises().values():
        names = [ex.name.lower(), *ex.words()]
        spoken = [w.replace("-", " ") for w in names]
        out[ex.id] = tuple(dict.fromkeys(w for w in spoken if re.fullmatch(_VALUE, w)))
    return out


def _slot_type(name: str, values: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    entries = []
    for value_id, (value, *synonyms) in values.items():
        entry: dict[str, Any] = {"id": value_id, "name": {"value": value}}
        others = sorted(set(synonyms) - {value})
        if others:
            entry["name"]["synonyms"] = others
        entries.append(entry)
    return {"name": name, "values": entries}


def slot_types() -> list[dict[str, Any]]:
    """The custom slot types, JSON-ready for the interaction model."""
    levels = {level: (level, *words) for level, words in level_synonyms().items()}
    return [_slot_type(EXERCISE_TYPE, exercise_values()), _slot_type(LEVEL_TYPE, levels)]


@cache
def _numbers() -> dict[str, int]:
    """Number words up to 199 ("twenty five") and their values."""
    from timer.exercises import number_words

    return {number_words(n).replace("-", " "): n for n in range(200)}


def parse_number(text: str | None) -> int | None:
    """An AMAZON.NUMBER value ("10"), or number words as typed in the console
    ("ten", "twenty five", "twenty-five"); None if it is neither."""
    if text is None:
        return None
    cleaned = " ".join(text.lower().replace("-", " ").split())
    return int(cleaned) if cleaned.isdigit() else _numbers().get(cleaned)


def level_named(word: str | None) -> str | None:
    """The level ``word`` names ("easy" -> "beginner"), or None."""
    cleaned = " ".join((word or "").lower().split())
    for level, synonyms in level_synonyms().items():
        if cleaned == level or cleaned in synonyms:
            return level
    return None
