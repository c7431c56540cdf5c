"""Does the learned scorer generalise better than the matcher? Cross-validation on training only.

Leave one round out: each seen round (tests/data/questions_seen.toml) is
scored by a scorer fitted on everything else (the other rounds, the flat
and batch training sets, every sample and phrasing); then k-fold over the
flat and batch training sets the same way. Three answers on the same
folds: the matcher as it is; the learned scorer alone (the matcher's
safety rules first, then the class it finds most likely); and the blend
the skill uses (:class:`skill.questions.matcher.Blend`). Totals per kind,
safety questions routed and false alarms. The held-out questions are never
read. The matcher itself was written while reading the seen rounds'
misses, so its figures here flatter it; the learned scorer's do not.

``--grid`` also scores the blend settings and the regression settings
tried, to choose them by these folds alone.

Run: .venv/bin/python benchmarks/bench_learned.py [--grid] [--folds 5]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from labelled import KINDS, Question, score, training  # noqa: E402
from skill.questions.knowledge import load_knowledge  # noqa: E402
from skill.questions.learned import OUT_OF_SCOPE, LearnedScorer  # noqa: E402
from skill.questions.matcher import BLEND, Blend, Match, Matcher  # noqa: E402
from skill.questions.training import (Settings, classes, featurise, fit,  # noqa: E402
                                      labelled_examples, pruned, topic_examples)

Fold = tuple[str, list[Question], list[Question]]  # name, training, test


def folds(questions: Sequence[Question], k: int) -> list[Fold]:
    """One fold per seen round, then ``k`` folds over the rest (every k-th question)."""
    rounds = sorted({q.batch.split(".")[0] for q in questions if "." in q.batch})
    out: list[Fold] = []
    for r in rounds:
        test = [q for q in questions if q.batch.split(".")[0] == r and "." in q.batch]
        out.append((r, [q for q in questions if q not in test], test))
    rest = [q for q in questions if "." not in q.batch]
    for i in range(k):
        test = rest[i::k]
        chosen = set(map(id, test))
        out.append((f"rest {i + 1}/{k}", [q for q in questions if id(q) not in chosen], test))
    return out


class Learner:
    """Fits one scorer per fold; features are computed once per text."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.knowledge = matcher.knowledge
        self.labels = classes(self.knowledge)
        self._features: dict[tuple[str, tuple[int, int]], dict[str, float]] = {}
        self._fitted: dict[tuple[str, float, tuple[int, int]], dict[str, object]] = {}
        self._read: dict[str, tuple[list[str], list[object], Match]] = {}

    def features(self, text: str, sizes: tuple[int, int]) -> dict[str, float]:
        key = (text, sizes)
        if key not in self._features:
            self._features[key] = featurise(self.matcher, text, sizes)
        return self._features[key]

    def scorer(self, fold: str, train: Sequence[Question], settings: Settings) -> LearnedScorer:
        key = (fold, settings.c, settings.chars)
        if key not in self._fitted:
            examples = labelled_examples(train) + topic_examples(self.knowledge)
            rows = [(self.features(text, settings.chars), label) for text, label in examples]
            self._fitted[key] = fit(rows, self.labels, Settings(settings.c, settings.chars, 0.0))
        return LearnedScorer(pruned(self._fitted[key], settings.keep))  # type: ignore[arg-type]

    def read(self, text: str) -> tuple[list[str], list[object], Match]:
        """The question's words and tokens, and the matcher's answer (remembered)."""
        if text not in self._read:
            m = self.matcher
            self._read[text] = (m.normaliser.words(text, lead=True), m.tokens(text), m.match(text))
        return self._read[text]


def alone(learner: Learner, scorer: LearnedScorer) -> Callable[[str], Match]:
    """The matcher's safety rules, then the scorer's most likely class."""
    def match(text: str) -> Match:
        words, toks, first = learner.read(text)
        if first.kind == "safety":
            return first
        probs = scorer.probabilities(words, toks,  # type: ignore[arg-type]
                                     learner.matcher.cue_topics(toks))  # type: ignore[arg-type]
        best = max(probs, key=lambda c: (probs[c], c))
        if best == OUT_OF_SCOPE:
            return Match("out_of_scope", None, probs[best])
        return Match("topic", best, probs[best])
    return match


