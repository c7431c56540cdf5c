"""Run the suite under other time zones and hash seeds: it must not care.

    python tests/sweep.py            # make sweep: the whole suite 4 times, then
                                     # the time-sensitive tests in 4 more zones
    python tests/sweep.py --short    # make test (CI): the suite once, then the
                                     # time-sensitive tests once more

Each run is a fresh ``pytest`` with ``TZ`` and ``PYTHONHASHSEED`` set (child
processes inherit both). The time-sensitive tests pin their instants
(Sunday 23:59, Monday 00:00, both DST changes: tests/instants.py) and only
the machine's zone varies here. Prints one line per run and a total; exits
non-zero if any run failed or ran no test. Extra arguments go to every
pytest (e.g. ``-x``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Tests that read a day, a week or a zone (all with injected instants).
TIME_SENSITIVE = [
    "tests/test_history.py", "tests/test_device_time.py", "tests/test_remind.py",
    "tests/test_alexa_reminders.py", "tests/test_guided_limits.py",
    "tests/test_timer_cli.py::test_history_lists_sessions_and_the_weekly_count",
    "tests/test_timer_cli.py::test_history_counts_the_week_monday_to_sunday_in_the_machines_zone",
    "tests/test_guided.py::test_weekly_progress_counts_this_weeks_finished_workouts",
]

# (TZ, PYTHONHASHSEED, what to run): UTC+14, UTC-3:30 (-2:30 in summer), and
# zones with DST on both sides of the equator.
FULL = [("Pacific/Kiritimati", "1", ["tests"]), ("America/St_Johns", "2", ["tests"]),
        ("Pacific/Kiritimati", "2", ["tests"]), ("America/St_Johns", "1", ["tests"]),
        *[(zone, "3", TIME_SENSITIVE) for zone in
          ("UTC", "America/Los_Angeles", "Europe/Berlin", "Australia/Sydney")]]
SHORT = [("America/St_Johns", "1", ["tests"]), ("Pacific/Kiritimati", "2", TIME_SENSITIVE)]

_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def run(zone: str, seed: str, targets: list[str], extra: list[str]) -> tuple[int, dict[str, int], float]:
    env = {**os.environ, "TZ": zone, "PYTHONHASHSEED": seed}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             *extra, *targets], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    elapsed = time.monotonic() - started
    lines = result.stdout.rstrip().splitlines()
    closing = lines[-1] if lines else ""
    counts = {kind.rstrip("s").replace("error", "errors"): int(n)
              for n, kind in _COUNT.findall(closing)}
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
    return result.returncode, counts, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the short form that make test runs")
    args, extra = parser.parse_known_args(argv)
    total = {"passed": 0, "failed": 0}
    status = 0
    for zone, seed, targets in SHORT if args.short else FULL:
        code, counts, elapsed = run(zone, seed, targets, extra)
        what = "the whole suite" if targets == ["tests"] else "the time-sensitive tests"
        print(f"TZ={zone} PYTHONHASHSEED={seed}, {what}: "
              f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
              f"{counts.get('errors', 0)} errors, {counts.get('skipped', 0)} skipped "
              f"in {elapsed:.0f} s" + ("" if code == 0 else f" (pytest exit {code})"), flush=True)
        total["passed"] += counts.get("passed", 0)
        total["failed"] += counts.get("failed", 0) + counts.get("errors", 0)
        status = status or code or (0 if counts.get("passed") else 1)
    print(f"sweep: {total['passed']} passed, {total['failed']} failed")
    return status


if __name__ == "__main__":
    sys.exit(main())
