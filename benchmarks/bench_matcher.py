"""How well and how fast the local matcher maps questions to topics.

The headline is accuracy on the held-out questions
(tests/data/questions_heldout.toml, never used for tuning): only totals are
printed for them, overall, per writing round, per style batch and per kind,
with safety questions routed and false alarms. Then the rounds once held out
whose misses have been read (tests/data/questions_seen.toml) and the training
questions (tests/data/questions.toml and questions_train.toml), with the
confusions (``--errors`` lists every miss of both). A naive word-overlap
matcher is scored on each as the baseline.

"As heard" scores the whole path: the interaction model resolves each
question first (skill.devtools.nlu, as Alexa would); the few it sends to a
workout intent ("how do I do a squad") are answered by the real skill, and
count as right only when the topic it answers is the labelled one.

Then time per question (mean, p50, p99, slowest) over many repetitions,
beside ``text.lower().split()`` (the floor any matcher pays), and the longest
questions alone. Prints figures only; no pass/fail.

Run: .venv/bin/python benchmarks/bench_matcher.py [--rounds N] [--errors]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import envelopes as E  # noqa: E402
from labelled import KINDS, Question, heldout, score, seen, training  # noqa: E402
from skill.builder import build_skill, interaction_model  # noqa: E402
from skill.core.context import TOPIC  # noqa: E402
from skill.core.sdk import invoke  # noqa: E402
from skill.devtools.nlu import LocalNLU  # noqa: E402
from skill.questions.intents import QUESTION_INTENT, WHY_QUESTION_INTENT  # noqa: E402
from skill.questions.knowledge import Knowledge, load_knowledge  # noqa: E402
from skill.questions.learned import load_scorer  # noqa: E402
from skill.questions.matcher import BLEND, Match, Matcher  # noqa: E402
from skill.questions.safety_learned import load_detector  # noqa: E402
from skill.store.sqlite import SQLiteAdapter  # noqa: E402


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


class HeardPath:
    """Each question as the skill hears it: resolved by the interaction model,
    then answered by the matcher (question intents) or by the real skill (any
    other intent; its answer's topic is read from the session it returns)."""

    def __init__(self, knowledge: Knowledge, matcher: Matcher, store: Path) -> None:
        self.matcher = matcher
        self.nlu = LocalNLU(interaction_model(knowledge))
        self.question_intents = {QUESTION_INTENT, WHY_QUESTION_INTENT, *knowledge.intents}
        self.safety = {t.id for t in knowledge.safety}
        self.skill = build_skill(SQLiteAdapter(store))
        self.elsewhere: Counter[str] = Counter()

    def routed(self, text: str) -> str:
        return self.nlu.resolve(text)[0]

    def match(self, text: str) -> Match:
        name, slots = self.nlu.resolve(text)
        if name in self.question_intents:
            return self.matcher.match(text)
        response = invoke(self.skill, E.intent(name, slots or None, new=False))
        topic = (response.get("sessionAttributes") or {}).get(TOPIC)
        if topic is None:  # a workout started, or "which exercise?": no answer
            return Match("workout", None, 0.0)
        return Match("safety" if topic in self.safety else "topic", topic, 1.0)


def heard_report(name: str, heard: HeardPath, items: Sequence[Question]) -> None:
    """Totals only, as for the held-out set."""
    routed = Counter(heard.routed(q.text) for q in items)
    elsewhere = {n: c for n, c in sorted(routed.items()) if n not in heard.question_intents}
    s = score(items, heard.match)
    right, total = s.by_kind["safety"]
    print(f"  {name:<30} {s.share:7.1%}  ({s.right}/{s.total}); safety {right}/{total}, "
          f"false alarms {s.false_alarms}; sent to workout intents: "
          f"{sum(elsewhere.values())} {elsewhere or ''}")


def _line(name: str, questions: Sequence[Question], match: Callable[[str], Match]) -> None:
    s = score(questions, match)
    print(f"  {name:<30} {s.share:7.1%}  ({s.right}/{s.total})")


def heldout_report(name: str, match: Callable[[str], Match], items: Sequence[Question]) -> None:
    """Totals only: which held-out questions are missed is never printed."""
    s = score(items, match)
    print(f"\n{name}: HELD-OUT accuracy {s.share:.1%} ({s.right}/{s.total})")
    for kind in KINDS:
        right, total = s.by_kind[kind]
        print(f"  {kind:<30} {right / total if total else 0:7.1%}  ({right}/{total})")
    print(f"  {'false alarms (sent to a doctor)':<30} {s.false_alarms:>7}  of {s.not_safety}")
    for group in sorted({q.batch.split(".")[0] for q in items}):
        _line(f"round {group}", [q for q in items if q.batch.split(".")[0] == group], match)
    for batch in sorted({q.batch.rsplit(".", 1)[-1] for q in items}):
        _line(f"  batch {batch}", [q for q in items if q.batch.rsplit(".", 1)[-1] == batch], match)


def training_report(name: str, match: Callable[[str], Match], items: Sequence[Question], *,
                    errors: bool = False, top: int | None = None,
                    what: str = "training") -> None:
    s = score(items, match)
    print(f"\n{name}: {what} accuracy {s.share:.1%} ({s.right}/{s.total})")
    for kind in KINDS:
        right, total = s.by_kind[kind]
        print(f"  {kind:<30} {right / total if total else 0:7.1%}  ({right}/{total})")
    print(f"  {'false alarms (sent to a doctor)':<30} {s.false_alarms:>7}  of {s.not_safety}")
    confusions: Counter[tuple[str, str]] = Counter()
    for q in items:
        answer = match(q.text)
        if not q.right(answer):
            got = answer.topic_id or answer.kind
            confusions[(q.label, got)] += 1
            if errors:
                print(f"  missed [{q.batch}] {q.label} -> {got}: {q.text}")
    shown = confusions.most_common(top)
    for group in sorted({q.batch.split(".")[0] for q in items if "." in q.batch}):
        _line(f"round {group}", [q for q in items if q.batch.split(".")[0] == group], match)
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
          f"  max {samples[-1]:8.2f} us  (n={len(samples)})")
    return mean


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100,
                        help="passes over all questions (default 100)")
    parser.add_argument("--errors", action="store_true",
                        help="list every training miss (held-out misses are never listed)")
    args = parser.parse_args(argv)

    knowledge = load_knowledge()
    start = time.perf_counter()
    matcher = Matcher(knowledge, learned=load_scorer(), blend=BLEND,  # as the skill's
                      safety=load_detector())
    build_ms = (time.perf_counter() - start) * 1000
    overlap = OverlapMatcher(knowledge)
    held, old, train = heldout(), seen(), [q for q in training() if q.batch.count(".") == 0]
    texts = [q.text for q in (*held, *old, *train)]
    print(f"{len(held)} held-out, {len(old)} seen (once held out) and {len(train)} training "
          f"questions, {len(knowledge.topics)} topics; matcher built in {build_ms:.1f} ms")

    plain = Matcher(knowledge)
    heldout_report("Leg Coach matcher", matcher.match, held)
    heldout_report("the matcher without its safety detector",
                   Matcher(knowledge, learned=load_scorer(), blend=BLEND).match, held)
    heldout_report("the matcher without its learned scorer", plain.match, held)
    heldout_report("baseline word-overlap matcher", overlap.match, held)
    training_report("Leg Coach matcher", matcher.match, old, errors=args.errors,
                    what="seen rounds (once held out)")
    training_report("baseline word-overlap matcher", overlap.match, old, top=5,
                    what="seen rounds (once held out)")
    training_report("Leg Coach matcher", matcher.match, train, errors=args.errors)
    training_report("baseline word-overlap matcher", overlap.match, train, top=5)

    with tempfile.TemporaryDirectory() as folder:
        heard = HeardPath(knowledge, matcher, Path(folder) / "skill.db")
        print("\nas heard (interaction model, then the skill):")
        heard_report("held out", heard, held)
        heard_report("seen rounds", heard, old)
        heard_report("training", heard, train)

    print(f"\ntime per question ({args.rounds} rounds):")
    rounds = args.rounds
    split = timing_line("baseline text.lower().split()",
                        per_call_us(lambda t: t.lower().split(), texts, rounds))
    naive = timing_line("baseline word-overlap matcher", per_call_us(overlap.match, texts, rounds))
    ours = timing_line("Leg Coach matcher", per_call_us(matcher.match, texts, rounds))
    timing_line("without its learned scorer", per_call_us(plain.match, texts, rounds))
    longest = sorted(texts, key=len)[-10:]
    timing_line("Leg Coach matcher, 10 longest", per_call_us(matcher.match, longest, rounds * 20))
    print(f"\n  matcher / lower().split(): {ours / split:6.1f}x")
    print(f"  matcher / word-overlap:    {ours / naive:6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
