"""Cold start of the Lambda entry point vs ask-sdk-core alone, in new processes.

Each run is a fresh interpreter. "skill" imports skill.lambda_function and
answers one LaunchRequest (building the skill, SQLite store in a temporary
LEGCOACH_HOME); "baseline" only imports ask_sdk_core.skill_builder. Runs
alternate, and the medians of the wall-clock process times are compared
(target: skill <= 1.3 x baseline). Prints figures; no pass/fail.

    .venv/bin/python benchmarks/bench_coldstart.py [--runs 9]
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
import skill.lambda_function as entry
t1 = time.perf_counter()
response = entry.handler(json.loads({json.dumps(json.dumps(LAUNCH))}), None)
t2 = time.perf_counter()
assert response["response"]["outputSpeech"]["ssml"].startswith("<speak>")
print(f"{{t1 - t0}} {{t2 - t1}}")
"""

EMPTY = 'print("0.0 0.0")'

BASELINE = """
import time
t0 = time.perf_counter()
import ask_sdk_core.skill_builder
t1 = time.perf_counter()
print(f"{t1 - t0} 0.0")
"""


def run_once(code: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(process wall seconds, import seconds, first-response seconds)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"run failed: {result.stderr.strip().splitlines()[-1]}")
    imported, answered = (float(x) for x in result.stdout.split())
    return wall, imported, answered


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each (default 9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "LEGCOACH_HOME": home, "LEGCOACH_STORE": f"sqlite:{home}/skill.db",
               "PYTHONDONTWRITEBYTECODE": "0"}
        env.pop("LEGCOACH_SKILL_ID", None)
        run_once(SKILL, env)  # warm the OS file cache and write .pyc files
        run_once(BASELINE, env)
        skill, base, bare = [], [], []
        for _ in range(args.runs):
            skill.append(run_once(SKILL, env))
            base.append(run_once(BASELINE, env))
            bare.append(run_once(EMPTY, env))
    skill_wall, base_wall = [r[0] for r in skill], [r[0] for r in base]
    print(f"cold start, new process, median of {args.runs} runs each ({sys.executable}), "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  empty interpreter                                 wall {ms([r[0] for r in bare])}")
    print(f"  baseline: import ask_sdk_core.skill_builder      wall {ms(base_wall)}"
          f"   (import {ms([r[1] for r in base])})")
    print(f"  skill:    import skill.lambda_function + Launch  wall {ms(skill_wall)}"
          f"   (import {ms([r[1] for r in skill])}, first response {ms([r[2] for r in skill])})")
    ratio = statistics.median(skill_wall) / statistics.median(base_wall)
    print(f"  ratio skill / baseline (wall): {ratio:.2f}x   (target <= 1.30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
