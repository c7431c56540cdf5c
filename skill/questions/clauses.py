"""Where a question's clauses are: text in, clause strings out.

Clauses end at words, never at punctuation ("but", "so", "because", "and
then"...): Alexa's slot values have none, and a question must mean the same
typed or heard. A long last clause is split once where a ramble turns into
its question ("..., should I stop?"). The normaliser
(:mod:`skill.questions.normaliser`) reads each clause apart; a last clause
that refers back ("..., is that enough?") is not the whole question
(:func:`refers_back`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_CLAUSE_BREAK = re.compile(r"\s(?:but|and then|so|because|anyway|though)\s")
#: Where a ramble turns into its question ("..., should I stop?"): a clause of
#: more than _LONG_CLAUSE words is split once, at the first of these after
#: _LEAD_WORDS words.
_QUESTION_START = re.compile(
    r"\s(?=(?:(?:should|can|could|will|do|am) i|(?:is|does|will) (?:it|that|there)"
    r"|(?:what|how|why) (?:am|should|can|do|does|is)|why|how (?:many|much|often|long)"
    r"|(?:i am |i'm |im )?wondering (?:if|whether)|i wonder (?:if|whether)|whether"
    r"|would (?:it|that|this)|any tips)\s)")
_LONG_CLAUSE, _LEAD_WORDS = 8, 4
_REFERS = re.compile(r"(?:is|was|will|would|does|did|can|could|should) (?:that|it|this|these|those)\b")


def clauses(text: str) -> list[str]:
    """The clauses of ``text``, in lower case with one space between words; a
    long last one is split where its question starts."""
    plain = " ".join(_NON_WORD.sub(" ", text.lower().replace("\u2019", "'")).split())
    return _split_question([c for c in _CLAUSE_BREAK.split(f" {plain} ") if c.strip()])


def refers_back(text: str) -> bool:
    """True if the last of several clauses asks about what came before ("..., is
    that the best way?", "will it work?"): then it is not the whole question."""
    return last_refers_back(clauses(text))


def last_refers_back(said: Sequence[str]) -> bool:
    """:func:`refers_back` for a question already split into its :func:`clauses`."""
    return len(said) > 1 and _REFERS.match(said[-1].strip()) is not None


def _split_question(clauses: list[str]) -> list[str]:
    """The clauses, the last split where its question starts if it is long."""
    if not clauses or len(clauses[-1].split()) <= _LONG_CLAUSE:
        return clauses
    last = clauses[-1]
    for found in _QUESTION_START.finditer(last):
        if len(last[:found.start()].split()) >= _LEAD_WORDS:
            return [*clauses[:-1], last[:found.start()], last[found.start():]]
    return clauses
