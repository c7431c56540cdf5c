"""Does a learned safety detector beside the rules route more warning signs? Cross-validation only.

The safety rules (skill/questions/safety.py) were tuned while reading every
training question and seen round, so on them they route every safety
question: scoring the rules there says nothing. Two sets of folds:

* "as of then": each seen round is scored by the matcher as it was in the
  commit before that round moved to the seen rounds (read from git history;
  its rules had never read that round), and by a detector fitted on the
  labelled questions and topics of that same commit. This is the honest
  figure for the rules and for rules with the detector.
* "rounds" and "rest" (benchmarks/bench_learned.py's folds): leave one seen
  round out, then k folds over the other training questions, with today's
  rules (flattering: they have read every fold) and a detector fitted on the
  other folds (honest): what the detector adds in false alarms.

Systems: the rules alone; the detector alone (it replaces the rules; a
question it does not route gets the matcher's answer without them); rules
or detector at each threshold (the detector is asked only when no rule
fires, never when the question says otherwise: a warning sign the rules set
aside, "not" about anything, something healed). Columns: safety questions routed (and to the labelled safety
topic, where the label names one), false alarms on other questions, out of
scope kept out. The held-out questions are never read.

Run: .venv/bin/python benchmarks/bench_safety.py [--folds 5] [--grid] [--no-history]
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import labelled  # noqa: E402
from bench_learned import folds  # noqa: E402
from labelled import Question, training  # noqa: E402
from skill.questions.knowledge import load_knowledge  # noqa: E402
from skill.questions.learned import load_scorer  # noqa: E402
from skill.questions.matcher import BLEND, Matcher  # noqa: E402
from skill.questions import safety  # noqa: E402
from skill.questions.eating_signs import plain_words  # noqa: E402
from skill.questions.safety import signs_set_aside  # noqa: E402
from skill.questions.set_aside import set_aside  # noqa: E402
from skill.questions.safety_learned import (NOT_SAFETY, SAFETY, THRESHOLD, URGENCY,  # noqa: E402
                                            SafetyDetector, says_otherwise)
from skill.questions.training import (SAFETY_SETTINGS, Settings, featurise, fit,  # noqa: E402
                                      safety_examples, safety_topic_examples)

THRESHOLDS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
Answer = tuple[str, "str | None"]  # kind, topic


@dataclass
class Totals:
    safety: int = 0
    routed: int = 0
    topic_right: int = 0
    topic_named: int = 0
    other: int = 0
    alarms: int = 0
    oos: int = 0
    kept_out: int = 0
    missed: list[str] = field(default_factory=list)

    def add(self, q: Question, answer: Answer) -> None:
        kind, topic = answer
        if q.kind == "safety":
            self.safety += 1
            self.routed += kind == "safety"
            if q.first in labelled.SAFETY_TOPICS:
                self.topic_named += 1
                self.topic_right += kind == "safety" and topic == q.first
        else:
            self.other += 1
            self.alarms += kind == "safety"
        if q.kind == "out_of_scope":
            self.oos += 1
            self.kept_out += kind == "out_of_scope"

    def line(self, name: str) -> str:
        return (f"  {name:<26} routed {self.routed:>3}/{self.safety:<3} ({self.routed / max(self.safety, 1):6.1%})"
                f"  right topic {self.topic_right:>3}/{self.topic_named:<3}"
                f"  false alarms {self.alarms:>2}/{self.other:<4}"
                f"  out of scope kept out {self.kept_out:>3}/{self.oos}")


class Reader:
    """Today's matcher's reading of each text (remembered): features, answers, set-asides."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._features: dict[str, dict[str, float]] = {}
        self._read: dict[str, tuple[list[str], list[Any], list[str], str]] = {}
        self._answers: dict[tuple[str, bool], Answer] = {}

    def features(self, text: str) -> dict[str, float]:
        if text not in self._features:
            self._features[text] = featurise(self.matcher, text, SAFETY_SETTINGS.chars)
        return self._features[text]

    def read(self, text: str) -> tuple[list[str], list[Any], list[str], str]:
        """Words, tokens, cue topics, and the text."""
        if text not in self._read:
            m = self.matcher
            toks = m.tokens(text)
            self._read[text] = (m.normaliser.words(text, lead=True), toks, m.cue_topics(toks), text)
        return self._read[text]

    def aside(self, text: str, gate: str = "says otherwise") -> bool:
        """Whether the detector may not route ``text``: the shipped gate
        (:func:`skill.questions.safety_learned.says_otherwise`), only the signs the
        rules set aside ("set aside": :func:`skill.questions.safety.signs_set_aside`),
        or only those the rules do not count at all ("negated": negated, healed,
        someone else's, an animal's)."""
        toks = self.read(text)[1]
        if gate == "negated":
            aside = set_aside(toks, text, plain_words(text))
            return any(toks[i].term in safety._SIGNS for i in aside)
        return (signs_set_aside if gate == "set aside" else says_otherwise)(toks, text)

    def answer(self, text: str, rules: bool = True) -> Answer:
        """Today's matcher's answer, with or without its safety rules."""
        key = (text, rules)
        if key not in self._answers:
            if rules:
                found = self.matcher.match(text)
            else:
                with mock.patch("skill.questions.matcher.safety_rule", lambda *a, **k: None):
                    found = self.matcher.match(text)
            self._answers[key] = (found.kind, found.topic_id)
        return self._answers[key]


