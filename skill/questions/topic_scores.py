"""How each topic scores a question's tokens: similarity, cues, the last clause.

A topic scores the TF-IDF cosine (:mod:`skill.questions.similarity`) of its
best document with the question's terms (:func:`query_terms`: a negated
exercise asks for an alternative, a negated symptom is not asked about),
plus the bonus of its cues that fire (:mod:`skill.questions.cues`); in a
long question the last clause, where the question usually is, counts most
(:data:`TAIL_WEIGHT`). A topic related to the previous answer scores a
little more (:data:`RELATED_BOOST`). :class:`TopicScores` is the part of the
matcher (:mod:`skill.questions.matcher`) that scores; the matcher decides
where a question goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from skill.questions.clauses import clauses, last_refers_back
from skill.questions.cues import CueIndex
from skill.questions.normaliser import Normaliser
from skill.questions.safety import safety_rule
from skill.questions.similarity import DECIMALS, Similarity
from skill.questions.tokens import Token

#: Score bonus for topics related to the previous answer ("what about ...?").
RELATED_BOOST = 0.05
#: A question with this many terms or more is long: its last clause counts double.
LONG_QUESTION = 12
#: Each half of a two-part question must score this much on its own, and by this
#: much more than its next best topic.
PART_THRESHOLD, PART_MARGIN = 0.4, 0.1
#: ... and name something specific: a term in few topics ("fat" alone is no question).
SPECIFIC_IDF = 2.5
#: Exercises that, negated, mean "something else" ("no lunges", "I hate squats").
_NAMED_EXERCISES = frozenset({"SQUAT", "LUNGE", "BRIDGE", "SKIP"})
#: Kinds of activity and symptoms that, negated, are simply not asked about
#: ("I don't have weights", "my legs aren't swollen, they're just big").
_NOT_ASKED = frozenset({"CARDIO", "STRENGTH", "EXERCISE", "SWELL", "SORE", "PAIN", "RED", "WARM"})
#: What a negated term asks about instead: "no lunges" an alternative, "no progress",
#: "not changed" a plateau.
_NEGATED = {**dict.fromkeys(_NAMED_EXERCISES, "ALT"), "CHANGE": "NOCHANGE"}
#: In a long question, the share of the score that comes from its last clause.
TAIL_WEIGHT = 0.7
#: ... and when the last clause refers back ("is that enough?"), a share like the rest.
REFERRING_TAIL_WEIGHT = 0.4


def query_terms(toks: Sequence[Token]) -> list[str]:
    """The terms scored: a negated named exercise asks for another one, a negated
    kind of activity or symptom is left out."""
    return [_NEGATED.get(t.term, t.term) if t.negated else t.term for t in toks
            if not (t.negated and t.term in _NOT_ASKED)]


class TopicScores:
    """Each topic's score for a question's tokens, built once with the matcher."""

    def __init__(self, normaliser: Normaliser, cues: CueIndex, similarity: Similarity,
                 topic_ids: tuple[str, ...], related: Mapping[str, frozenset[str]]) -> None:
        self.normaliser = normaliser
        self._cues = cues
        self._similarity = similarity
        self.idf = similarity.idf
        self.topic_ids = topic_ids
        self._related = related

    def scores(self, toks: Sequence[Token], *, refers: bool = False,
               bonus: Sequence[float] | None = None) -> list[float]:
        """Each topic's score, with its cues (:mod:`skill.questions.cues`;
        ``bonus``: theirs, if already known); in a long question the last
        clause weighs most, unless it ``refers`` back to what came before
        ("..., is that enough?")."""
        weight = REFERRING_TAIL_WEIGHT if refers else TAIL_WEIGHT
        terms = query_terms(toks)
        whole = self._similarity.cosines(terms)
        if bonus is None:
            bonus = self._cues.bonus(toks)
        last = [t for t in toks if t.clause == toks[-1].clause] if toks else []
        if len(toks) >= LONG_QUESTION and len(last) < len(toks):
            # The question is in the last clause: its cues, and its words if
            # there are two or more, count most.
            tail_bonus = self._cues.bonus(last)
            if any(tail_bonus):
                bonus = [(1 - weight) * a + weight * b for a, b in zip(bonus, tail_bonus)]
            if len(last) >= 2:
                tail = self._similarity.cosines(query_terms(last))
                whole = [(1 - weight) * a + weight * b for a, b in zip(whole, tail)]
        return [round(s + b, DECIMALS) if s else 0.0 for s, b in zip(whole, bonus)]

    def rank(self, text: str, n: int = 3, *,
             previous: str | None = None) -> list[tuple[str, float]]:
        """The ``n`` best topics with their scores, best first (ties in file order)."""
        said = clauses(text)
        toks = self.normaliser.clause_tokens(said)
        scores = self._boosted(self.scores(toks, refers=last_refers_back(said)), previous)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(self.topic_ids[i], round(scores[i], 4)) for i in order[:n]]

    def _boosted(self, scores: list[float], previous: str | None) -> list[float]:
        related = self._related.get(previous or "", frozenset())
        if not related:  # no previous answer, or one related to nothing
            return scores
        return [round(s + RELATED_BOOST, DECIMALS) if s > 0 and tid in related else s
                for tid, s in zip(self.topic_ids, scores)]

    def cue_topics(self, toks: Sequence[Token], bonus: Sequence[float] | None = None) -> list[str]:
        """The topics whose cues fire on ``toks`` (``bonus``: their cues' bonus,
        if already known), in file order."""
        if bonus is None:
            bonus = self._cues.bonus(toks)
        return [tid for tid, b in zip(self.topic_ids, bonus) if b]

    @staticmethod
    def _best(scores: Sequence[float]) -> int:
        """The best score's index, the first of equals."""
        return scores.index(max(scores))

    def half_topic(self, toks: Sequence[Token]) -> str | None:
        """The topic half a question (its tokens) finds clearly on its own, if any
        (:mod:`skill.questions.two_parts`)."""
        if (not toks or max((self.idf.get(t, 0.0) for t in query_terms(toks)), default=0.0)
                < SPECIFIC_IDF or safety_rule(toks) is not None):
            return None
        scores = self.scores(toks)
        best = self._best(scores)
        runner_up = max(s for i, s in enumerate(scores) if i != best)
        if scores[best] < PART_THRESHOLD or scores[best] - runner_up < PART_MARGIN:
            return None
        return self.topic_ids[best]
