"""The safety detector (skill/questions/safety_learned.py): a second opinion beside the rules.

It is asked only when no rule fires, routes only when it is sure, never
routes a question that sets a warning sign aside ("I'm not injured", "my
friend had surgery", "my dog's leg is swollen", "what do I do if squats hurt")
or says "not" about anything or that something healed,
and of equally likely safety topics picks the more urgent. The shipped
weights must be what a fresh build makes. How much it adds is measured by
cross-validation in benchmarks/bench_safety.py, never asserted here.

Most tests give the matcher a detector with weights written by hand, so they
test the wiring whatever the shipped weights are; the last ones use the
shipped weights.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

import labelled
from skill.questions.knowledge import load_knowledge
from skill.questions.learned import load_scorer
from skill.questions.matcher import BLEND, Matcher, default_matcher
from skill.questions.safety_learned import (NOT_SAFETY, SAFETY, THRESHOLD, URGENCY,
                                            SafetyDetector, load_detector)

KNOWLEDGE = load_knowledge()
SAFETY_IDS = [t.id for t in KNOWLEDGE if t.safety]


def model(classes: list[str], bias: list[float], words: dict[str, list[float]]) -> dict[str, Any]:
    """A scorer's data (skill.questions.learned) from weights in plain numbers."""
    return {"classes": classes, "bias": [round(b * 1000) for b in bias], "chars": [2, 4],
            "words": {f: [v for i, w in enumerate(ws) if w for v in (i, round(w * 1000))]
                      for f, ws in words.items()},
            "char_grams": {}}


def detector(bias: float, words: dict[str, float], topic: str = "after_surgery",
             threshold: float = THRESHOLD) -> SafetyDetector:
    """Safety when ``bias`` plus the weights of the words said is high; always ``topic``."""
    topics = model(SAFETY_IDS, [5.0 if t == topic else 0.0 for t in SAFETY_IDS], {})
    found = model([NOT_SAFETY, SAFETY], [0.0, bias], {f: [0.0, w] for f, w in words.items()})
    return SafetyDetector({"detector": found, "topics": topics}, threshold)


def matcher(safety: SafetyDetector | None) -> Matcher:
    return Matcher(KNOWLEDGE, learned=load_scorer(), blend=BLEND, safety=safety)


@pytest.fixture(scope="module")
def plain() -> Matcher:
    return matcher(None)


#: A detector sure of every question: only the rules and the set-aside signs stop it.
ALWAYS = detector(50.0, {})


def test_a_sure_detector_routes_a_sign_no_rule_reads(plain: Matcher) -> None:
    text = "i had radiotherapy last month, can i do leg workouts"
    assert plain.match(text).kind != "safety"
    found = matcher(detector(-4.0, {"w radiotherapy": 40.0})).match(text)
    assert (found.kind, found.topic_id) == ("safety", "after_surgery")
    assert found.reason.startswith("safety detector")


def test_an_unsure_detector_leaves_the_question_to_the_topics(plain: Matcher) -> None:
    text = "i had radiotherapy last month, can i do leg workouts"
    unsure = matcher(detector(-4.0, {"w radiotherapy": 40.0}, threshold=0.999))
    assert unsure.match(text) == plain.match(text)


def test_a_rule_answers_before_the_detector() -> None:
    found = matcher(ALWAYS).match("my left calf is suddenly swollen, red and hot")
    assert (found.kind, found.topic_id) == ("safety", "blood_clot")
    assert found.reason.startswith("safety rule")


@pytest.mark.parametrize(
    "text",
    [
        "i'm not injured, what leg exercises are best",
        "it doesn't hurt, i just want slimmer calves",
        "my legs aren't swollen, they're just big",
        "i'm not pregnant, what's the best leg workout",
        "my knee injury healed years ago, can i do lunges",
        "my friend had surgery, she says squats slim your legs",
        "my dog's leg is swollen",
        "what do i do if squats hurt my knees",
        "legs are achy after yesterday's leg day, can i go again today",
        "i haven't had my knee scoped, can i do lunges yet",
        "i had my knee scoped years ago and it healed fine, can i do lunges",
    ],
    ids=["not-injured", "doesnt-hurt", "not-swollen", "not-pregnant", "healed", "friends-news",
         "dogs-leg", "supposed-pain", "everyday-soreness", "not-about-anything",
         "healed-anything"],
)
def test_the_detector_never_routes_a_sign_set_aside(text: str) -> None:
    assert matcher(ALWAYS).match(text).kind != "safety"


