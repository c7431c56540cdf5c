"""A question as the matcher reads it: one :class:`Token` per meaningful word.

:mod:`skill.questions.normaliser` makes them; the safety layer, the eating
signs, the cues and the matcher read them. Kept apart from the normaliser,
so that what only reads tokens does not depend on how they are made.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a question and the term it counts as."""

    surface: str  # the word as heard (after contractions and phrases)
    term: str  # the stem or concept it counts as
    negated: bool = False  # inside the scope of "not", "no", "without"...
    clause: int = 0  # which clause of the question (split at punctuation and "but")
    heard: str = ""  # if a guess: the unknown word(s) taken for a known one that sounds alike
