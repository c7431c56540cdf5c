"""The matcher's vocabulary: ``skill/questions/vocabulary.toml``, read and checked.

It holds the words the matcher knows about: stopwords, number words,
phrases, synonym groups called concepts, which concepts mark a leg, fitness
or food question, the concepts whose words may be heard again by sound,
words that take another sense beside certain others, and the cues of each
topic (:mod:`skill.questions.cues`). :func:`parse_vocabulary` checks it;
:mod:`skill.questions.normaliser` turns questions into tokens with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from skill.core.content import KnowledgeError, read_data

VOCABULARY_FILE = "vocabulary.toml"

#: How much a "strong" and a "weak" domain concept count (see vocabulary.toml).
STRONG, WEAK = 1.0, 0.5


@dataclass(frozen=True)
class Vocabulary:
    """skill/questions/vocabulary.toml, checked: how questions are normalised."""

    stopwords: frozenset[str]
    numbers: frozenset[str]
    phrases: Mapping[str, str]
    concepts: Mapping[str, str]  # word -> concept name
    domain: Mapping[str, float]  # concept name -> STRONG or WEAK
    forms: Mapping[str, str]  # first word -> question form marker
    sounds: frozenset[str] = frozenset()  # concepts whose words may be guessed by sound
    cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # topic id -> cue patterns
    #: word -> (concept it means instead, the words or concepts that show it)
    senses: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


@cache
def load_vocabulary() -> Vocabulary:
    return parse_vocabulary(read_data(f"questions/{VOCABULARY_FILE}"))


def _known_concepts(names: Any, concepts: Mapping[str, str]) -> list[str]:
    unknown = [n for n in str(names).split() if n not in concepts.values()]
    if unknown:
        raise KnowledgeError(f"{VOCABULARY_FILE}: sounds: unknown concept {unknown[0]!r}")
    return str(names).split()


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
        sounds=frozenset(_known_concepts(data.get("sounds", {}).get("concepts", ""), concepts)),
        cues=MappingProxyType({str(k): tuple(map(str, v)) for k, v in data.get("cues", {}).items()}),
        senses=MappingProxyType(_senses(data.get("senses", {}), concepts)),
    )


def _senses(data: Mapping[str, Any], concepts: Mapping[str, str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    senses = {}
    for word, spec in data.items():
        meant, *context = str(spec).split()
        if meant not in concepts.values() or not context:
            raise KnowledgeError(f"{VOCABULARY_FILE}: senses: {word!r} needs a known concept "
                                 f"and the words that show it")
        senses[str(word)] = (meant, tuple(context))
    return senses
