"""The reminder intents and words, from ``skill/reminders/intents.toml``.

SetWorkoutRemindersIntent's samples are every carrier + days + time
combination the file lists; CancelRemindersIntent's are listed as they are.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from skill.core.content import read_data
from skill.model.spec import IntentSpec

SET_INTENT = "SetWorkoutRemindersIntent"
CANCEL_INTENT = "CancelRemindersIntent"


@lru_cache(maxsize=1)
def reminder_data() -> dict[str, Any]:
    """skill/reminders/intents.toml, read once."""
    return read_data("reminders/intents.toml")


def reminder_intents() -> tuple[IntentSpec, ...]:
    """The reminder intents with their samples and slots, for the interaction model."""
    intents = reminder_data()["intents"]
    found: list[IntentSpec] = []
    for name, spec in sorted(intents.items()):
        if "samples" in spec:
            samples = list(spec["samples"])
        else:
            samples = [" ".join(part for part in (carrier, days, at) if part)
                       for carrier in spec["carriers"] for days in spec["days"] for at in spec["times"]]
        slots = tuple(sorted(spec.get("slots", {}).items()))
        found.append(IntentSpec(name, tuple(samples), slots))
    return tuple(found)
