"""Fits the learned scorer's weights (:mod:`skill.questions.learned`); build time only.

The examples are every labelled question of the training sets
(``tests/data``: the flat set, the training batches and the seen rounds,
read by ``tests/labelled.py``) but safety questions, each labelled with its
first topic or out of scope, and every sample and phrasing of the topics
that are not safety topics. A multinomial logistic regression
(scikit-learn, the dev extra, pinned: its solver decides the weights) is
fitted on the features the scorer computes, with a fixed solver and no
randomness; weights are rounded to thousandths and those smaller than
:data:`KEEP` dropped, so the file stays small and the same on every build.
The held-out questions are never read.

The safety detector (:mod:`skill.questions.safety_learned`) is fitted the same
way to every labelled question, sample and phrasing, safety ones included:
once as a safety question or not, once as which safety topic (the questions
labelled with one). Both files are written by one command.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skill.questions.knowledge import Knowledge, load_knowledge
from skill.questions.learned import (MODEL_FILE, OUT_OF_SCOPE, SCALE, char_grams,
                                     word_features)
from skill.questions.matcher import Matcher
from skill.questions.safety_learned import NOT_SAFETY, SAFETY, SAFETY_FILE, URGENCY

#: Inverse regularisation strength of the regression.
C = 30.0
#: Character n-gram sizes.
CHARS = (2, 4)
#: The solver stops when its steps change the loss less than this.
TOL = 1e-4
#: Weights smaller than this (in absolute value) are dropped.
KEEP = 0.2
#: The safety detector's settings (:mod:`skill.questions.safety_learned`), chosen by
#: cross-validation (``benchmarks/bench_safety.py --grid``).
SAFETY_C, SAFETY_KEEP = 10.0, 0.1
TESTS = Path(__file__).resolve().parents[2] / "tests"


@dataclass(frozen=True)
class Settings:
    c: float = C
    chars: tuple[int, int] = CHARS
    keep: float = KEEP


SAFETY_SETTINGS = Settings(c=SAFETY_C, keep=SAFETY_KEEP)


def classes(knowledge: Knowledge) -> list[str]:
    """The topics that are not safety topics, in file order, then out of scope."""
    return [t.id for t in knowledge if not t.safety] + [OUT_OF_SCOPE]


def topic_examples(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(text, class): each sample and phrasing of the topics that are not safety topics."""
    return [(text, t.id) for t in knowledge if not t.safety for text in (*t.samples, *t.phrasings)]


def labelled_examples(questions: Iterable[Any]) -> list[tuple[str, str]]:
    """(text, class) for labelled questions (``tests/labelled.py``'s Question): safety
    questions are left out, two topics count as the first."""
    return [(q.text, q.first) for q in questions if q.kind != "safety"]


def safety_examples(knowledge: Knowledge, questions: Iterable[Any]) -> list[tuple[str, str]]:
    """(text, :data:`SAFETY` or :data:`NOT_SAFETY`): every labelled question, and every
    sample and phrasing of every topic, for the safety detector."""
    return ([(q.text, SAFETY if q.kind == "safety" else NOT_SAFETY) for q in questions]
            + [(text, SAFETY if t.safety else NOT_SAFETY)
               for t in knowledge for text in (*t.samples, *t.phrasings)])


def safety_topic_examples(knowledge: Knowledge, questions: Iterable[Any]) -> list[tuple[str, str]]:
    """(text, safety topic): the safety questions labelled with a safety topic (not
    merely "safety"), and the safety topics' samples and phrasings."""
    ids = {t.id for t in knowledge if t.safety}
    return ([(q.text, q.first) for q in questions if q.first in ids]
            + [(text, t.id) for t in knowledge if t.safety for text in (*t.samples, *t.phrasings)])


def featurise(matcher: Matcher, text: str, sizes: tuple[int, int]) -> dict[str, float]:
    """The scorer's features of ``text`` as the regression sees them (blocks scaled)."""
    words = matcher.normaliser.words(text, lead=True)
    out: Counter[str] = Counter()
    toks = matcher.tokens(text)
    feats = word_features(words, toks, matcher.cue_topics(toks))
    for f in feats:
        out[f] += 1 / len(feats) ** 0.5
    grams = [g for w in words for g in char_grams(w, sizes)]
    for g in grams:
        out["c" + g] += 1 / len(grams) ** 0.5
    return dict(out)