class Totals:
    def __init__(self) -> None:
        self.right = self.total = self.alarms = self.not_safety = 0
        self.kinds = {k: [0, 0] for k in KINDS}

    def add(self, questions: Sequence[Question], match: Callable[[str], Match]) -> None:
        s = score(questions, match)
        self.right += s.right
        self.total += s.total
        self.alarms += s.false_alarms
        self.not_safety += s.not_safety
        for k in KINDS:
            self.kinds[k][0] += s.by_kind[k][0]
            self.kinds[k][1] += s.by_kind[k][1]

    def line(self, name: str) -> str:
        parts = [f"{name:<34} {self.right / max(self.total, 1):6.1%} ({self.right}/{self.total})"]
        parts += [f"{k} {r}/{t}" for k, (r, t) in self.kinds.items()]
        parts.append(f"false alarms {self.alarms}/{self.not_safety}")
        return "  ".join(parts)


def evaluate(matcher: Matcher, learner: Learner, fold_list: Sequence[Fold], settings: Settings,
             blends: Sequence[tuple[Blend, float]]) -> dict[str, dict[str, Totals]]:
    """Totals by system, per group of folds ("rounds", "rest")."""
    out: dict[str, dict[str, Totals]] = {}
    for name, train, test in fold_list:
        group = "rest" if name.startswith("rest") else "rounds"
        scorer = learner.scorer(name, train, settings)
        systems: dict[str, Callable[[str], Match]] = {
            "matcher": lambda text: learner.read(text)[2], "learned alone": alone(learner, scorer)}
        for blend, threshold in blends:
            blended = Matcher.__new__(Matcher)
            blended.__dict__.update(matcher.__dict__)
            blended.learned, blended.blend, blended.threshold = scorer, blend, threshold
            systems[f"blend w={blend.weight} oos={blend.out_of_scope} sure={blend.sure} "
                    f"t={threshold}"] = blended.match
        for system, match in systems.items():
            out.setdefault(group, {}).setdefault(system, Totals()).add(test, match)
    return out


def report(results: dict[str, dict[str, Totals]]) -> None:
    for group, systems in results.items():
        print(f"\n{group}:")
        for name, totals in sorted(systems.items(), key=lambda kv: -kv[1].right):
            print("  " + totals.line(name))


def timing(texts: Sequence[str], rounds: int = 5) -> None:
    """Time per question of the shipped scorer alone (features and sums, on words the
    matcher has read), and of the matcher with and without it."""
    from skill.questions.learned import load_scorer

    start = time.perf_counter()
    scorer = load_scorer()
    load_ms = (time.perf_counter() - start) * 1000
    knowledge = load_knowledge()
    plain, blended = Matcher(knowledge), Matcher(knowledge, learned=scorer, blend=BLEND)
    read = [(plain.normaliser.words(t, lead=True), toks, plain.cue_topics(toks))
            for t in texts for toks in [plain.tokens(t)]]
    print(f"\ntime per question ({len(texts)} questions x {rounds}; weights read in {load_ms:.0f} ms):")
    for name, run in (("learned scorer alone", lambda: [scorer.probabilities(*r) for r in read]),
                      ("matcher without it", lambda: [plain.match(t) for t in texts]),
                      ("matcher with it (the skill's)", lambda: [blended.match(t) for t in texts])):
        samples = []
        for _ in range(rounds):
            begin = time.perf_counter()
            run()
            samples.append((time.perf_counter() - begin) / len(texts) * 1e6)
        print(f"  {name:<32} best {min(samples):7.1f} us  median {sorted(samples)[rounds // 2]:7.1f} us")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="k-fold over the rest (default 5)")
    parser.add_argument("--grid", action="store_true", help="score the settings tried")
    parser.add_argument("--rounds-only", action="store_true", help="leave-one-round-out only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    knowledge = load_knowledge()
    matcher = Matcher(knowledge)
    learner = Learner(matcher)
    questions = training()
    fold_list = folds(questions, args.folds)
    if args.rounds_only:
        fold_list = [f for f in fold_list if not f[0].startswith("rest")]
    print(f"{len(questions)} training questions, {len(fold_list)} folds")
    chosen = (BLEND, matcher.threshold)
    if args.grid:
        for c, chars, keep in itertools.product((3.0, 10.0, 30.0), ((3, 5), (2, 4)),
                                                (0.05, 0.1, 0.15, 0.2)):
            settings = Settings(c=c, chars=chars, keep=keep)
            print(f"\n== regression {settings}")
            report(evaluate(matcher, learner, fold_list, settings, []))
        blends = [(Blend(w, o, s), t) for w, o, s, t in itertools.product(
            (0.2, 0.25, 0.3, 0.4, 0.5, 0.6), (0.6, 0.7, 0.8, 1.01), (0.6, 0.7, 0.8, 1.01), (0.3,))]
        report(evaluate(matcher, learner, fold_list, Settings(), blends))
    else:
        report(evaluate(matcher, learner, fold_list, Settings(), [chosen]))
        timing([q.text for q in questions])
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
