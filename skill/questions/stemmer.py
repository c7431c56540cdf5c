"""A light stemmer: the same stem for a word's plural, -ing, -ed and -ly forms.

Consistent rather than correct: the normaliser (:mod:`skill.questions.normaliser`)
stems both the questions and the topics' documents with it, so they meet.
"""

from __future__ import annotations


def stem(word: str) -> str:
    """A light, consistent stemmer: plurals, -ing, -ed, -ly, final e."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 5:
        word = word[:-2]
    elif word.endswith("ly") and len(word) > 5:
        word = word[:-2]
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] in "bdgmnprt":
        word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word
