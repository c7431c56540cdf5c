"""Garbage-collector pauses in the served app, with and without
``skill.endpoint.app.freeze_for_serving`` (same run, one child process each, since
freezing is for the whole process).

Each child builds the warmed-up app (``create_app``, verification off), then
either freezes it or not, and answers question turns through Flask's test
client while ``gc.callbacks`` records every collection's duration by
generation; then it times one full collection, as the next one would cost.
A full collection pauses every request in flight, so its length is what
shows up in a server's tail latency (Python runs one whenever the objects
that survived since the last grow past a quarter of all tracked ones).
Prints figures; no pass/fail.

    .venv/bin/python benchmarks/bench_gc.py [--requests 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import gc, json, sys, time
sys.path.insert(0, {tests!r})
import envelopes as E
from skill.endpoint.app import create_app, freeze_for_serving

app = create_app({{"VERIFY": False}})
tracked = len(gc.get_objects())
if {freeze}:
    freeze_for_serving()
pauses = {{0: [], 1: [], 2: []}}
began = []

def watch(phase, info):
    if phase == "start":
        began.append(time.perf_counter())
    else:
        pauses[info["generation"]].append(time.perf_counter() - began.pop())

questions = ["why won't my legs slim down", "does salt make my legs puffy",
             "how often should I train", "can I burn thigh fat with thigh exercises"]
client = app.test_client()
gc.callbacks.append(watch)
start = time.perf_counter()
for i in range({requests}):
    body = json.dumps(E.question(questions[i % 4], user_id=f"amzn1.ask.account.U{{i % 50}}"))
    assert client.post("/alexa", data=body, content_type="application/json").status_code == 200
elapsed = time.perf_counter() - start
gc.callbacks.remove(watch)
start = time.perf_counter()
gc.collect()  # what the next full collection would cost
full = time.perf_counter() - start
print(json.dumps({{"tracked": tracked, "full": full, "elapsed": elapsed, "pauses": pauses}}))
"""


def run(freeze: bool, requests: int, home: str) -> dict[str, object]:
    code = CHILD.format(tests=str(ROOT / "tests"), freeze=freeze, requests=requests)
    env = {**os.environ, "LEGCOACH_HOME": home, "LEGCOACH_STORE": f"sqlite:{home}/gc.db"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, check=True).stdout
    result: dict[str, object] = json.loads(out)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000, help="question turns per child")
    args = parser.parse_args()
    print(f"garbage collection while serving {args.requests} question turns "
          f"(load average {os.getloadavg()[0]:.2f}):")
    with tempfile.TemporaryDirectory() as home:
        for freeze in (False, True):
            result = run(freeze, args.requests, home)
            label = "frozen (freeze_for_serving)" if freeze else "not frozen (baseline)"
            if not freeze:
                print(f"  warmed-up app: {result['tracked']:,} objects tracked by the collector")
            pauses = result["pauses"]
            assert isinstance(pauses, dict)
            parts = []
            for generation in ("0", "1", "2"):
                times = pauses[generation]
                longest = f", longest {max(times) * 1000:.2f} ms" if times else ""
                parts.append(f"gen{generation} {len(times)}{longest}")
            print(f"  {label:28} {'; '.join(parts)}; "
                  f"{args.requests / float(result['elapsed']):.0f} turns/s; "
                  f"then a full collection {float(result['full']) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
