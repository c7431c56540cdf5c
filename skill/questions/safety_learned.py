"""A second opinion on warning signs: a learned detector beside the safety rules.

The rules (:mod:`skill.questions.safety`) route the warning signs they were
written for; a sign said in words no rule reads goes unrouted. This detector
reads the same features as the learned scorer (:mod:`skill.questions.learned`:
words, pairs, terms with "!" when negated, the topics whose cues fire,
character n-grams) with two sets of weights fitted to every labelled question
and every topic's samples and phrasings: how likely a question is a safety
question at all, and which safety topic it fits best.

It is asked only when no rule fires, so a rule's answer, most urgent first,
always comes first. It routes a question only when it is sure
(:data:`THRESHOLD`, chosen by cross-validation in
``benchmarks/bench_safety.py``) and the question says nothing otherwise
(:func:`says_otherwise`): no warning sign the rules set aside ("I'm not
injured", "my friend had surgery", "my dog's leg is swollen", "what do I do
if squats hurt"), no "not" about anything, nothing healed. It never
overrides the rules' reading of a negation. Among the safety topics, equal probabilities go
to the more urgent one (:data:`URGENCY`).

The weights are built with the learned scorer's, by
``python -m skill.questions.training`` (``--check`` exits 1 if they differ
from a fresh build), into :data:`SAFETY_FILE`; here they are only read and
summed in pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from skill.core.content import read_data
from skill.questions.learned import LearnedScorer
from skill.questions.normaliser import Token
from skill.questions.safety import signs_set_aside
from skill.questions.set_aside import ALWAYS_MEANT

SAFETY_FILE = Path(__file__).with_name("safety_learned.json")
#: The detector's classes: not a safety question, a safety question.
NOT_SAFETY, SAFETY = "none", "safety"
#: The probability of a safety question at and above which the detector routes it.
THRESHOLD = 0.7
#: The safety topics, most urgent first (the order the rules are tried in).
URGENCY = ("emergency", "stroke_signs", "cold_leg", "blood_clot", "eating_problems",
           "after_surgery", "pregnancy", "numbness", "lipoedema", "varicose_veins", "medicine",
           "see_doctor", "leg_pain")


@dataclass(frozen=True)
class Opinion:
    """The detector's answer: a safety topic, and how likely a safety question it is."""

    topic_id: str
    probability: float


class SafetyDetector:
    """How likely a question is a safety question, and which safety topic fits."""

    def __init__(self, data: Mapping[str, Any], threshold: float = THRESHOLD) -> None:
        self.detector = LearnedScorer(data["detector"])
        self.topics = LearnedScorer(data["topics"])
        self.threshold = threshold

    def probability(self, words: Sequence[str], toks: Sequence[Token], cues: Sequence[str] = (),
                    feats: Sequence[str] | None = None) -> float:
        """The probability that the question is a safety question (``feats``: its
        :func:`~skill.questions.learned.word_features`, if already known)."""
        return self.detector.probabilities(words, toks, cues, feats)[SAFETY]

    def topic(self, words: Sequence[str], toks: Sequence[Token], cues: Sequence[str] = (),
              feats: Sequence[str] | None = None) -> str:
        """The most likely safety topic; of equals, the most urgent."""
        probs = self.topics.probabilities(words, toks, cues, feats)
        rank = {t: i for i, t in enumerate(URGENCY)}
        return min(probs, key=lambda t: (-probs[t], rank.get(t, len(rank)), t))

    def opinion(self, words: Sequence[str], toks: Sequence[Token], text: str,
                cues: Sequence[str] = (), feats: Sequence[str] | None = None) -> Opinion | None:
        """A safety topic when the detector is sure and no warning sign is set aside."""
        probability = self.probability(words, toks, cues, feats)
        if probability < self.threshold or says_otherwise(toks, text):
            return None
        return Opinion(self.topic(words, toks, cues, feats), probability)


def says_otherwise(toks: Sequence[Token], text: str) -> bool:
    """The question sets a warning sign aside as the rules read it
    (:func:`skill.questions.safety.signs_set_aside`), says "not" about anything
    (but breathlessness: "I can't breathe" is a symptom however it is said: "I
    haven't had my knee scoped"), or says something healed."""
    return (any((t.negated and t.term not in ALWAYS_MEANT) or (t.term == "HEALED" and not t.negated)
                for t in toks)
            or signs_set_aside(toks, text))


@cache
def load_detector() -> SafetyDetector:
    """The shipped weights (``skill/questions/safety_learned.json``), read once."""
    return SafetyDetector(read_data("questions/safety_learned.json"))
