"""A small local stand-in for Alexa's language understanding, for the console.

Maps a typed line to (intent name, slots) the way the interaction model
would: a few everyday words for the built-in intents, then an exact sample
of any intent, then a sample with slots, whose slot values must fit their
slot types as Alexa's would (a day for ``AMAZON.DayOfWeek``, a time for
``AMAZON.TIME``, sent as Alexa sends it: "six pm" is ``18:00``), most
specific sample first; anything else is a free-form question with the whole
line as ``query``. "Alexa, ask leg coach to ..." in front of a line is
dropped, as Alexa drops it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from skill.questions.intents import QUERY_SLOT, QUESTION_INTENT
from timer.reminders_config import DAY_NAMES, day_index

KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "AMAZON.StopIntent": ("stop", "exit", "bye", "goodbye", "shut up", "be quiet"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it"),
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can you do"),
    "AMAZON.YesIntent": ("yes", "yeah", "yep", "sure", "ok", "okay", "yes please", "please do"),
    "AMAZON.NoIntent": ("no", "nope", "no thanks", "no thank you", "not now"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "again", "pardon",
                            "what did you say"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "start over", "main menu"),
    # guided workouts
    "AMAZON.NextIntent": ("next",),
    "AMAZON.PauseIntent": ("pause", "pause that", "hold on", "wait"),
    "AMAZON.ResumeIntent": ("resume", "continue", "unpause"),
    "AMAZON.PreviousIntent": ("previous", "go back"),
}

_PUNCTUATION = re.compile(r"[^\w' ]+")
_INVOCATION = re.compile(r"^(?:alexa )?(?:ask|tell) leg coach (?:to |for |about |if |whether )?")
_SLOT = re.compile(r"\{(\w+)\}")


def normalise(text: str) -> str:
    """Lower case, punctuation dropped (apostrophes kept), single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


# -- slot values as Alexa sends them ------------------------------------------

_NUMBERS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "oh": 0})
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "tonight": "NI"}


def day_value(words: str) -> str | None:
    """An ``AMAZON.DayOfWeek`` value: the day's name, or None."""
    index = day_index(words)
    return DAY_NAMES[index] if index is not None else None


def _number(words: list[str]) -> int | None:
    if not words:
        return None
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    total = 0
    for word in words:
        if word not in _NUMBERS:
            return None
        total += _NUMBERS[word]
    return total


def time_value(words: str) -> str | None:
    """An ``AMAZON.TIME`` value: "six pm" -> "18:00", "6 30 am" -> "06:30",
    "noon" -> "12:00", "in the evening" -> "EV"; None if not a time."""
    text = re.sub(r"(\d)(am|pm)\b", r"\1 \2", words.replace("o'clock", "").replace("a m", "am")
                  .replace("p m", "pm"))
    tokens = [t for t in text.split() if t not in ("in", "the", "at")]
    if len(tokens) == 1 and tokens[0] in PARTS_OF_DAY:
        return PARTS_OF_DAY[tokens[0]]
    if tokens in (["noon"], ["midday"]):
        return "12:00"
    if tokens == ["midnight"]:
        return "00:00"
    half = None
    if tokens and tokens[-1] in ("am", "pm", "morning", "afternoon", "evening", "night"):
        half = "am" if tokens[-1] in ("am", "morning") else "pm"
        tokens = tokens[:-1]
    if not tokens:
        return None
    hour, minute = _number(tokens[:1]), _number(tokens[1:]) if len(tokens) > 1 else 0
    if hour is None or minute is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        return None
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


#: Slot types whose values are checked and written as Alexa writes them.
SLOT_VALUES: Mapping[str, Callable[[str], str | None]] = {
    "AMAZON.DayOfWeek": day_value,
    "AMAZON.TIME": time_value,
}


@dataclass(frozen=True)
class Template:
    """A sample with slots, as a pattern over normalised text."""

    intent: str
    pattern: re.Pattern[str]
    slots: tuple[tuple[str, str], ...]  # (slot name, slot type), in order
    literal: int                        # characters of fixed words

    def match(self, text: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        values: dict[str, str] = {}
        for name, kind in self.slots:
            said = found.group(name).strip()
            value = SLOT_VALUES[kind](said) if kind in SLOT_VALUES else said
            if not value:
                return None
            values[name] = value
        return values


def template(intent: str, sample: str, types: Mapping[str, str]) -> Template:
    pieces, slots, literal, at = [], [], 0, 0
    for found in _SLOT.finditer(sample):
        words = normalise(sample[at:found.start()])
        if words:
            pieces.append(re.escape(words))
            literal += len(words)
        name = found.group(1)
        pieces.append(rf"(?P<{name}>.+?)")
        slots.append((name, types.get(name, "")))
        at = found.end()
    words = normalise(sample[at:])
    if words:
        pieces.append(re.escape(words))
        literal += len(words)
    return Template(intent, re.compile(" ".join(pieces)), tuple(slots), literal)


class LocalNLU:
    """Resolves typed lines against an interaction model (the JSON value)."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.exact: dict[str, str] = {}
        self.templates: list[Template] = []
        for name, phrases in KEYWORDS.items():
            for phrase in phrases:
                self.exact[phrase] = name
        for intent in model["interactionModel"]["languageModel"]["intents"]:
            types = {slot["name"]: slot["type"] for slot in intent.get("slots", ())}
            for sample in intent.get("samples", ()):
                if _SLOT.search(sample):
                    self.templates.append(template(intent["name"], sample, types))
                else:
                    self.exact.setdefault(normalise(sample), intent["name"])
        self.templates.sort(key=lambda t: (t.literal, len(t.slots)), reverse=True)

    def resolve(self, line: str) -> tuple[str, dict[str, str]]:
        """(intent name, slot values) for a typed line."""
        text = _INVOCATION.sub("", normalise(line))
        if text in self.exact:
            return self.exact[text], {}
        for each in self.templates:
            slots = each.match(text)
            if slots is not None:
                return each.intent, slots
        return QUESTION_INTENT, {QUERY_SLOT: text}