def fit_detector(reader: Reader, safety_rows: Sequence[tuple[str, str]],
                 topic_rows: Sequence[tuple[str, str]], settings: Settings) -> SafetyDetector:
    ids = sorted({label for _, label in topic_rows}, key=URGENCY.index)
    detector = fit([(reader.features(t), label) for t, label in safety_rows],
                   [NOT_SAFETY, SAFETY], settings)
    topics = fit([(reader.features(t), label) for t, label in topic_rows], ids, settings)
    return SafetyDetector({"detector": detector, "topics": topics}, threshold=0.0)


class Opinions:
    """One fold's detector: its probability and topic for each text (remembered)."""

    def __init__(self, reader: Reader, detector: SafetyDetector, gate: str = "says otherwise") -> None:
        self.reader, self.detector, self.gate = reader, detector, gate
        self._p: dict[str, float] = {}

    def probability(self, text: str) -> float:
        if text not in self._p:
            words, toks, cues, _ = self.reader.read(text)
            self._p[text] = (0.0 if self.reader.aside(text, self.gate)
                             else self.detector.probability(words, toks, cues))
        return self._p[text]

    def topic(self, text: str) -> str:
        words, toks, cues, _ = self.reader.read(text)
        return self.detector.topic(words, toks, cues)


def systems(rules: Callable[[str], Answer], without: Callable[[str], Answer],
            opinions: Opinions, thresholds: Sequence[float]) -> dict[str, Callable[[str], Answer]]:
    """The rules alone, the detector alone, and rules or detector, at each threshold."""
    out: dict[str, Callable[[str], Answer]] = {"rules alone": rules}

    def alone(t: float) -> Callable[[str], Answer]:
        return lambda text: (("safety", opinions.topic(text)) if opinions.probability(text) >= t
                             else without(text))

    def either(t: float) -> Callable[[str], Answer]:
        def answer(text: str) -> Answer:
            found = rules(text)
            if found[0] != "safety" and opinions.probability(text) >= t:
                return "safety", opinions.topic(text)
            return found
        return answer

    for t in thresholds:
        out[f"detector alone t={t}"] = alone(t)
    for t in thresholds:
        out[f"rules or detector t={t}"] = either(t)
    return out


