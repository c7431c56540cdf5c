"""The learned scorer (skill/questions/learned.py) and how the matcher blends it in.

The shipped weights must be what a fresh build makes from today's labelled
questions and topics; the scorer may move a question between topics and out
of scope, but never to or from a see-a-doctor answer; it answers the same in
every process. How well it generalises is measured by cross-validation in
benchmarks/bench_learned.py, never asserted here.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelled
from skill.core.content import read_data
from skill.questions.knowledge import load_knowledge
from skill.questions.learned import (MODEL_FILE, OUT_OF_SCOPE, SCALE, LearnedScorer, char_grams,
                                     load_scorer, word_features)
from skill.questions.matcher import BLEND, Matcher, default_matcher
from skill.questions.tokens import Token
from skill.questions.safety_learned import load_detector

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = load_knowledge()
TEXTS = sorted({q.text for q in labelled.training()}
               | {s for t in KNOWLEDGE for s in (*t.samples, *t.phrasings)})


@pytest.fixture(scope="module")
def plain() -> Matcher:
    """The matcher without the learned scorer (with the safety detector the skill asks)."""
    return Matcher(KNOWLEDGE, safety=load_detector())


@pytest.fixture(scope="module")
def fresh() -> LearnedScorer:
    """A scorer built now from the labelled questions (needs the dev extra's scikit-learn)."""
    try:
        importlib.metadata.distribution("scikit-learn")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("scikit-learn is not installed: pip install -e '.[dev]'")
    from skill.questions.training import build

    return LearnedScorer(build(KNOWLEDGE))


def test_the_shipped_weights_answer_as_a_fresh_build(fresh: LearnedScorer) -> None:
    matcher, shipped = default_matcher(), load_scorer()
    differ = []
    for text in TEXTS:
        words, toks = matcher.normaliser.words(text, lead=True), matcher.tokens(text)
        cues = matcher.cue_topics(toks)
        ours = shipped.probabilities(words, toks, cues)
        theirs = fresh.probabilities(words, toks, cues)
        if max(ours, key=ours.__getitem__) != max(theirs, key=theirs.__getitem__) or any(
                abs(ours[c] - theirs[c]) > 0.01 for c in ours):
            differ.append(text)
    assert not differ, (f"{len(differ)} questions score differently: "
                        "run python -m skill.questions.training")


def test_the_scorer_has_no_safety_class() -> None:
    classes = load_scorer().classes
    assert classes[-1] == OUT_OF_SCOPE
    assert set(classes[:-1]) == {t.id for t in KNOWLEDGE if not t.safety}


def test_the_scorer_never_changes_a_safety_routing(plain: Matcher) -> None:
    blended = default_matcher()
    changed = [text for text in TEXTS
               if (plain.match(text).kind == "safety") != (blended.match(text).kind == "safety")
               or (plain.match(text).kind == "safety"
                   and plain.match(text).topic_id != blended.match(text).topic_id)]
    assert changed == []


def test_the_probabilities_sum_to_one_and_favour_the_asked_topic() -> None:
    matcher, scorer = default_matcher(), load_scorer()
    text = "why do my thighs stay big when i lose weight everywhere else"
    probs = scorer.probabilities(matcher.normaliser.words(text, lead=True), matcher.tokens(text))
    assert abs(sum(probs.values()) - 1) < 1e-6
    assert max(probs, key=probs.__getitem__) == "why_stubborn"


def summed_logits(data: dict[str, Any], words: list[str], toks: list[Token],
                  cues: list[str]) -> list[float]:
    """The definition the scorer must agree with: each feature's weight for each
    class, as a float, summed feature by feature."""
    n = len(data["classes"])

    def total(flats: list[list[int]]) -> list[float]:
        out = [0.0] * n
        for flat in flats:
            for i in range(0, len(flat), 2):
                out[flat[i]] += flat[i + 1] / SCALE
        return out

    feats = word_features(words, toks, cues)
    grams = [g for w in words for g in char_grams(w, tuple(data["chars"]))]
    said = total([data["words"].get(f, []) for f in feats])
    spelt = total([data["char_grams"].get(g, []) for g in grams])
    a = 1 / math.sqrt(len(feats)) if feats else 0.0
    b = 1 / math.sqrt(len(grams)) if grams else 0.0
    return [z / SCALE + a * x + b * y for z, x, y in zip(data["bias"], said, spelt)]


def test_the_scorer_sums_the_shipped_weights_of_every_question_as_floats_would() -> None:
    data = read_data("questions/learned.json")
    matcher, scorer = default_matcher(), LearnedScorer(data)
    for text in TEXTS:
        words, toks = matcher.normaliser.words(text, lead=True), matcher.tokens(text)
        cues = matcher.cue_topics(toks)
        expected = summed_logits(data, words, toks, cues)
        assert scorer.logits(words, toks, cues) == pytest.approx(expected, rel=1e-12, abs=1e-12)


WORDS = st.sampled_from(["leg", "legs", "fat", "a", "squat", "salt", "calves", "leg"])
FEATURES = st.sampled_from(["w leg", "w fat", "w leg fat", "w fat leg", "w a", "t LEG", "t !LEG",
                            "t FAT", "q diet", "q cellulite"])
GRAMS = st.sampled_from(sorted({g for w in ("leg", "legs", "fat", "a", "squat", "calves")
                                for g in char_grams(w, (2, 4))}))


def flat_weights(n: int) -> st.SearchStrategy[list[int]]:
    """[class, thousandths, ...]: some classes, each once, with large and negative weights."""
    return st.dictionaries(st.integers(0, n - 1), st.integers(-50_000, 50_000), min_size=1).map(
        lambda weights: [v for c in sorted(weights) for v in (c, weights[c])])


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 6))
    return {"classes": [f"c{i}" for i in range(n)],
            "bias": draw(st.lists(st.integers(-9_000, 9_000), min_size=n, max_size=n)),
            "chars": [2, 4],
            "words": draw(st.dictionaries(FEATURES, flat_weights(n))),
            "char_grams": draw(st.dictionaries(GRAMS, flat_weights(n)))}


