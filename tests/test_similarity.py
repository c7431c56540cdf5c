"""TF-IDF cosines: the indexed scoring gives exactly the scores of a full scan.

The index scores one by one only the documents that share a rare feature
with the question and the rest by groups; whatever the documents, each
topic's score must be the one a scan of every document gives, to the bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

import labelled
from skill.questions.matcher import Matcher, default_matcher, query_terms
from skill.questions.similarity import SECOND_WEIGHT, UNKNOWN_WEIGHT, DECIMALS, Similarity, features

Docs = Sequence[tuple[int, set[str]]]


def scanned(similarity: Similarity, docs: Docs, n_topics: int, terms: Sequence[str]) -> list[float]:
    """Every document scored in turn: the definition the index must agree with."""
    idf = similarity.idf
    query = sorted(features(terms))
    known = [f for f in query if f in idf]
    unknown = sum(1 for f in query if "|" not in f and f not in idf)
    q_norm = math.sqrt(sum(idf[f] ** 2 for f in known) + unknown * UNKNOWN_WEIGHT**2) or 1.0
    best, second = [0.0] * n_topics, [0.0] * n_topics
    for topic, fs in docs:
        norm = math.sqrt(sum(idf[f] * idf[f] for f in sorted(fs))) or 1.0
        dot = 0.0
        for f in known:
            if f in fs:
                dot += idf[f] * idf[f]
        score = dot / norm
        if score > best[topic]:
            best[topic], second[topic] = score, best[topic]
        elif score > second[topic]:
            second[topic] = score
    return [round((b + SECOND_WEIGHT * c) / q_norm, DECIMALS) if b else 0.0
            for b, c in zip(best, second)]


def matcher_documents(matcher: Matcher) -> list[tuple[int, set[str]]]:
    return [(i, features(query_terms(matcher.tokens(text))))
            for i, topic in enumerate(matcher.knowledge.topics.values()) if not topic.safety
            for text in matcher._documents(topic)]


def test_the_topics_score_every_labelled_question_as_a_full_scan_does() -> None:
    matcher = default_matcher()
    docs = matcher_documents(matcher)
    n = len(matcher.topic_ids)
    similarity = Similarity(docs, n)
    for question in labelled.training():
        terms = query_terms(matcher.tokens(question.text))
        assert similarity.cosines(terms) == scanned(similarity, docs, n, terms), question.text


# A few words, so that some are in most documents (common) and some in few.
WORDS = st.sampled_from(["LEG", "LEG", "LEG", "FAT", "FAT", "LOSE", "squat", "salt", "walk",
                         "sugar", "calf", "tone", "run", "skin"])
TERMS = st.lists(WORDS, min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(docs=st.lists(st.tuples(st.integers(0, 3), TERMS), min_size=1, max_size=60),
       queries=st.lists(st.lists(WORDS | st.just("unheard"), max_size=8), min_size=1, max_size=5))
def test_any_documents_score_as_a_full_scan_does(docs: list[tuple[int, list[str]]],
                                                  queries: list[list[str]]) -> None:
    doc_features = [(topic, features(terms)) for topic, terms in docs]
    similarity = Similarity(doc_features, 5)
    for terms in queries:
        assert similarity.cosines(terms) == scanned(similarity, doc_features, 5, terms)
