"""Map any question to a topic, a see-a-doctor answer, or "out of scope".

Deterministic and explainable; everything but the question is precomputed
when a :class:`Matcher` is built:

1. Normalise (:mod:`skill.questions.normaliser`): the words a question intent's carrier
   phrase may take ("what about", "how", "can i") are dropped from the start,
   so a question typed whole and heard as Alexa's slot read the same; then
   contractions, numbers, phrases, a light stemmer, synonym groups, words
   heard again by sound (:mod:`skill.questions.phonetic`), negation and "just/only"
   scope.
2. Safety first (:mod:`skill.questions.safety`): rules, most urgent first; when
   none fires, a learned second opinion (:mod:`skill.questions.safety_learned`)
   routes a question it is sure of, unless the question says otherwise ("I'm
   not injured"). Safety topics are reached only these ways, never by
   similarity.
3. TF-IDF cosine (:mod:`skill.questions.similarity`) over terms and pairs of
   nearby terms against every title, sample and keyword list of the other
   topics; a topic scores its best document. A negated exercise ("no lunges") asks for
   an alternative. In a long question the last clause, where the question
   usually is, counts most
   (:data:`~skill.questions.topic_scores.TAIL_WEIGHT`). The learned scorer
   (:mod:`skill.questions.learned`, weights fitted to the labelled questions)
   blends its probabilities in (:data:`BLEND`), with the topics whose cues
   fire among its features: it may find a question out of scope, or answer
   one with no leg, fitness or food word that it is sure of, but never
   reaches a safety topic.
4. Two questions in one ("... and how often?", or with no joining word:
   "... is it my genes?"; :mod:`skill.questions.two_parts`): when each half
   alone finds a different topic, the first is answered and the second
   offered (``also``); in a choice ("sugar or salt, which is worse for puffy
   legs?", "protein sugar which first") the one the whole question is
   closest to is answered.
5. Out of scope unless the question has a leg, fitness or food word (weak
   ones only count when nothing in it is unfamiliar; a place alone with
   unfamiliar words, "how do I tan my legs", is not enough) and the best
   score clears :data:`THRESHOLD`; a goal to grow ("how do I bulk up my
   legs", :mod:`skill.questions.scope`) is out of scope too, and so are an ache
   that is not in the legs ("a stiff neck"), training an animal, an errand
   ("book me a massage") and a spot on the face. Never a random topic.

Scores are summed in sorted feature order and rounded before comparing, and
ties go to the topic first in the file: the same answer in every process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from skill.questions.blend import Blend, Blended
from skill.questions.clauses import clauses, last_refers_back
from skill.questions.cues import CueIndex, compile_cues
from skill.questions.knowledge import Knowledge, Topic, load_knowledge
from skill.questions.learned import OUT_OF_SCOPE, LearnedScorer, load_scorer, word_features
from skill.questions.normaliser import Normaliser, Token
from skill.questions.safety import safety_rule
from skill.questions.safety_learned import SafetyDetector, load_detector
from skill.questions.scope import aches_elsewhere, an_errand_or_a_blemish, grows, trains_an_animal
from skill.questions.set_aside import not_a_persons
from skill.questions.similarity import Similarity, features
from skill.questions.topic_scores import TopicScores, query_terms
from skill.questions.two_parts import two_questions
from skill.questions.vocabulary import Vocabulary, load_vocabulary

Kind = Literal["topic", "safety", "out_of_scope"]

#: Minimum cosine similarity for an answer.
THRESHOLD = 0.3
#: A question with more terms than this is read as one (a ramble, not two questions).
TWO_PART_TERMS = 9
#: Each half's topic (:data:`~skill.questions.topic_scores.PART_THRESHOLD`) must score
#: this share of the best on the whole question.
WHOLE_SHARE = 0.4
#: A question of this many words or fewer that names one of our subjects is
#: ours even with an unfamiliar word ("protein amount", "cellulite remedies").
NAMED_WORDS = 3
#: A question of one term this common is too vague to answer without context.
VAGUE_IDF, VAGUE_WORDS = 2.0, 3
#: Share of its domain weight a word guessed by sound adds as evidence.
GUESS_WEIGHT = 0.5
#: Words of the body, which count for nothing when the legs are someone else's.
_BODY = frozenset({"LEG", "LIMB", "SWELL", "PAIN", "SORE"})
#: Words of fat, shape or swelling: a grooming word beside them is still about fat
#: ("does fake tan hide cellulite").
_FAT_WORDS = frozenset({"FAT", "CELLULITE", "SWELL", "BIG", "BULKY"})
#: Words that only say where: with an unfamiliar word and nothing else, they ask nothing of ours.
_PLACE = frozenset({"LEG", "LIMB"})
#: In a choice ("A or B, which...?") the side the whole question scores this
#: much higher on is answered first.
CHOICE_MARGIN = 0.3
_ADVERB = re.compile(r"[a-z]{4,}ly")


#: The blend chosen by cross-validation on the training rounds
#: (``benchmarks/bench_learned.py --grid``).
BLEND = Blend(weight=0.5, out_of_scope=0.7, sure=0.7)


@dataclass(frozen=True)
class Match:
    """Where a question goes. ``topic_id`` is None only for out of scope;
    ``also`` is a second topic the question asks about, to offer next."""

    kind: Kind
    topic_id: str | None
    score: float
    reason: str = ""
    also: str | None = None


# ------------------------------------------------------------ matcher


class Matcher(TopicScores):
    """Built once from the knowledge; :meth:`match` takes well under a millisecond."""

    def __init__(self, knowledge: Knowledge, vocabulary: Vocabulary | None = None, *,
                 threshold: float = THRESHOLD, learned: LearnedScorer | None = None,
                 blend: Blend = Blend(), safety: SafetyDetector | None = None) -> None:
        from skill.questions.intents import QUESTION_CARRIERS

        self.knowledge = knowledge
        self.safety = safety
        self.threshold = threshold
        self.learned, self.blend = learned, blend
        self.normaliser = Normaliser(vocabulary or load_vocabulary())
        self.normaliser.leading = frozenset(
            w for carrier in QUESTION_CARRIERS
            for w in self.normaliser.words(carrier.replace("{query}", "")))
        self._domain = self.normaliser.vocabulary.domain
        topic_ids = tuple(knowledge.topics)
        self._safety_ids = frozenset(t.id for t in knowledge.safety)
        texts = [(i, topic.safety, text) for i, topic in enumerate(knowledge.topics.values())
                 for text in self._documents(topic)]
        self.normaliser.learn(frozenset(w for _, _, text in texts
                                        for w in self.normaliser.words(text)))
        vocab = self.normaliser.vocabulary
        cues = CueIndex(compile_cues(vocab.cues, topic_ids, self.normaliser.term,
                                     vocab.concepts.values()), len(topic_ids))
        # Safety topics are reached through the rules only, never by similarity.
        all_features = [(i, safety, features(query_terms(self.tokens(text))))
                        for i, safety, text in texts]
        self.known = frozenset(f for _, _, fs in all_features for f in fs)
        doc_features = [(i, fs) for i, safety, fs in all_features if not safety]
        super().__init__(self.normaliser, cues, Similarity(doc_features, len(topic_ids)), topic_ids,
                         {t.id: frozenset(t.related) for t in knowledge.topics.values()})

    def tokens(self, text: str) -> list[Token]:
        return self.normaliser.tokens(text)

    @staticmethod
    def _documents(topic: Topic) -> tuple[str, ...]:
        """What a topic is matched against: its title, each sample and phrasing, and
        each keyword phrase."""
        return (topic.title, *topic.samples, *topic.phrasings, *topic.keywords)

    def _blended(self, asked: Sequence[str], toks: Sequence[Token], cues: Sequence[str],
                 feats: Sequence[str] | None = None) -> Blended | None:
        """The learned scorer's probabilities for the question (``asked``: its words
        after any carrier phrase; ``cues``: the topics whose cues fire; ``feats``:
        their :func:`word_features`, if already known), ready to blend; None
        without a learned scorer."""
        if self.learned is None:
            return None
        classes = self.learned.classes
        probs = dict(zip(classes, self.learned.unrounded(asked, toks, cues, feats)))
        return Blended(self.blend, [probs.get(tid, 0.0) for tid in self.topic_ids],
                       probs[OUT_OF_SCOPE])

    def match(self, text: str, *, previous: str | None = None) -> Match:
        """Where ``text`` goes; ``previous`` (the last topic) favours its related topics."""
        said_clauses = clauses(text)
        toks = self.normaliser.clause_tokens(said_clauses)
        bonus = self._cues.bonus(toks)  # the cues read the whole question once
        sure = [self.normaliser.sure(t) for t in toks]
        # An adverb ("realistically") says how, never what about: it is not unfamiliar.
        unknown = sum(1 for t, s in zip(toks, sure)
                      if (t.term not in self.known or not s) and not _ADVERB.fullmatch(t.surface))
        rule = safety_rule(toks, unknown, text)
        if rule is not None and rule[0] in self._safety_ids:
            return Match("safety", rule[0], 1.0, f"safety rule: {rule[1]}")
        asked = self.normaliser.words(text, lead=True)  # the words after any carrier phrase
        learning = self.safety is not None or self.learned is not None
        cues = self.cue_topics(toks, bonus) if learning else []
        feats = word_features(asked, toks, cues) if learning else None  # read by both models
        # No rule fired: a sure second opinion may still see a warning sign.
        opinion = self.safety.opinion(asked, toks, text, cues, feats) if self.safety else None
        if opinion is not None and opinion.topic_id in self._safety_ids:
            return Match("safety", opinion.topic_id, opinion.probability,
                         f"safety detector: {opinion.probability:.2f} sure")
        if grows(asked):  # "how do I bulk up my legs": the opposite of what we coach
            return Match("out_of_scope", None, 0.0, "a goal to grow, not to slim")
        if an_errand_or_a_blemish(asked):  # "book me a massage", "a spot on my chin"
            return Match("out_of_scope", None, 0.0, "an errand, or a spot on the skin")
        # Only words heard as said, or sure guesses, show what the question is about;
        # none about an animal's or a thing's legs ("does a spider have fat legs").
        theirs = not_a_persons(toks, text)
        heard = [(t, s) for i, (t, s) in enumerate(zip(toks, sure)) if i not in theirs]
        said = {t.term for t, s in heard if s}
        guessed = {t.term for t, s in heard if not s} - said
        if "GROOM" in said and not said & _FAT_WORDS:  # "how do I shave my legs"
            return Match("out_of_scope", None, 0.0, "care of skin and hair, not fat")
        if aches_elsewhere(toks, said & self._domain.keys()):  # "a stretch for a stiff neck"
            return Match("out_of_scope", None, 0.0, "an ache that is not in the legs")
        if trains_an_animal(toks):  # "how do I train my dog to sit"
            return Match("out_of_scope", None, 0.0, "training an animal")
        if "OTHERLEG" in said:  # a table's, a spider's or a chicken's legs are not yours
            said -= _BODY
            guessed -= _BODY
        # Each different word of the domain adds its weight ("skipping ... jumps").
        words = sorted({(t.term, t.surface) for t, s in heard if s and t.term in said})
        evidence = sum(self._domain.get(term, 0.0) for term, _ in words)
        vague = self._vague(text, toks)
        blended = self._blended(asked, toks, cues, feats) if not vague else None
        confident = blended is not None and blended.confident
        if evidence == 0 and not confident:
            return Match("out_of_scope", None, 0.0, "no leg, fitness or food words")
        if blended is not None and blended.out_of_scope:
            return Match("out_of_scope", None, 0.0, "the learned scorer finds it none of ours")
        # A word guessed by sound ("ties") adds half its weight to the words heard.
        evidence += GUESS_WEIGHT * sum(self._domain.get(term, 0.0) for term in sorted(guessed))
        scores = self._boosted(
            self.scores(toks, refers=last_refers_back(said_clauses), bonus=bonus), previous)
        if vague:  # "and the fat": only a follow-up to the last answer
            related = self._related.get(previous or "", frozenset())
            scores = [s if tid in related else 0.0 for tid, s in zip(self.topic_ids, scores)]
        similar = max(scores)  # the best similarity alone, before any blend
        if blended is not None:  # only the topics that may be best are blended
            best = blended.best(scores)
            score = blended.score(scores, best)
        else:
            best = self._best(scores)
            score = scores[best]
        topic_id = self.topic_ids[best]
        if {t.term for t in toks if t.term in self.known} <= _PLACE and any(
                t.term not in self.known and not t.heard for t in toks):
            # A place and a word we don't know ("how do I tan my legs"): not ours.
            return Match("out_of_scope", None, score, "only a place, with unfamiliar words")
        if (evidence < 1 and (unknown or "OTHERLEG" in said) and not self._named(asked, said, unknown)
                and not confident):
            return Match("out_of_scope", None, score, "only general words, with unfamiliar ones")
        if max(score, similar) < self.threshold:  # out only if the similarity is low too
            reason = f"best score {score:.2f} is below {self.threshold}"
            return Match("out_of_scope", None, score, reason)
        parts = two_questions(text, self) if len(toks) <= TWO_PART_TERMS else None
        if parts is not None and blended is not None:  # each half's blended score too
            scores = [blended.score(scores, i) for i in range(len(scores))]
        # Each half's topic must also be near the whole question's ("how should I
        # stand and breathe in a squat" is one question, not sitting and squats).
        if parts is not None and min(scores[self.topic_ids.index(t)] for t in parts[:2]) < (
                WHOLE_SHARE * score):
            parts = None
        if parts is not None:
            first, second, choice = parts
            if choice and topic_id == second and score - scores[
                    self.topic_ids.index(first)] >= CHOICE_MARGIN:  # "sugar or salt, which..."
                first, second = second, first
            return Match("topic", first, score, f"two questions: {first}, then {second}", second)
        return Match("topic", topic_id, score, f"closest to {topic_id}")

    def _named(self, asked: Sequence[str], said: set[str], unknown: int) -> bool:
        """A few words naming one of our subjects ("protein amount"): a short
        question (``asked``: its words after any carrier phrase), one
        unfamiliar word at most, and the name of a thing (a concept heard by
        sound, such as PROTEIN)."""
        return (unknown <= 1 and "OTHERLEG" not in said
                and len(asked) <= NAMED_WORDS
                and bool(said & self.normaliser.vocabulary.sounds))

    def _vague(self, text: str, toks: Sequence[Token]) -> bool:
        """A few words around one that half the topics use ("and the fat") ask nothing."""
        if len(text.split()) > VAGUE_WORDS:
            return False
        terms = set(query_terms(toks))
        return len(terms) == 1 and self.idf.get(terms.pop(), 0.0) < VAGUE_IDF

    def asked(self, text: str) -> list[str]:
        """The words of ``text`` after any carrier phrase ("how do I ...")."""
        return self.normaliser.words(text, lead=True)



@cache
def default_matcher() -> Matcher:
    """The package's matcher: its own knowledge, with the shipped learned scorer and
    safety detector."""
    return Matcher(load_knowledge(), learned=load_scorer(), blend=BLEND, safety=load_detector())


def match_question(text: str) -> Match:
    """Match with the package's own knowledge (built once)."""
    return default_matcher().match(text)
