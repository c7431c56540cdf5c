"""TF-IDF cosine similarity of a question's terms with the topics' documents.

Features are terms plus unordered pairs of nearby terms; idf is smoothed;
a topic scores its best document, with a little of its second best to break
near ties. Built once; sums run in sorted feature order and are rounded, so
scores are the same in every process.

A question is scored without visiting every document that shares a common
feature with it ("leg" is in nearly half of them). Only the documents that
share one of its rarer features are scored one by one. Every other document
shares only common features with it, and the common features it has decide
its dot product: the documents are kept in groups of a topic with the same
common features, least norm first, so in each group only the first
documents can be the topic's best or second best, and a topic's groups are
visited best first until none can beat its second best (:class:`_Groups`).
Both ways give the scores of a full scan, bit for bit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

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
#: A feature in at least this share of the documents is common: its documents
#: are scored by group, not one by one ...
COMMON_SHARE = 0.08
#: ... and at most this many features are (each is a bit in a group's key).
MOST_COMMON = 8

Docs = tuple[tuple[int, float], ...]  # (document, norm), least norm first


def features(terms: Sequence[str], window: int = PAIR_WINDOW) -> set[str]:
    """The terms, plus unordered pairs of terms at most ``window`` apart."""
    found = set(terms)
    for i, a in enumerate(terms):
        for b in terms[i + 1:i + 1 + window]:
            if a != b:
                found.add(f"{a}|{b}" if a < b else f"{b}|{a}")
    return found


class Similarity:
    """The documents' features (topic index, features) indexed for cosines."""

    def __init__(self, doc_features: Sequence[tuple[int, set[str]]], n_topics: int) -> None:
        self.n_topics = n_topics
        self.idf = _idf(doc_features, n_topics)
        # The query weighs a feature by its idf too: a shared feature adds idf².
        self._weight = {f: w * w for f, w in self.idf.items()}
        self._topics = [topic for topic, _ in doc_features]
        self._norms = [math.sqrt(sum(self._weight[f] for f in sorted(fs))) or 1.0
                       for _, fs in doc_features]
        self._common = _common(doc_features)
        self._postings: dict[str, list[int]] = {}
        for doc, (_, fs) in enumerate(doc_features):
            for f in fs:
                self._postings.setdefault(f, []).append(doc)
        self._sets = {f: frozenset(self._postings[f]) for f in self._common}
        self._bits = {f: 1 << i for i, f in enumerate(self._common)}  # as in _Groups
        self._groups = _Groups(doc_features, self._norms, self._common, self._weight)

    def cosines(self, terms: Sequence[str]) -> list[float]:
        """Best cosine similarity of the terms with each topic's documents."""
        query = sorted(features(terms))
        idf = self.idf
        known = [f for f in query if f in idf]
        unknown = sum(1 for f in query if "|" not in f and f not in idf)
        q_norm = math.sqrt(sum(idf[f] ** 2 for f in known) + unknown * UNKNOWN_WEIGHT**2) or 1.0
        best = [0.0] * self.n_topics
        second = [0.0] * self.n_topics
        touched = self._rare_docs(known)
        dots = self._dots(known, touched)
        topics, norms = self._topics, self._norms
        for doc in touched:
            topic, score = topics[doc], dots[doc] / norms[doc]
            if score > second[topic]:  # among the topic's two best so far
                if score > best[topic]:
                    best[topic], second[topic] = score, best[topic]
                else:
                    second[topic] = score
        self._groups.keep_best(best, second, self._common_mask(known), touched)
        # The best document decides; a second close one breaks near ties.
        return [round((b + SECOND_WEIGHT * c) / q_norm, DECIMALS) if b else 0.0
                for b, c in zip(best, second)]

    def _rare_docs(self, known: Sequence[str]) -> set[int]:
        """The documents that share a rare feature with the query."""
        touched: set[int] = set()
        for f in known:
            if f not in self._bits:
                touched.update(self._postings[f])
        return touched

    def _dots(self, known: Sequence[str], touched: set[int]) -> list[float]:
        """The dot products of the ``touched`` documents (by document; 0 for the
        others), each summed in sorted feature order (``known`` is sorted),
        common features included."""
        dots = [0.0] * len(self._topics)
        weight, sets, postings = self._weight, self._sets, self._postings
        for f in known:
            w = weight[f]
            for doc in postings[f] if f not in sets else touched.intersection(sets[f]):
                dots[doc] += w
        return dots

    def _common_mask(self, known: Sequence[str]) -> int:
        """The common features of the query, as a bit mask (see :class:`_Groups`)."""
        bits = self._bits
        return sum(bits[f] for f in known if f in bits)