def cross_validate(reader: Reader, questions: Sequence[Question], k: int, settings: Settings,
                   thresholds: Sequence[float], gate: str = "says otherwise") -> dict[str, dict[str, Totals]]:
    """Today's rules, and detectors fitted on the other folds ("rounds", "rest")."""
    knowledge = reader.matcher.knowledge
    out: dict[str, dict[str, Totals]] = {}
    for name, train, test in folds(questions, k):
        group = "rest" if name.startswith("rest") else "rounds"
        detector = fit_detector(reader, safety_examples(knowledge, train),
                                safety_topic_examples(knowledge, train), settings)
        opinions = Opinions(reader, detector, gate)
        for system, answer in systems(reader.answer, lambda t: reader.answer(t, rules=False),
                                      opinions, thresholds).items():
            totals = out.setdefault(group, {}).setdefault(system, Totals())
            for q in test:
                totals.add(q, answer(q.text))
    return out


# ------------------------------------------------------------ as of then (git history)


def git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True).stdout


def moved(round_name: str) -> str | None:
    """The commit in which ``round_name`` first appears in the seen rounds."""
    found = git("log", "--reverse", "--format=%H", f"-S[{round_name}.", "--",
                "tests/data/questions_seen.toml").decode().split()
    return found[0] if found else None


def questions_then(commit: str) -> list[Question]:
    """The labelled training questions as they were in ``commit``."""
    out: list[Question] = []
    for name in labelled.TRAINING_FILES:
        try:
            data = tomllib.loads(git("show", f"{commit}:tests/data/{name}").decode())
        except subprocess.CalledProcessError:
            continue
        if all(isinstance(v, list) for v in data.values()):
            out += [Question(t, label, name.removesuffix(".toml")) for label, ts in data.items()
                    for t in ts]
        else:
            out += [Question(t, label, batch) for batch, table in labelled._batches(data)
                    for label, ts in table.items() for t in ts]
    return out


@dataclass(frozen=True)
class TopicThen:
    id: str
    safety: bool
    samples: tuple[str, ...]
    phrasings: tuple[str, ...]


def topics_then(commit: str) -> list[TopicThen]:
    data = tomllib.loads(git("show", f"{commit}:skill/questions/topics.toml").decode())
    return [TopicThen(t["id"], bool(t.get("safety")), tuple(t.get("samples", ())),
                      tuple(t.get("phrasings", ()))) for t in data["topic"]]


_RUN_THEN = """
import json, sys
import skill
assert skill.__file__.startswith(sys.argv[1]), skill.__file__
import skill.questions.matcher as matcher
if hasattr(matcher, "load_detector"):  # a commit with the detector: its rules alone
    matcher.load_detector = lambda: None
from skill.questions.matcher import match_question
print(json.dumps([[m.kind, m.topic_id] for m in map(match_question, json.load(sys.stdin))]))
"""


