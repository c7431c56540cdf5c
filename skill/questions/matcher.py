"""Map any question to a topic, a see-a-doctor answer, or "out of scope".

Deterministic and explainable; everything but the question is precomputed
when a :class:`Matcher` is built:

1. Normalise (:mod:`skill.questions.vocabulary`): lower case, contractions, numbers,
   phrases ("how come" -> why, "jump rope" -> skipping), a light stemmer,
   then synonym groups (thigh, hips, calves -> LEG; slim, burn, shrink -> LOSE; ...).
2. Safety rules first: pain, a swollen, red or warm single leg, clots,
   lipoedema signs, health conditions, doctors -> the matching see-a-doctor
   topic. Safety topics are reached only this way, never by similarity.
3. TF-IDF cosine (smoothed idf) over single terms, unordered pairs of
   nearby terms and a question-form marker (yes/no or wh-) against every
   title, sample and keyword list of the other topics; a topic scores its
   best document.
4. Out of scope unless the question has a leg, fitness or food word (weak
   ones only count when nothing in it is unfamiliar) and the best score
   clears :data:`THRESHOLD`. Never a random topic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from skill.questions.knowledge import Knowledge, Topic, load_knowledge
from skill.questions.vocabulary import Normaliser, Token, Vocabulary, load_vocabulary

Kind = Literal["topic", "safety", "out_of_scope"]

#: Minimum cosine similarity for an answer.
THRESHOLD = 0.3
#: Weight of a word pair relative to its idf (single words count 1).
PAIR_WEIGHT = 0.6
#: Words this far apart or closer (after stopwords) also count as a pair.
PAIR_WINDOW = 2
#: Weight, in the question's length, of a word no topic uses.
UNKNOWN_WEIGHT = 1.0
#: Score bonus for topics related to the previous answer ("what about ...?").
RELATED_BOOST = 0.05


@dataclass(frozen=True)
class Match:
    """Where a question goes. ``topic_id`` is None only for out of scope."""

    kind: Kind
    topic_id: str | None
    score: float
    reason: str = ""


def features(terms: Sequence[str], window: int = PAIR_WINDOW) -> set[str]:
    """The terms, plus unordered pairs of terms at most ``window`` apart."""
    found = set(terms)
    for i, a in enumerate(terms):
        for b in terms[i + 1:i + 1 + window]:
            if a != b:
                found.add(f"{a}|{b}" if a < b else f"{b}|{a}")
    return found


# ------------------------------------------------------------ safety rules

_ONE_SIDE = frozenset({"one", "left", "right", "single"})
_SIDE_PARTS = frozenset({"LEG", "LIMB", "side"})
_MOVING = frozenset({"EXERCISE", "SQUAT", "LUNGE", "BRIDGE", "SKIP", "CARDIO", "STRENGTH"})


def safety_rule(toks: Sequence[Token], unknown: int) -> tuple[str, str] | None:
    """(see-a-doctor topic id, reason) when a safety rule fires, else None."""
    terms = [t.term for t in toks]
    has = set(terms)
    swell, pain = "SWELL" in has, "PAIN" in has
    hot = ("WARM" in has or "RED" in has) and "SOAK" not in has
    one_sided = any(
        t.surface in _ONE_SIDE and _SIDE_PARTS & set(terms[i + 1:i + 4]) for i, t in enumerate(toks)
    )
    if "LIPO" in has:
        return "lipoedema", "names lipoedema"
    if "CLOT" in has or "EMERGENCY" in has:
        return "blood_clot", "clot or emergency words"
    if swell and (one_sided or "SUDDEN" in has or hot or pain):
        return "blood_clot", "swelling that is one-sided, sudden, red, warm or painful"
    if hot and has & {"LEG", "LIMB"}:
        return "blood_clot", "a red or warm leg"
    if "BRUISE" in has and has & {"LEG", "LIMB", "FAT"}:
        return "lipoedema", "bruising legs"
    if pain and _near(terms, "PAIN", "FAT"):
        return "lipoedema", "painful fat"
    if swell and "PERSISTENT" in has:
        return "see_doctor", "swelling that lasts"
    if "CONDITION" in has:
        return "see_doctor", "a health condition"
    if pain:
        if has & ({"LEG", "LIMB"} | _MOVING):
            return "leg_pain", "leg pain"
        return "see_doctor", "pain"
    if "DOCTOR" in has and (has & {"LEG", "LIMB", "FAT"} or not unknown):
        return "see_doctor", "asks about a doctor"
    return None


def _near(terms: Sequence[str], a: str, b: str, distance: int = 1) -> bool:
    where_a = [i for i, t in enumerate(terms) if t == a]
    return any(abs(i - j) <= distance for i in where_a for j, t in enumerate(terms) if t == b)


# ------------------------------------------------------------ matcher


@dataclass(frozen=True)
class _Doc:
    topic: int
    norm: float


class Matcher:
    """Built once from the knowledge; :meth:`match` takes well under a millisecond."""

    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary | None = None, *,
                 threshold: float = THRESHOLD) -> None:
        self.knowledge = knowledge
        self.threshold = threshold
        self.normaliser = Normaliser(vocabulary or load_vocabulary())
        self._domain = self.normaliser.vocabulary.domain
        self.topic_ids = tuple(knowledge.topics)
        self._safety_ids = frozenset(t.id for t in knowledge.safety)
        self._related = {t.id: frozenset(t.related) for t in knowledge.topics.values()}
        # Safety topics are reached through the rules only, never by similarity.
        texts = [(i, topic.safety, text) for i, topic in enumerate(knowledge.topics.values())
                 for text in self._documents(topic)]
        all_features = [(i, safety, features([t.term for t in self.tokens(text)]))
                        for i, safety, text in texts]
        self.known = frozenset(f for _, _, fs in all_features for f in fs)
        doc_features = [(i, fs) for i, safety, fs in all_features if not safety]
        self.idf = self._idf(doc_features, len(self.topic_ids))
        self._docs: list[_Doc] = []
        self._index: dict[str, list[tuple[int, float]]] = {}
        for i, fs in doc_features:
            weights = {f: self.idf[f] for f in fs}
            for f, w in weights.items():
                self._index.setdefault(f, []).append((len(self._docs), w))
            self._docs.append(_Doc(i, math.sqrt(sum(w * w for w in weights.values())) or 1.0))

    def tokens(self, text: str) -> list[Token]:
        return self.normaliser.tokens(text)

    @staticmethod
    def _documents(topic: Topic) -> tuple[str, ...]:
        """What a topic is matched against: its title, samples and keywords."""
        return (topic.title, *topic.samples, " ".join(topic.keywords))

    @staticmethod
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

    def scores(self, toks: Sequence[Token]) -> list[float]:
        """Best cosine similarity of the question with each topic's documents."""
        query = features([t.term for t in toks])
        known = [f for f in query if f in self.idf]
        unknown = sum(1 for f in query if "|" not in f and f not in self.idf)
        q_norm = math.sqrt(sum(self.idf[f] ** 2 for f in known) + unknown * UNKNOWN_WEIGHT**2)
        dots: dict[int, float] = {}
        idf, index, docs = self.idf, self._index, self._docs
        for f in known:
            w = idf[f]
            for doc, dw in index[f]:
                dots[doc] = dots.get(doc, 0.0) + w * dw
        best = [0.0] * len(self.topic_ids)
        for doc, dot in dots.items():
            d = docs[doc]
            score = dot / (q_norm * d.norm)
            if score > best[d.topic]:
                best[d.topic] = score
        return best

    def rank(self, text: str, n: int = 3, *,
             previous: str | None = None) -> list[tuple[str, float]]:
        """The ``n`` best topics with their scores, best first (ties in file order)."""
        scores = self._boosted(self.scores(self.tokens(text)), previous)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(self.topic_ids[i], round(scores[i], 4)) for i in order[:n]]

    def _boosted(self, scores: list[float], previous: str | None) -> list[float]:
        related = self._related.get(previous or "", frozenset())
        return [s + RELATED_BOOST if s > 0 and tid in related else s
                for tid, s in zip(self.topic_ids, scores)]

    def match(self, text: str, *, previous: str | None = None) -> Match:
        """Where ``text`` goes; ``previous`` (the last topic) favours its related topics."""
        toks = self.tokens(text)
        unknown = sum(1 for t in toks if t.term not in self.known)
        rule = safety_rule(toks, unknown)
        if rule is not None and rule[0] in self._safety_ids:
            return Match("safety", rule[0], 1.0, f"safety rule: {rule[1]}")
        evidence = sum(self._domain.get(term, 0.0) for term in {t.term for t in toks})
        if evidence == 0:
            return Match("out_of_scope", None, 0.0, "no leg, fitness or food words")
        scores = self._boosted(self.scores(toks), previous)
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        score, topic_id = scores[best], self.topic_ids[best]
        if evidence < 1 and unknown:
            return Match("out_of_scope", None, score, "only general words, with unfamiliar ones")
        if score < self.threshold:
            reason = f"best score {score:.2f} is below {self.threshold}"
            return Match("out_of_scope", None, score, reason)
        return Match("topic", topic_id, score, f"closest to {topic_id}")


@cache
def default_matcher() -> Matcher:
    return Matcher(load_knowledge())


def match_question(text: str) -> Match:
    """Match with the package's own knowledge (built once)."""
    return default_matcher().match(text)