@settings(max_examples=200, deadline=None)
@given(data=models(), words=st.lists(WORDS, max_size=12), negated=st.lists(st.booleans()),
       cues=st.lists(st.sampled_from(["diet", "cellulite"]), max_size=2, unique=True))
def test_any_weights_are_summed_as_floats_would(data: dict[str, Any], words: list[str],
                                                negated: list[bool], cues: list[str]) -> None:
    toks = [Token(w, w.upper()[:3], no) for w, no in zip(words, negated)]
    scorer = LearnedScorer(data)
    for _ in range(2):  # the second time from the remembered sums
        assert scorer.logits(words, toks, cues) == pytest.approx(
            summed_logits(data, words, toks, cues), rel=1e-12, abs=1e-12)


def test_character_grams_pad_each_word() -> None:
    assert char_grams("leg", (3, 4)) == [" le", "leg", "eg ", " leg", "leg "]


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # a slip no document has, read from its letters ("cellulight")
        ("is there a cream for cellulight on the back of my legs", "cellulite"),
        ("how many times a week should i be doing the leg workout", "how_often"),
        # what to eat, asked after a story about clothes (the similarity alone
        # finds exercises)
        ("my jeans are tight around the thighs what should i eat", "diet"),
    ],
)
def test_the_blend_answers_questions_in_words_no_document_has(question: str, topic: str) -> None:
    found = default_matcher().match(question)
    assert (found.kind, found.topic_id) == ("topic", topic)


def test_questions_none_of_ours_stay_out_of_scope() -> None:
    for text in ("what's the capital of france", "how do i fix a wobbly table leg",
                 "recommend me a good film"):
        assert default_matcher().match(text).kind == "out_of_scope"


def test_the_blend_is_the_one_chosen_by_cross_validation() -> None:
    assert default_matcher().blend == BLEND
    assert default_matcher().learned is load_scorer()


_DIGEST = """
import hashlib, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
import labelled
from skill.questions.matcher import default_matcher
from skill.questions.learned import load_scorer
m, s = default_matcher(), load_scorer()
texts = sorted({q.text for q in labelled.training()})
probs = [s.probabilities(m.normaliser.words(t, lead=True), m.tokens(t), m.cue_topics(m.tokens(t)))
         for t in texts]
print(hashlib.sha256(repr(([m.match(t) for t in texts], probs)).encode()).hexdigest())
"""


def test_the_blend_answers_the_same_under_any_hash_seed() -> None:
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _DIGEST, str(ROOT)], env=env, check=True,
                              capture_output=True, text=True, timeout=180)
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_the_model_file_is_small_json_sorted_by_feature() -> None:
    text = MODEL_FILE.read_text(encoding="utf-8")
    data = json.loads(text)
    assert len(text.encode()) < 500_000
    assert list(data["words"]) == sorted(data["words"])
    assert list(data["char_grams"]) == sorted(data["char_grams"])


def test_the_build_command_refuses_an_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    from skill.questions.training import main

    with pytest.raises(SystemExit) as exit_:
        main(["--bogus"])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_a_launch_reads_no_weights(tmp_path: Path) -> None:
    """The matcher and its scorer load at the first question, never for a Launch."""
    import envelopes as E

    code = (
        "import json, sys\n"
        "import skill.endpoint.lambda_function as entry\n"
        f"entry.handler(json.loads({json.dumps(json.dumps(E.launch()))}), None)\n"
        "print(sorted(m for m in ('skill.questions.matcher', 'skill.questions.learned',"
        " 'skill.questions.safety_learned', 'sklearn', 'numpy') if m in sys.modules))\n"
    )
    env = {**os.environ, "LEGCOACH_STORE": f"sqlite:{tmp_path / 'child.db'}"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"
