"""Two questions in one: where a question may be cut in two, and whether each half asks its own.

"... and how often?", "..., is it my genes?", "sugar or salt, which is
worse for puffy legs?": a question is cut at the first join that gives two
("do I need cardio or weights, and how many days a week" is cut at "and");
with no joining word, where a second question starts, or between the few
words named before "which" ("protein sugar which first"). A first half that
tells a story ("I've been doing squats and ...") or, with no joining word,
sets something aside ("i don't eat fat, ...") is the start of one question.
Which topic each half finds is the matcher's to say (:class:`Halves`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from skill.questions.tokens import Token

#: A first half that tells what someone has done ("I've been doing squats and
#: ...") is the story before one question, not a question of its own.
_TOLD = frozenset({"been", "started", "done", "did", "was", "were", "had", "used"})
_ASKING = frozenset({"how", "what", "why", "which", "when", "should", "can", "could", "will",
                     "would", "is", "are", "does", "do"})
#: Where a question may join two ("... and how often?"); "each and every" joins nothing.
_JOINS = re.compile(r"(?<!each)[,;]?\s+(?:and also|and|or|also|plus|as well as)\s+")
#: With no joining word, where a second question starts ("..., is it my genes")...
_SECOND_QUESTION = re.compile(
    r"(?<=\s)(?:(?:is|are|does|do|can|could|should|will|would) (?:it|that|this|they|there|these|those)"
    r"|what about|how (?:often|long|much|many|soon)|why)\b", re.IGNORECASE)
#: ... or a choice whose sides are named before "which", up to this many words ("protein sugar which first").
_WHICH, CHOICE_WORDS = re.compile(r"\bwhich\b", re.IGNORECASE), 4
#: A first half that sets something aside is context, not a question ("i don't eat fat, ...").
_DENIED = re.compile(r"\b(?:not|no|never|don'?t|isn'?t|can'?t|cannot|ain'?t|haven'?t|won'?t|aren'?t)\b",
                     re.IGNORECASE)


class Halves(Protocol):
    """How the matcher reads a half question."""

    def tokens(self, text: str) -> list[Token]: ...

    def asked(self, text: str) -> list[str]:
        """The words after any carrier phrase ("how do I ...")."""
        ...

    def half_topic(self, toks: Sequence[Token]) -> str | None:
        """The topic a half question finds clearly on its own, if any."""
        ...


def two_questions(text: str, halves: Halves) -> tuple[str, str, bool] | None:
    """(first topic, second topic, a choice) when each half of the question
    finds its own, cut at the first place that gives two."""
    joins = [(j.start(), j.end(), j.group().strip(" ,;") == "or") for j in _JOINS.finditer(text)]
    cuts = joins or _unjoined(text)
    for start, end, choice in cuts:
        before, after = text[:start], text[end:]
        if _tells(halves.asked(before)) or (not joins and _DENIED.search(before)):
            return None
        first = halves.tokens(before)
        if not (joins or choice) and len(first) < 2:  # "how long | does it"
            continue
        found = halves.half_topic(first)
        also = halves.half_topic(halves.tokens(after)) if found is not None else None
        if found is not None and also is not None and found != also:
            return found, also, choice
    return None


def _tells(said: Sequence[str]) -> bool:
    """The words after any carrier phrase tell a story and ask nothing
    (read the same whether typed whole or heard after "how do ...")."""
    words = set(said)
    about_me = "am" in words and "am i" not in " ".join(said)  # "I'm a guy and ..."
    return bool(words & _TOLD or about_me) and not words & _ASKING


def _unjoined(text: str) -> list[tuple[int, int, bool]]:
    """Where a question with no joining word may be two: before a second
    question ("why are my legs so stubborn is it my genes"), or between the
    few words named before "which" ("protein sugar which first")."""
    cuts = [(m.start(), m.start(), False) for m in _SECOND_QUESTION.finditer(text)
            if len(text[:m.start()].split()) >= 2]
    which = _WHICH.search(text)
    named = text[:which.start()].split() if which else []
    if 2 <= len(named) <= CHOICE_WORDS:
        ends = [len(" ".join(named[:i])) for i in range(1, len(named))]
        cuts = [(end, end + 1, True) for end in ends] + cuts
    return cuts
