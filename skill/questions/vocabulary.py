"""How questions are normalised before matching: the vocabulary and the normaliser.

``skill/questions/vocabulary.toml`` holds the words the matcher knows about
(stopwords, number words, phrases, synonym groups called concepts, which
concepts mark a leg, fitness or food question, question-form words);
:func:`parse_vocabulary` checks it. A :class:`Normaliser` turns text into
:class:`Token` s with it: lower case, contractions, numbers, phrases, a light
stemmer, then concepts. Kept apart from the scoring in :mod:`skill.questions.matcher`,
which sees only tokens.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from skill.questions.knowledge import KnowledgeError

VOCABULARY_FILE = "vocabulary.toml"

#: How much a "strong" and a "weak" domain concept count (see vocabulary.toml).
STRONG, WEAK = 1.0, 0.5


@dataclass(frozen=True)
class Token:
    """A word of a question and the term it counts as."""

    surface: str  # the word as heard (after contractions and phrases)
    term: str  # the stem or concept it counts as


@dataclass(frozen=True)
class Vocabulary:
    """skill/questions/vocabulary.toml, checked: how questions are normalised."""

    stopwords: frozenset[str]
    numbers: frozenset[str]
    phrases: Mapping[str, str]
    concepts: Mapping[str, str]  # word -> concept name
    domain: Mapping[str, float]  # concept name -> STRONG or WEAK
    forms: Mapping[str, str]  # first word -> question form marker


@cache
def load_vocabulary() -> Vocabulary:
    text = resources.files("skill").joinpath("questions", VOCABULARY_FILE).read_text(encoding="utf-8")
    return parse_vocabulary(tomllib.loads(text))


def parse_vocabulary(data: Mapping[str, Any]) -> Vocabulary:
    concepts: dict[str, str] = {}
    for name, words in dict(data.get("concepts", {})).items():
        for word in str(words).split():
            if word in concepts:
                raise KnowledgeError(f"{VOCABULARY_FILE}: concept {name!r}: word {word!r} is "
                                     f"already in {concepts[word]!r}")
            concepts[word] = name
    domain: dict[str, float] = {}
    for level, weight in (("strong", STRONG), ("weak", WEAK)):
        for name in str(data.get("domain", {}).get(level, "")).split():
            if name not in concepts.values():
                raise KnowledgeError(f"{VOCABULARY_FILE}: domain: unknown concept {name!r}")
            domain[name] = weight
    return Vocabulary(
        stopwords=frozenset(str(data.get("stopwords", "")).split()),
        numbers=frozenset(str(data.get("numbers", "")).split()),
        phrases=MappingProxyType({str(k): str(v) for k, v in data.get("phrases", {}).items()}),
        concepts=MappingProxyType(concepts),
        domain=MappingProxyType(domain),
        forms=MappingProxyType({word: form for form, words in data.get("question_forms", {}).items()
                                for word in str(words).split()}),
    )


_CONTRACTIONS = (("won't", "will not"), ("can't", "can not"), ("n't", " not"), ("'re", " are"),
                 ("'m", " am"), ("'ll", " will"), ("'ve", " have"), ("'d", " would"), ("'s", ""))
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


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


class Normaliser:
    """Turns text into :class:`Token` s using a :class:`Vocabulary`."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        phrases = sorted(vocabulary.phrases, key=len, reverse=True)
        self._phrase_re = re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b")
        self._stems: dict[str, str] = {}
        for word, concept in vocabulary.concepts.items():
            self._stems.setdefault(stem(word), concept)

    def words(self, text: str) -> list[str]:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
        text = _DIGITS.sub(lambda m: " one " if m.group() == "1" else " num ", text)
        for short, long in _CONTRACTIONS:
            text = text.replace(short, long)
        numbers = self.vocabulary.numbers
        plain = _NON_WORD.sub(" ", text).replace("'", "").split()
        words = ("num" if w in numbers else w for w in plain)
        phrases = self.vocabulary.phrases
        return self._phrase_re.sub(lambda m: phrases[m.group()], " ".join(words)).split()

    def tokens(self, text: str) -> list[Token]:
        """The meaningful words of ``text``, each with the term it counts as."""
        words = self.words(text)
        form = self.vocabulary.forms.get(words[0]) if words else None
        out = [Token(words[0], form)] if form else []
        concepts, stopwords = self.vocabulary.concepts, self.vocabulary.stopwords
        for word in words:
            if word in stopwords:
                continue
            term = concepts.get(word)
            if term is None:
                stemmed = stem(word)
                term = self._stems.get(stemmed, stemmed)
            out.append(Token(word, term))
        return out
