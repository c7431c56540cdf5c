"""TF-IDF cosine similarity of a question's terms with the topics' documents.

Features are terms plus unordered pairs of nearby terms; idf is smoothed;
a topic scores its best document, with a little of its second best to break
near ties. Built once; sums run in sorted feature order and are rounded, so
scores are the same in every process.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Weight of a topic's second best document in its score.
SECOND_WEIGHT = 0.1
#: Weight of a word pair relative to its idf (single words count 1).
PAIR_WEIGHT = 0.6
#: Words this far apart or closer (after stopwords) also count as a pair.
PAIR_WINDOW = 2
#: Weight, in the question's length, of a word no topic uses.
UNKNOWN_WEIGHT = 1.0
#: Scores are compared at this many decimals (float sums differ in the last bits).
DECIMALS = 9


def features(terms: Sequence[str], window: int = PAIR_WINDOW) -> set[str]:
    """The terms, plus unordered pairs of terms at most ``window`` apart."""
    found = set(terms)
    for i, a in enumerate(terms):
        for b in terms[i + 1:i + 1 + window]:
            if a != b:
                found.add(f"{a}|{b}" if a < b else f"{b}|{a}")
    return found


@dataclass(frozen=True)
class _Doc:
    topic: int
    norm: float


class Similarity:
    """The documents' features (topic index, features) indexed for cosines."""

    def __init__(self, doc_features: Sequence[tuple[int, set[str]]], n_topics: int) -> None:
        self.n_topics = n_topics
        self.idf = _idf(doc_features, n_topics)
        self._docs: list[_Doc] = []
        self._index: dict[str, list[tuple[int, float]]] = {}
        for i, fs in doc_features:
            weights = [(f, self.idf[f]) for f in sorted(fs)]
            for f, w in weights:  # the query weighs a feature by its idf too
                self._index.setdefault(f, []).append((len(self._docs), w * w))
            self._docs.append(_Doc(i, math.sqrt(sum(w * w for _, w in weights)) or 1.0))

    def cosines(self, terms: Sequence[str]) -> list[float]:
        """Best cosine similarity of the terms with each topic's documents."""
        query = sorted(features(terms))
        idf, index, docs = self.idf, self._index, self._docs
        known = [f for f in query if f in idf]
        unknown = sum(1 for f in query if "|" not in f and f not in idf)
        q_norm = math.sqrt(sum(idf[f] ** 2 for f in known) + unknown * UNKNOWN_WEIGHT**2) or 1.0
        dots: dict[int, float] = {}
        get = dots.get
        for f in known:  # sorted features, built postings: the same order in every process
            for doc, product in index[f]:
                dots[doc] = get(doc, 0.0) + product
        best = [0.0] * self.n_topics
        second = [0.0] * self.n_topics
        for doc in dots:
            d = docs[doc]
            score = dots[doc] / d.norm
            if score > best[d.topic]:
                best[d.topic], second[d.topic] = score, best[d.topic]
            elif score > second[d.topic]:
                second[d.topic] = score
        # The best document decides; a second close one breaks near ties.
        return [round((b + SECOND_WEIGHT * c) / q_norm, DECIMALS) if b else 0.0
                for b, c in zip(best, second)]


def _idf(doc_features: Iterable[tuple[int, set[str]]], n_topics: int) -> dict[str, float]:
    topics_with: dict[str, set[int]] = {}
    for i, fs in doc_features:
        for f in fs:
            topics_with.setdefault(f, set()).add(i)
    idf = {}
    for f, owners in topics_with.items():
        weight = 1.0 + math.log((n_topics + 1) / (len(owners) + 1))
        idf[f] = weight * PAIR_WEIGHT if "|" in f else weight
    return idf