class _Groups:
    """Documents by topic and by the common features they have (a bit mask,
    bits in sorted feature order), least norm first. Documents that share
    only common features with a query have the dot product of their group,
    and the least norms give the best scores. For each set of common
    features a query may have (at most 2 ** :data:`MOST_COMMON`), each
    topic's groups are ranked once, by the best score they may give."""

    def __init__(self, doc_features: Sequence[tuple[int, set[str]]], norms: Sequence[float],
                 common: Sequence[str], weights: Mapping[str, float]) -> None:
        bit = {f: 1 << i for i, f in enumerate(common)}
        members: dict[tuple[int, int], list[int]] = {}
        for doc, (topic, fs) in enumerate(doc_features):
            mask = sum(bit[f] for f in fs if f in bit)
            if mask:
                members.setdefault((topic, mask), []).append(doc)
        self._groups = [(topic, mask, tuple(sorted(((d, norms[d]) for d in docs),
                                                   key=lambda doc: (doc[1], doc[0]))))
                        for (topic, mask), docs in sorted(members.items())]
        self._weights = [weights[f] for f in common]
        self._ranked: dict[int, list[tuple[int, list[tuple[float, float, Docs]]]]] = {}

    def keep_best(self, best: list[float], second: list[float], query: int,
                  scored: set[int]) -> None:
        """Keep each topic's two best scores of the documents not already ``scored``;
        ``query``: the common features the query has (a bit mask)."""
        ranked = self._ranked.get(query)
        if ranked is None:
            ranked = self._ranked[query] = self._rank(query)
        for topic, groups in ranked:
            for bound, dot, docs in groups:  # the best score first
                if bound <= second[topic]:
                    break
                for doc, norm in docs:  # least norm, so best score, first
                    if doc in scored:
                        continue
                    score = dot / norm
                    if score <= second[topic]:
                        break
                    if score > best[topic]:
                        best[topic], second[topic] = score, best[topic]
                    else:
                        second[topic] = score

    def _rank(self, query: int) -> list[tuple[int, list[tuple[float, float, Docs]]]]:
        """Each topic's groups that share a feature with ``query``, by the
        best score they may give (their dot product over their least norm)."""
        by_topic: dict[int, list[tuple[float, float, Docs]]] = {}
        dots: dict[int, float] = {}
        for topic, mask, docs in self._groups:
            shared = mask & query
            if shared:
                dot = dots.get(shared)
                if dot is None:
                    dot = dots[shared] = _sum_bits(shared, self._weights)
                by_topic.setdefault(topic, []).append((dot / docs[0][1], dot, docs))
        return [(topic, sorted(groups, key=lambda g: -g[0])) for topic, groups in by_topic.items()]


def _sum_bits(mask: int, weights: Sequence[float]) -> float:
    """The weights of the bits set in ``mask``, summed in bit order."""
    total = 0.0
    for i, w in enumerate(weights):
        if mask >> i & 1:
            total += w
    return total


def _common(doc_features: Sequence[tuple[int, set[str]]]) -> tuple[str, ...]:
    """The common features (see :data:`COMMON_SHARE`), in sorted order."""
    counts = Counter(f for _, fs in doc_features for f in fs)
    most = sorted(counts, key=lambda f: (-counts[f], f))[:MOST_COMMON]
    return tuple(sorted(f for f in most if counts[f] >= COMMON_SHARE * len(doc_features)))


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
