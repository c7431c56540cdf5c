"""How well and how fast the local matcher maps questions to topics.

Accuracy on tests/data/questions.toml (overall, per kind, per topic, and the
confusions), then time per question (mean, p50, p99) over many repetitions.
Baselines measured in the same run on the same questions:
``text.lower().split()`` (the floor any matcher pays) and a naive
word-overlap matcher (its accuracy too, to show what the design buys).
Prints figures only; no pass/fail.

Run: .venv/bin/python benchmarks/bench_matcher.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skill.knowledge import Knowledge, load_knowledge  # noqa: E402
from skill.matcher import Match, Matcher  # noqa: E402

QUESTIONS = ROOT / "tests" / "data" / "questions.toml"


def labelled() -> list[tuple[str, str]]:
    data = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))
    return [(label, text) for label, texts in data.items() for text in texts]


def outcome(match: Match, label: str) -> str:
    if label in ("safety", "out_of_scope"):
        return match.kind
    return match.topic_id or match.kind


def kind_of(label: str) -> str:
    return label if label in ("safety", "out_of_scope") else "topic"


class OverlapMatcher:
    """The naive baseline: the topic whose sample words overlap the question most."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.words = {t.id: {w for s in t.samples for w in s.split()} for t in knowledge}
        self.safety = {t.id for t in knowledge.safety}

    def match(self, text: str) -> Match:
        words = set(text.lower().split())
        best = max(self.words, key=lambda tid: len(words & self.words[tid]) / len(self.words[tid]))
        score = len(words & self.words[best]) / (len(words) or 1)
        if score < 0.5:
            return Match("out_of_scope", None, score)
        return Match("safety" if best in self.safety else "topic", best, score)


def accuracy_report(name: str, match: Callable[[str], Match], items: Sequence[tuple[str, str]],
                    *, per_topic: bool = True, top: int | None = None) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for label, text in items:
        got = outcome(match(text), label)
        for key in (kind_of(label), f"  {label}"):
            total[key] += 1
            right[key] += got == label
        if got != label:
            confusions[(label, got)] += 1
    hits = sum(right[k] for k in ("topic", "safety", "out_of_scope"))
    print(f"\n{name}: accuracy {hits / len(items):.1%} ({hits}/{len(items)})")
    for key in ("topic", "safety", "out_of_scope"):
        print(f"  {key:<22} {right[key] / total[key]:7.1%}  ({right[key]}/{total[key]})")
    if per_topic:
        print("  topics below 100%:")
        kinds = ("safety", "out_of_scope")
        topics = [k for k in total if k.startswith("  ") and k.strip() not in kinds]
        for key in sorted(topics):
            if right[key] < total[key]:
                share = right[key] / total[key]
                print(f"    {key.strip():<20} {share:7.1%}  ({right[key]}/{total[key]})")
    shown = confusions.most_common(top)
    for (expected, got), count in shown:
        print(f"  confusion: {expected} -> {got} x{count}")
    if len(shown) < len(confusions):
        print(f"  ... and {len(confusions) - len(shown)} more confusions")


def per_call_us(action: Callable[[str], object], texts: Sequence[str], rounds: int) -> list[float]:
    """Time of each call, in microseconds, over ``rounds`` passes of all texts."""
    samples = []
    clock = time.perf_counter_ns
    gc.disable()  # as timeit does: collector pauses are not the matcher's cost
    try:
        for _ in range(rounds):
            for text in texts:
                start = clock()
                action(text)
                samples.append((clock() - start) / 1000)
    finally:
        gc.enable()
    return sorted(samples)


def timing_line(label: str, samples: list[float]) -> float:
    mean = statistics.fmean(samples)
    p50, p99 = samples[len(samples) // 2], samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    print(f"  {label:<34} mean {mean:8.2f} us  p50 {p50:8.2f} us  p99 {p99:8.2f} us"
          f"  (n={len(samples)})")
    return mean


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100,
                        help="passes over all questions (default 100)")
    args = parser.parse_args(argv)

    knowledge = load_knowledge()
    start = time.perf_counter()
    matcher = Matcher(knowledge)
    build_ms = (time.perf_counter() - start) * 1000
    overlap = OverlapMatcher(knowledge)
    items = labelled()
    texts = [text for _, text in items]
    print(f"{len(items)} labelled questions, {len(knowledge.topics)} topics; "
          f"matcher built in {build_ms:.1f} ms")

    accuracy_report("Leg Coach matcher", matcher.match, items)
    accuracy_report("baseline word-overlap matcher", overlap.match, items, per_topic=False, top=5)

    print(f"\ntime per question ({args.rounds} rounds):")
    rounds = args.rounds
    split = timing_line("baseline text.lower().split()",
                        per_call_us(lambda t: t.lower().split(), texts, rounds))
    naive = timing_line("baseline word-overlap matcher", per_call_us(overlap.match, texts, rounds))
    ours = timing_line("Leg Coach matcher", per_call_us(matcher.match, texts, rounds))
    print(f"\n  matcher / lower().split(): {ours / split:6.1f}x")
    print(f"  matcher / word-overlap:    {ours / naive:6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
