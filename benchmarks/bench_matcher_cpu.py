"""CPU time per question of the matcher, with and without its learned scorer.

Each training question (tests/data: questions.toml, questions_train.toml,
questions_seen.toml) is matched in turn, ``--passes`` times over the set,
timed with the thread's CPU clock (so other processes on the machine move
it little), and its best time kept; p50, p99 and the slowest of those are
printed, and the same for the first pass alone (a new matcher and scorer:
nothing remembered yet). Wall-clock figures are bench_matcher.py's. Prints
figures only; no pass/fail.

Run: .venv/bin/python benchmarks/bench_matcher_cpu.py [--passes N]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from labelled import training  # noqa: E402
from skill.core.content import read_data  # noqa: E402
from skill.questions.knowledge import load_knowledge  # noqa: E402
from skill.questions.learned import LearnedScorer  # noqa: E402
from skill.questions.matcher import BLEND, Matcher  # noqa: E402


def best_us(match: Callable[[str], object], texts: Sequence[str],
            passes: int) -> tuple[list[float], list[float]]:
    """Each text's CPU time in microseconds: on the first pass, and the best of all."""
    clock = time.thread_time_ns
    best = [float("inf")] * len(texts)
    first: list[float] = []
    gc.disable()  # as timeit does: collector pauses are not the matcher's cost
    try:
        for n in range(passes):
            for i, text in enumerate(texts):
                start = clock()
                match(text)
                best[i] = min(best[i], (clock() - start) / 1000)
            if n == 0:
                first = list(best)
    finally:
        gc.enable()
    return first, best


def line(label: str, samples: list[float]) -> str:
    xs = sorted(samples)
    p50, p99 = xs[len(xs) // 2], xs[min(len(xs) - 1, int(0.99 * len(xs)))]
    return f"  {label:<36} p50 {p50:7.1f} us  p99 {p99:7.1f} us  max {xs[-1]:7.1f} us"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5, help="passes over the questions (default 5)")
    args = parser.parse_args(argv)
    knowledge = load_knowledge()
    texts = [q.text for q in training()]
    print(f"CPU time per question, {len(texts)} training questions, best of {args.passes} passes")
    for name, learned in (("with the learned scorer", True), ("without it", False)):
        scorer = LearnedScorer(read_data("questions/learned.json")) if learned else None
        matcher = Matcher(knowledge, learned=scorer, blend=BLEND)
        first, best = best_us(matcher.match, texts, args.passes)
        print(line(f"{name}, first pass", first))
        print(line(f"{name}, best of {args.passes}", best))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