def test_a_question_with_no_sign_set_aside_is_the_detectors_to_route() -> None:
    """(The gate, not the rules, stops the detector above.)"""
    assert matcher(ALWAYS).match("best exercises for my inner thighs").kind == "safety"


def test_equally_likely_topics_go_to_the_most_urgent() -> None:
    even = model(SAFETY_IDS, [0.0] * len(SAFETY_IDS), {})
    found = SafetyDetector({"detector": model([NOT_SAFETY, SAFETY], [0.0, 50.0], {}),
                            "topics": even})
    assert found.topic(["thighs"], [], []) == URGENCY[0] == "emergency"


def test_urgency_lists_every_safety_topic_in_the_rules_order() -> None:
    assert sorted(URGENCY) == sorted(SAFETY_IDS)
    assert load_detector().topics.classes == tuple(t for t in URGENCY if t in SAFETY_IDS)
    assert load_detector().detector.classes == (NOT_SAFETY, SAFETY)


def test_the_skill_asks_the_shipped_detector_at_the_chosen_threshold() -> None:
    assert default_matcher().safety is load_detector()
    assert load_detector().threshold == THRESHOLD


# ------------------------------------------------------------ the shipped weights


TEXTS = sorted({q.text for q in labelled.training()}
               | {s for t in KNOWLEDGE for s in (*t.samples, *t.phrasings)})


@pytest.fixture(scope="module")
def fresh() -> SafetyDetector:
    """A detector built now from the labelled questions (needs the dev extra's scikit-learn)."""
    try:
        importlib.metadata.distribution("scikit-learn")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("scikit-learn is not installed: pip install -e '.[dev]'")
    from skill.questions.training import build_safety

    return SafetyDetector(build_safety(KNOWLEDGE))


def test_the_shipped_detector_answers_as_a_fresh_build(fresh: SafetyDetector) -> None:
    m, shipped = default_matcher(), load_detector()
    differ = []
    for text in TEXTS:
        words, toks = m.normaliser.words(text, lead=True), m.tokens(text)
        cues = m.cue_topics(toks)
        ours, theirs = shipped.probability(words, toks, cues), fresh.probability(words, toks, cues)
        if (abs(ours - theirs) > 0.01 or (ours >= THRESHOLD) != (theirs >= THRESHOLD)
                or shipped.topic(words, toks, cues) != fresh.topic(words, toks, cues)):
            differ.append(text)
    assert not differ, (f"{len(differ)} questions score differently: "
                        "run python -m skill.questions.training")


def test_the_shipped_detector_raises_no_alarm_on_the_labelled_questions(plain: Matcher) -> None:
    """No labelled question that is no safety question is sent to a doctor by the
    detector (the rules' own false alarms are measured by benchmarks/bench_matcher.py)."""
    alarms = [q.text for q in labelled.training() if q.kind != "safety"
              and default_matcher().match(q.text).kind == "safety"
              and plain.match(q.text).kind != "safety"]
    assert alarms == []


@pytest.mark.parametrize(
    "text",
    ["i'm not injured and nothing hurts, what leg workout is best",
     "i'm not pregnant, what's the best leg workout",
     "my sister is expecting twins",
     "i haven't had my knee scoped, can i do lunges yet",
     "i had my knee scoped years ago and it healed fine, can i do lunges"],
    ids=["not-injured", "not-pregnant", "sisters-news", "not-scoped", "healed"],
)
def test_the_shipped_detector_routes_no_sign_set_aside(text: str) -> None:
    assert default_matcher().match(text).kind != "safety"


@pytest.mark.parametrize(
    "text",
    ["i had my knee scoped in may, can i do lunges yet",
     "i had my hip done in january, when can i squat"],
    ids=["knee-scoped", "hip-done"],
)
def test_the_shipped_detector_routes_operations_no_rule_names(plain: Matcher, text: str) -> None:
    """Made-up phrasings with no word the rules read as an operation."""
    assert plain.match(text).kind != "safety"
    found = default_matcher().match(text)
    assert (found.kind, found.topic_id) == ("safety", "after_surgery")
