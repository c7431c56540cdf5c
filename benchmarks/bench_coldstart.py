"""Cold start of the Lambda entry point vs ask-sdk-core alone, in new processes.

Each run is a fresh interpreter. "skill" imports skill.endpoint.lambda_function and
answers one LaunchRequest (building the skill, SQLite store in a temporary
LEGCOACH_HOME); "baseline" only imports ask_sdk_core.skill_builder. Runs
are interleaved (the order rotates every round, so neither side always
follows the other), and the medians of the wall-clock process times are
compared (target: skill <= 1.3 x baseline); the spread is the interquartile
range, and the ratio is also given per round (skill / baseline of the same
round). "to response" stops the clock when the child has printed its result,
i.e. without the interpreter's shutdown, which a Lambda cold start never
waits for.

The same pair is also run "as on Lambda": each child first imports what the
Lambda runtime's bootstrap (awslambdaric) has imported before it loads a
handler (importlib, json, logging, os, sys, time, traceback), so that cost
counts on neither side. The target applies to the bare pair.

Deployed on Lambda the store is DynamoDB (``LEGCOACH_STORE=dynamodb:TABLE``);
what opening it adds to a cold start (boto3 and ask-sdk's DynamoDB adapter,
before any network call) is timed on its own, with placeholder credentials.
Prints figures; no pass/fail.

    .venv/bin/python benchmarks/bench_coldstart.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAUNCH = {
    "version": "1.0",
    "session": {"new": True, "sessionId": "amzn1.echo-api.session.bench",
                "application": {"applicationId": "amzn1.ask.skill.bench"},
                "attributes": {}, "user": {"userId": "amzn1.ask.account.BENCH"}},
    "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.bench"},
                           "user": {"userId": "amzn1.ask.account.BENCH"},
                           "device": {"deviceId": "amzn1.ask.device.BENCH", "supportedInterfaces": {}},
                           "apiEndpoint": "https://api.amazonalexa.com"}},
    "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.bench",
                "timestamp": "2026-01-01T00:00:00Z", "locale": "en-US"},
}

SKILL = f"""
import json, time
t0 = time.perf_counter()
import skill.endpoint.lambda_function as entry
t1 = time.perf_counter()
response = entry.handler(json.loads({json.dumps(json.dumps(LAUNCH))}), None)
t2 = time.perf_counter()
assert response["response"]["outputSpeech"]["ssml"].startswith("<speak>")
print(f"{{t1 - t0}} {{t2 - t1}}", flush=True)
"""

EMPTY = 'print("0.0 0.0", flush=True)'

#: What awslambdaric's bootstrap.py imports before it imports the handler.
RUNTIME_PRELUDE = "import importlib, json, logging, os, sys, time, traceback\n"

BASELINE = """
import time
t0 = time.perf_counter()
import ask_sdk_core.skill_builder
t1 = time.perf_counter()
print(f"{t1 - t0} 0.0", flush=True)
"""


DYNAMODB = """
import time
from skill.store import make_store
t0 = time.perf_counter()
make_store("dynamodb:leg-coach-bench")
print(f"{time.perf_counter() - t0} 0.0", flush=True)
"""
#: Enough for boto3 to build a client without reading any AWS configuration.
DYNAMODB_ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

Run = tuple[float, float, float, float]


def run_once(code: str, env: dict[str, str]) -> Run:
    """(process wall seconds, seconds to the printed result, import seconds,
    first-response seconds)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.stdout is not None
    line = child.stdout.readline()
    answered_at = time.perf_counter() - start
    rest, errors = child.communicate()
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"run failed: {errors.strip().splitlines()[-1]}")
    imported, answered = (float(x) for x in (line + rest).split())
    return wall, answered_at, imported, answered


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def ms(values: list[float]) -> str:
    """Median and interquartile range, in milliseconds."""
    q1, median, q3 = quartiles(values)
    return f"{median * 1000:6.1f} ms [{q1 * 1000:5.1f}-{q3 * 1000:5.1f}]"


def ratios(skill: list[float], base: list[float]) -> str:
    """Ratio of the medians, and the per-round ratios' median and IQR."""
    q1, median, q3 = quartiles([s / b for s, b in zip(skill, base)])
    overall = statistics.median(skill) / statistics.median(base)
    return f"{overall:.2f}x   (per round: median {median:.2f}x [{q1:.2f}-{q3:.2f}])"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each (default 21)")
    args = parser.parse_args()
    kinds = {"skill": SKILL, "baseline": BASELINE, "empty": EMPTY,
             "skill on lambda": RUNTIME_PRELUDE + SKILL,
             "baseline on lambda": RUNTIME_PRELUDE + BASELINE}
    runs: dict[str, list[Run]] = {name: [] for name in kinds}
    with tempfile.TemporaryDirectory() as home:
        # PYTHONDONTWRITEBYTECODE=0 lets the warm-up runs write .pyc files.
        env = {**os.environ, "LEGCOACH_HOME": home, "LEGCOACH_STORE": f"sqlite:{home}/skill.db",
               "PYTHONDONTWRITEBYTECODE": "0"}
        env.pop("LEGCOACH_SKILL_ID", None)
        run_once(SKILL, env)  # warm the OS file cache and write .pyc files
        run_once(BASELINE, env)
        order = list(kinds)
        for round_ in range(args.runs):
            turn = round_ % len(order)
            for name in order[turn:] + order[:turn]:
                runs[name].append(run_once(kinds[name], env))
        dynamodb = [run_once(DYNAMODB, {**env, **DYNAMODB_ENV})[2] for _ in range(args.runs)]
    skill, base, bare = runs["skill"], runs["baseline"], runs["empty"]

    def column(rs: list[Run], i: int) -> list[float]:
        return [r[i] for r in rs]

    print(f"cold start, new process, {args.runs} interleaved runs each ({sys.executable}), "
          f"load average {os.getloadavg()[0]:.2f}; median [interquartile range]")
    print(f"  empty interpreter                                 wall {ms(column(bare, 0))}")
    print(f"  baseline: import ask_sdk_core.skill_builder      wall {ms(column(base, 0))}"
          f"   to response {ms(column(base, 1))}   import {ms(column(base, 2))}")
    print(f"  skill:    import skill.endpoint.lambda_function + Launch  wall {ms(column(skill, 0))}"
          f"   to response {ms(column(skill, 1))}   import {ms(column(skill, 2))}"
          f"   first response {ms(column(skill, 3))}")
    print(f"  ratio skill / baseline (wall):        {ratios(column(skill, 0), column(base, 0))}"
          "   target <= 1.30x")
    print(f"  ratio skill / baseline (to response): {ratios(column(skill, 1), column(base, 1))}")
    lambda_skill, lambda_base = runs["skill on lambda"], runs["baseline on lambda"]
    print("as on Lambda (both first import what the Lambda runtime has loaded before the handler):")
    print(f"  baseline wall {ms(column(lambda_base, 0))}   skill wall {ms(column(lambda_skill, 0))}")
    print(f"  ratio skill / baseline (wall):        "
          f"{ratios(column(lambda_skill, 0), column(lambda_base, 0))}")
    print(f"  ratio skill / baseline (to response): "
          f"{ratios(column(lambda_skill, 1), column(lambda_base, 1))}")
    print(f"opening the DynamoDB store (boto3 and ask-sdk's adapter, no network): {ms(dynamodb)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
