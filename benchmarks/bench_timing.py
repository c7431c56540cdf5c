"""How punctual is `python -m timer run`, and what does it cost while running?

Runs the real CLI in a subprocess with real speech (not --mute: every cue is
rendered by espeak-ng and handed to the player found on this machine) and
reads its --events file. Prints, per run:

- lateness (actual - planned) of every fired cue in real milliseconds
  (plan ms / speed): p50, p99, max; the first and last cue's lateness (drift);
- the same figures for a baseline measured at the same time: a bare loop of
  ``time.sleep(deadline - now)`` on the same kind of offsets, in its own process;
- CPU of the timer process while the workout runs (user + sys from
  /proc/<pid>/stat, between the first cue and the end) as % of one core.

Runs: a ~60 s plan at --speed 1 (plain output), the longest built-in plan at
--speed 20, and (unless --no-live) the ~60 s plan at --speed 1 with the live
panel on a pseudo-terminal. Targets: p99 <= 5 ms, max <= 20 ms, last cue no
later than the first, CPU < 2% of one core. Figures only, no pass/fail.

    .venv/bin/python benchmarks/bench_timing.py [--no-live]
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech.player import find_player  # noqa: E402
from timer.compiler import compile_plan  # noqa: E402
from timer.plans import builtin_plans, load_plan, loads_plan  # noqa: E402

SHORT_PLAN = """
name = "timing-check"
title = "Timing check"
rest_between_sets = 8
[[exercises]]
exercise = "squat"
sets = 2
reps = 6
tempo = { down = 1, up = 1 }
"""

BASELINE = """
import json, sys, time
offsets, speed = json.loads(sys.argv[1]), float(sys.argv[2])
start = time.monotonic()
late = []
for offset in offsets:
    deadline = start + offset / speed
    while (now := time.monotonic()) < deadline:
        time.sleep(deadline - now)
    late.append((time.monotonic() - deadline) * 1000)
print(json.dumps(late))
"""

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    label: str
    lateness_ms: list[float]
    baseline_ms: list[float]
    cpu_percent: float
    cpu_seconds: float
    run_seconds: float
    prepare_seconds: float
    total_cpu_seconds: float


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def run_cli(label: str, plan_args: list[str], speed: float, offsets: list[float], live: bool) -> Run:
    home = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    events = home / "events.jsonl"
    argv = [sys.executable, "-m", "timer", "run", *plan_args, "--speed", str(speed),
            "--events", str(events)]
    env = {**os.environ, "LEGCOACH_HOME": str(home), "COLUMNS": "100", "LINES": "30"}
    master = None
    if live:
        master, slave = pty.openpty()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        os.set_blocking(master, False)
    else:
        argv.append("--plain")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    began = time.monotonic()
    first_cpu = first_wall = last_cpu = last_wall = None
    baseline = None
    while proc.poll() is None:
        if master is not None:
            try:
                while os.read(master, 65536):
                    pass
            except (BlockingIOError, OSError):
                pass
        cpu, now = cpu_seconds(proc.pid), time.monotonic()
        if first_cpu is None and count_lines(events) > 0 and cpu is not None:
            first_cpu, first_wall = cpu, now
            baseline = subprocess.Popen([sys.executable, "-c", BASELINE, json.dumps(offsets), str(speed)],
                                        stdout=subprocess.PIPE, text=True)
        if cpu is not None:
            last_cpu, last_wall = cpu, now
        time.sleep(0.2)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if master is not None:
        os.close(master)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: timer exited {proc.returncode}: {stderr.strip()}")
    base_out, _ = baseline.communicate() if baseline else ("[]", None)
    got = [json.loads(line) for line in events.read_text().splitlines()]
    shutil.rmtree(home, ignore_errors=True)
    lateness = [(e["actual"] - e["planned"]) / speed * 1000 for e in got]
    used = (last_cpu or 0) - (first_cpu or 0)
    wall = (last_wall or 0) - (first_wall or 0)
    return Run(label, lateness, json.loads(base_out), 100 * used / wall if wall else float("nan"), used, wall,
               (first_wall or began) - began, last_cpu or 0.0)


def describe(values: list[float]) -> str:
    return (f"p50 {pct(values, 0.5):6.3f}  p99 {pct(values, 0.99):6.3f}  max {max(values):6.3f}  "
            f"first {values[0]:6.3f}  last {values[-1]:6.3f}")


def report(run: Run, speed: float) -> None:
    print(f"\n== {run.label}")
    print(f"  cues fired          {len(run.lateness_ms)}")
    print(f"  timer lateness ms   {describe(run.lateness_ms)}   (real ms; plan ms = x{speed:g})")
    print(f"  baseline sleep ms   {describe(run.baseline_ms)}")
    ratio = pct(run.lateness_ms, 0.99) / max(pct(run.baseline_ms, 0.99), 1e-6)
    print(f"  p99 timer/baseline  {ratio:.2f}x")
    print(f"  CPU while running   {run.cpu_percent:.2f}% of one core ({run.cpu_seconds:.2f} s CPU"
          f" over {run.run_seconds:.1f} s; /proc samples, 10 ms ticks)")
    print(f"  preparing voice     {run.prepare_seconds:.1f} s before the first cue"
          f" (process CPU in all: {run.total_cpu_seconds:.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-live", action="store_true", help="skip the live-panel run")
    args = parser.parse_args()
    player = find_player()
    print(f"player: {getattr(player, 'name', type(player).__name__)} (silent = no sound card; "
          "cues are rendered and handed to it)")
    with tempfile.TemporaryDirectory() as tmp:
        short = Path(tmp) / "timing-check.toml"
        short.write_text(SHORT_PLAN, encoding="utf-8")
        short_offsets = [c.offset for c in compile_plan(loads_plan(SHORT_PLAN)).cues]
        longest = max(builtin_plans(), key=lambda n: compile_plan(load_plan(n)).length)
        long_offsets = [c.offset for c in compile_plan(load_plan(longest)).cues]
        runs = [("short plan (~60 s), --speed 1, plain output", ["--plan-file", str(short)], 1.0,
                 short_offsets, False),
                (f"{longest} (longest built-in), --speed 20, plain output", [longest], 20.0,
                 long_offsets, False)]
        if not args.no_live:
            runs.append(("short plan, --speed 1, live panel on a pseudo-terminal",
                         ["--plan-file", str(short)], 1.0, short_offsets, True))
        for label, plan_args, speed, offsets, live in runs:
            report(run_cli(label, plan_args, speed, offsets, live), speed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