def fit(rows: Sequence[tuple[dict[str, float], str]], labels: Sequence[str],
        settings: Settings = Settings()) -> dict[str, Any]:
    """The scorer's data (as :class:`skill.questions.learned.LearnedScorer` reads it)
    from (features, class) rows (:func:`featurise`)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    vectoriser = DictVectorizer(sort=True)
    x = vectoriser.fit_transform([features for features, _ in rows])
    y = [labels.index(label) for _, label in rows]
    model = LogisticRegression(C=settings.c, max_iter=3000, tol=TOL)
    with threadpool_limits(1):  # one thread: the same sums in the same order on every build
        model.fit(x, y)
    present = list(model.classes_)
    if len(present) == 2:  # one row of weights: the second class's logit beside the first's zero
        present = present[1:]
    words: dict[str, list[int]] = {}
    grams: dict[str, list[int]] = {}
    for j, name in enumerate(vectoriser.get_feature_names_out()):
        flat = [v for i, c in enumerate(present)
                for v in (int(c), round(float(model.coef_[i, j]) * SCALE))]
        (grams if name.startswith("c") else words)[name.removeprefix("c")] = flat
    bias = [0] * len(labels)
    for i, c in enumerate(present):
        bias[c] = round(float(model.intercept_[i]) * SCALE)
    data = {"classes": list(labels), "bias": bias, "chars": list(settings.chars),
            "words": words, "char_grams": grams}
    return pruned(data, settings.keep)


def pruned(data: dict[str, Any], keep: float) -> dict[str, Any]:
    """``data`` without the weights smaller than ``keep``, nor the features left with none."""
    least = keep * SCALE
    out = dict(data)
    for name in ("words", "char_grams"):
        table = {}
        for feature, flat in data[name].items():
            kept = [v for i in range(0, len(flat), 2) if abs(flat[i + 1]) >= least
                    for v in flat[i:i + 2]]
            if kept:
                table[feature] = kept
        out[name] = table
    return out


def labelled_questions() -> Any:
    """``tests/labelled.py``'s training questions (from a source checkout only)."""
    if not (TESTS / "labelled.py").is_file():
        raise FileNotFoundError(f"{TESTS}/labelled.py: the labelled questions are in a source checkout")
    sys.path.insert(0, str(TESTS))
    try:
        import labelled
    finally:
        sys.path.remove(str(TESTS))
    return labelled


def build(knowledge: Knowledge | None = None, settings: Settings = Settings()) -> dict[str, Any]:
    knowledge = knowledge or load_knowledge()
    matcher = Matcher(knowledge)
    examples = labelled_examples(labelled_questions().training()) + topic_examples(knowledge)
    rows = [(featurise(matcher, text, settings.chars), label) for text, label in examples]
    return fit(rows, classes(knowledge), settings)


def build_safety(knowledge: Knowledge | None = None,
                 settings: Settings = SAFETY_SETTINGS) -> dict[str, Any]:
    """The safety detector's data (:class:`skill.questions.safety_learned.SafetyDetector`):
    a safety question or not, and which safety topic, most urgent first."""
    knowledge = knowledge or load_knowledge()
    matcher = Matcher(knowledge)
    questions = labelled_questions().training()
    ids = [t for t in URGENCY if t in {topic.id for topic in knowledge if topic.safety}]

    def rows(examples: list[tuple[str, str]]) -> list[tuple[dict[str, float], str]]:
        return [(featurise(matcher, text, settings.chars), label) for text, label in examples]

    return {"detector": fit(rows(safety_examples(knowledge, questions)), [NOT_SAFETY, SAFETY],
                            settings),
            "topics": fit(rows(safety_topic_examples(knowledge, questions)), ids, settings)}


def render(data: dict[str, Any]) -> str:
    """One feature a line, sorted: small diffs when a build changes."""
    lines = [f'"classes": {json.dumps(data["classes"])}', f'"bias": {json.dumps(data["bias"])}',
             f'"chars": {json.dumps(data["chars"])}']
    for name in ("words", "char_grams"):
        table = data[name]
        body = ",\n".join(f"{json.dumps(f)}: {json.dumps(table[f], separators=(',', ':'))}"
                          for f in sorted(table))
        lines.append(f'"{name}": {{\n{body}\n}}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def render_safety(data: dict[str, Any]) -> str:
    """The detector's two models, each rendered as :func:`render` does."""
    return ('{\n"detector": ' + render(data["detector"]).rstrip()
            + ',\n"topics": ' + render(data["topics"]).rstrip() + "\n}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m skill.questions.training",
        description="Rewrite (or --check) skill/questions/learned.json and safety_learned.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is not up to date")
    args = parser.parse_args(argv)
    try:
        texts = {MODEL_FILE: render(build()), SAFETY_FILE: render_safety(build_safety())}
    except (ImportError, FileNotFoundError) as exc:
        print(f"error: {exc} (the build needs a source checkout and the dev extra)", file=sys.stderr)
        return 2
    stale = 0
    for path, text in texts.items():
        if args.check:
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            stale += not same
            print(f"{path.name} is {'up to date' if same else 'out of date'}")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({len(text.encode()):,} bytes)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
