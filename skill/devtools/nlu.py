"""A small local stand-in for Alexa's language understanding, for the console.

Maps a typed line to (intent name, slots) the way the interaction model
would: a few everyday words for the built-in intents, then an exact sample
of any intent, then the longest carrier phrase of a slot sample
("what about {query}" -> QuestionIntent, query="..."), and anything else as
a free-form question with the whole line as ``query``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skill.questions.intents import QUERY_SLOT, QUESTION_INTENT

KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "AMAZON.StopIntent": ("stop", "quit", "exit", "bye", "goodbye", "shut up", "be quiet"),
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


def normalise(text: str) -> str:
    """Lower case, punctuation dropped (apostrophes kept), single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class Carrier:
    intent: str
    slot: str
    prefix: str
    suffix: str


class LocalNLU:
    """Resolves typed lines against an interaction model (the JSON value)."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.exact: dict[str, str] = {}
        self.carriers: list[Carrier] = []
        for name, phrases in KEYWORDS.items():
            for phrase in phrases:
                self.exact[phrase] = name
        intents = model["interactionModel"]["languageModel"]["intents"]
        for intent in intents:
            for sample in intent.get("samples", ()):
                self._add_sample(intent["name"], sample)
        self.carriers.sort(key=lambda c: len(c.prefix) + len(c.suffix), reverse=True)

    def _add_sample(self, intent: str, sample: str) -> None:
        match = re.fullmatch(r"(.*?)\{(\w+)\}(.*)", sample)
        if match is None:
            self.exact.setdefault(normalise(sample), intent)
            return
        prefix, slot, suffix = match.groups()
        self.carriers.append(Carrier(intent, slot, normalise(prefix), normalise(suffix)))

    def resolve(self, line: str) -> tuple[str, dict[str, str]]:
        """(intent name, slot values) for a typed line."""
        text = normalise(line)
        if text in self.exact:
            return self.exact[text], {}
        for carrier in self.carriers:
            value = _strip(text, carrier.prefix, carrier.suffix)
            if value:
                return carrier.intent, {carrier.slot: value}
        return QUESTION_INTENT, {QUERY_SLOT: text}


def _strip(text: str, prefix: str, suffix: str) -> str | None:
    """``text`` between ``prefix`` and ``suffix`` (whole words), or None."""
    if prefix:
        if not text.startswith(prefix + " "):
            return None
        text = text[len(prefix) + 1 :]
    if suffix:
        if not text.endswith(" " + suffix):
            return None
        text = text[: -len(suffix) - 1]
    return text.strip() or None