@functools.cache
def answers_then(commit: str, texts: tuple[str, ...]) -> dict[str, Answer]:
    """The matcher of ``commit`` (its code and data, in a scratch copy) on ``texts``,
    without any safety detector it has."""
    with tempfile.TemporaryDirectory(prefix="leg-coach-then-") as tmp:
        with tarfile.open(fileobj=BytesIO(git("archive", commit, "skill", "timer", "speech"))) as tar:
            tar.extractall(tmp, filter="data")
        done = subprocess.run([sys.executable, "-c", _RUN_THEN, tmp], input=json.dumps(list(texts)),
                              capture_output=True, text=True, cwd=tmp, check=True, timeout=600,
                              env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"})
    return {t: (k, topic) for t, (k, topic) in zip(texts, json.loads(done.stdout))}


def as_of_then(reader: Reader, questions: Sequence[Question], settings: Settings,
               thresholds: Sequence[float], gate: str = "says otherwise") -> dict[str, Totals]:
    """Each seen round, by the matcher and a detector as of the commit before it was seen."""
    rounds = dict.fromkeys(q.batch.split(".")[0] for q in questions if "." in q.batch)
    out: dict[str, Totals] = {}
    for r in rounds:
        commit = moved(r)
        if commit is None:
            continue
        then = commit + "^"
        test = [q for q in questions if q.batch.split(".")[0] == r and "." in q.batch]
        past = [q for q in questions_then(then) if q.text not in {t.text for t in test}]
        topics = topics_then(then)
        safety_rows = ([(q.text, SAFETY if q.kind == "safety" else NOT_SAFETY) for q in past]
                       + [(s, SAFETY if t.safety else NOT_SAFETY) for t in topics
                          for s in (*t.samples, *t.phrasings)])
        ids = set(URGENCY)
        topic_rows = ([(q.text, q.first) for q in past if q.first in ids]
                      + [(s, t.id) for t in topics if t.id in ids for s in (*t.samples, *t.phrasings)])
        opinions = Opinions(reader, fit_detector(reader, safety_rows, topic_rows, settings), gate)
        old = answers_then(then, tuple(q.text for q in test))
        # The detector alone, where it does not route, answers as the old matcher would
        # have without its rules; that is not known, so a rule's safety answer counts as
        # kept out of safety and out of scope when the question is out of scope.
        def without(text: str) -> Answer:
            found = old[text]
            return ("out_of_scope", None) if found[0] == "safety" else found
        for system, answer in systems(old.__getitem__, without, opinions, thresholds).items():
            totals = out.setdefault(system, Totals())
            for q in test:
                totals.add(q, answer(q.text))
        print(f"  (round {r}: matcher of {then[:7]}^, {len(past)} questions then)", file=sys.stderr)
    return out


def report(title: str, results: dict[str, Totals]) -> None:
    print(f"\n{title}:")
    for name, totals in results.items():
        print(totals.line(name))


def timing(texts: Sequence[str], rounds: int = 5) -> None:
    """Time per question of the matcher with and without the shipped detector
    (each question's best of ``rounds``, the two matchers in turn)."""
    from skill.questions.safety_learned import load_detector

    start = time.perf_counter()
    detector = load_detector()
    load_ms = (time.perf_counter() - start) * 1000
    knowledge = load_knowledge()
    matchers = {"without the detector": Matcher(knowledge, learned=load_scorer(), blend=BLEND),
                "with it (the skill's)": Matcher(knowledge, learned=load_scorer(), blend=BLEND,
                                                 safety=detector)}
    best = {name: [float("inf")] * len(texts) for name in matchers}
    for _ in range(rounds):
        for name, m in matchers.items():
            for i, text in enumerate(texts):
                begin = time.perf_counter()
                m.match(text)
                best[name][i] = min(best[name][i], (time.perf_counter() - begin) * 1e6)
    print(f"\ntime per question ({len(texts)} questions, best of {rounds}; "
          f"weights read in {load_ms:.0f} ms):")
    for name, times in best.items():
        ordered = sorted(times)
        print(f"  matcher {name:<22} mean {sum(times) / len(times):6.0f} us"
              f"  p50 {ordered[len(ordered) // 2]:6.0f} us  p99 {ordered[len(ordered) * 99 // 100]:6.0f} us")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="k-fold over the rest (default 5)")
    parser.add_argument("--grid", action="store_true", help="also the regression settings tried")
    parser.add_argument("--no-history", action="store_true",
                        help="skip the folds as of then (they need the git history)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reader = Reader(Matcher(load_knowledge(), learned=load_scorer(), blend=BLEND))  # no detector
    questions = training()
    print(f"{len(questions)} training questions; shipped threshold {THRESHOLD}")
    grid = [(SAFETY_SETTINGS, "says otherwise")]
    if args.grid:
        grid += [(Settings(c, (2, 4), keep), gate) for c in (1.0, 3.0, 10.0, 30.0)
                 for keep in (0.0, 0.1) for gate in ("says otherwise", "set aside", "negated")
                 if (Settings(c, (2, 4), keep), gate) != grid[0]]
    for settings, gate in grid:
        print(f"\n== regression {settings}, gate: {gate}")
        if not args.no_history:
            report("as of then (each seen round by the matcher of the commit before it was seen)",
                   as_of_then(reader, questions, settings, THRESHOLDS, gate))
        for group, results in cross_validate(reader, questions, args.folds, settings,
                                             THRESHOLDS, gate).items():
            report({"rounds": "rounds (leave one seen round out; today's rules have read it)",
                    "rest": f"rest ({args.folds} folds over the other training questions)"}[group],
                   results)
    timing(sorted({q.text for q in questions}))
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
