"""Guided workouts over voice: turns per plan, the longest response, and the
server-side cost of a workout turn next to a question turn (same run).

For each built-in plan (at the default 90 s turn limit): how many responses
a whole workout takes, the longest response (estimated seconds, SSML
characters, question included) and the time to compile and cut the plan
once (what a cold process pays per plan; the result is cached).

Then the real skill (``build_skill`` with a real SQLite store in a temporary
folder) is invoked in this process with real request envelopes (JSON in,
JSON out, as the Lambda entry does): workout turns ("next" through whole
beginner workouts, a new workout started whenever one finishes; starts are
timed separately) alternate with question turns (QuestionIntent in an open
session), the baseline. The envelopes carry no API access token, so the
turn that finishes a workout does not ask Alexa's settings API for the
device's time zone (a network call, not server time; this machine's zone is
used instead). Prints p50/p99 and the ratio; no pass/fail.

    .venv/bin/python benchmarks/bench_guided.py [--turns 400]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUESTIONS = ("why won't my legs slim down", "does salt make my legs puffy",
             "how often should I train", "which exercises help my legs most")


def plan_figures() -> None:
    from skill.workout.flow import turn_words
    from skill.workout.guide import guide_for
    from skill.workout.plan_spec import LEVELS, PlanSpec
    from skill.workout.turns import FINISH_RESERVE, pieces_for
    from speech.ssml import to_ssml
    from timer.compiler import compile_plan
    from timer.plans import builtin_plans, load_plan

    print("turns per built-in plan (turn limit 90 s; longest = one response, question included):")
    print(f"  {'plan':13} {'length':>7} {'turns':>5} {'sets':>4} {'longest s':>9} {'longest chars':>13}"
          f" {'compile+cut ms':>14}")
    for name in builtin_plans():
        plan = load_plan(name)
        start = time.perf_counter()
        timeline = compile_plan(plan)
        pieces = pieces_for(timeline, turn_words(), 90.0)
        cost = (time.perf_counter() - start) * 1000
        spoken = [p.narration + (p.question or "") for p in pieces]
        seconds = max(s.estimated_seconds() + (0 if p.question else FINISH_RESERVE)
                      for s, p in zip(spoken, pieces, strict=True))
        chars = max(len(to_ssml(s)) for s in spoken)
        print(f"  {name:13} {timeline.length / 60:5.1f} m {len(pieces):5} {timeline.total_sets:4} "
              f"{seconds:9.1f} {chars:13} {cost:14.2f}")
    for level in LEVELS:
        guide = guide_for(PlanSpec(level, None, "squat"), turn_words())
        print(f"  {level}, just squats: {len(guide.pieces)} turns")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Session:
    """One device in an open session: attributes carried from turn to turn."""

    def __init__(self, skill: Any, user: str) -> None:
        self.skill, self.user = skill, user
        self.attributes: dict[str, Any] = {}

    def send(self, name: str, slots: dict[str, str | None] | None = None) -> tuple[float, dict[str, Any]]:
        import envelopes as E
        from skill.core.sdk import invoke

        if name == "QuestionIntent":
            value = E.question(str((slots or {})["query"]), user_id=self.user, attributes=self.attributes)
        else:
            value = E.intent(name, slots, user_id=self.user, attributes=self.attributes)
        del value["context"]["System"]["apiAccessToken"]  # see the module docstring
        start = time.perf_counter()
        response = invoke(self.skill, json.loads(json.dumps(value)))
        elapsed = time.perf_counter() - start
        self.attributes = dict(response.get("sessionAttributes") or {})
        if (response.get("response") or {}).get("shouldEndSession"):
            self.attributes = {}
        return elapsed, response


def turn_figures(turns: int) -> None:
    from skill.store.sqlite import SQLiteAdapter
    from skill.builder import build_skill

    with tempfile.TemporaryDirectory() as home:
        os.environ["LEGCOACH_HOME"] = home
        skill = build_skill(SQLiteAdapter(Path(home) / "skill.db"))
        workout = Session(skill, "amzn1.ask.account.BENCHWORKOUT")
        asker = Session(skill, "amzn1.ask.account.BENCHASK")
        starts: list[float] = []
        nexts: list[float] = []
        questions: list[float] = []
        for warm in range(20):  # imports, caches, the matcher, the first guide
            asker.send("QuestionIntent", {"query": QUESTIONS[warm % len(QUESTIONS)]})
        workout.send("StartWorkoutIntent", {"level": "beginner"})
        ended = False
        for i in range(turns):
            if ended:
                seconds, response = workout.send("StartWorkoutIntent", {"level": "beginner"})
                starts.append(seconds)
            else:
                seconds, response = workout.send("AMAZON.NextIntent")
                nexts.append(seconds)
            ended = bool((response.get("response") or {}).get("shouldEndSession"))
            seconds, _ = asker.send("QuestionIntent", {"query": QUESTIONS[i % len(QUESTIONS)]})
            questions.append(seconds)
    print(f"server-side time per turn (in process, real envelopes, SQLite store, {turns} pairs):")
    for label, values in (("question turn (baseline)", questions), ("workout 'next' turn", nexts),
                          ("workout start turn", starts)):
        print(f"  {label:25} p50 {pct(values, 0.5):6.2f} ms   p99 {pct(values, 0.99):6.2f} ms"
              f"   ({len(values)} turns)")
    ratio = statistics.median(nexts) / statistics.median(questions)
    print(f"  ratio workout 'next' / question (p50): {ratio:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=400, help="workout/question turn pairs")
    args = parser.parse_args()
    load1, _, _ = os.getloadavg()
    print(f"guided-workout benchmark ({os.cpu_count()} CPUs, load average {load1:.2f})")
    plan_figures()
    turn_figures(args.turns)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
