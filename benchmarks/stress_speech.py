"""Stress the local voice until it crashes: counts runs that die on a signal.

Each run is a fresh child process that synthesises many different phrases
(short to a few hundred characters, several voices and rates) from several
threads at once, while a render-ahead thread renders a workout stream and
another thread allocates and drops objects, with busy-loop processes loading
the machine. The parent counts the children that
died (SIGSEGV and the like) and prints the last lines of one crash
(faulthandler's report of the crashing thread).

``--guard`` places each text espeak-ng's ``espeak_Synth`` is given at the very
end of a readable page followed by an unreadable one, as Electric Fence does
for every allocation: a read past the text then faults at once instead of now
and then (see speech/espeak.py).

    .venv/bin/python benchmarks/stress_speech.py --runs 20
    .venv/bin/python benchmarks/stress_speech.py --runs 5 --guard
    .venv/bin/python benchmarks/stress_speech.py --runs 5 --long 21000

``--long`` speaks one long text first: reading ten times its length past it
ran off the end of the speech thread's memory arena every time here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = ("squats lunges bridges heels chest knees toes glutes slowly breathe brace core rest set"
         " one two three four five six seven eight nine ten next ready good strong hold push").split()


def phrase(i: int) -> str:
    """A different phrase for every ``i``: 1 to ~80 words."""
    n = 1 + (i * 7919) % (80 if i % 5 == 0 else 12)
    return " ".join(WORDS[(i * 31 + k * 17) % len(WORDS)] for k in range(n)).capitalize() + f" {i}."


def churn(until: threading.Event) -> None:
    """Allocate and drop short-lived objects, as a server answering requests does:
    the allocator maps and unmaps memory all the time, leaving holes."""
    while not until.is_set():
        kept = [str(i) * (1 + i % 40) for i in range(200_000)]
        del kept


def child(threads: int, per_thread: int, guard: bool, long: int) -> None:
    import faulthandler

    faulthandler.enable()
    sys.path.insert(0, str(ROOT))
    if guard:
        sys.path.insert(0, str(ROOT / "tests"))
        from espeak_guard import guard_synth_texts

        guard_synth_texts()
    from speech.cache import AudioCache
    from speech.tts import VoiceOptions, list_voices, synthesize
    from timer.plans import load_plan
    from timer.segments import SegmentRenderer

    voices: list[str | None] = [v.id for v in list_voices()[:40:8]] or [None]
    out = Path(tempfile.mkdtemp(prefix="stress-speech-"))
    if long:  # first, in the fresh process
        synthesize((" ".join(WORDS) + ". ") * (long // 150 + 1), out / "long.wav", VoiceOptions())

    def speak(t: int) -> None:
        for k in range(per_thread):
            i = t * per_thread + k
            options = VoiceOptions(voice=voices[i % len(voices)], rate=120 + (i * 37) % 300)
            synthesize(phrase(i), out / f"{t}.wav", options)

    def render_ahead() -> None:
        plan = load_plan("beginner")
        SegmentRenderer(AudioCache(out / "cache", VoiceOptions(rate=190))).render(plan)

    workers = [threading.Thread(target=speak, args=(t,)) for t in range(threads)]
    workers.append(threading.Thread(target=render_ahead))
    finished = threading.Event()
    churning = threading.Thread(target=churn, args=(finished,))
    churning.start()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    finished.set()
    churning.join()


def burn(stop_at: float, parent: int) -> None:
    while time.monotonic() < stop_at and os.getppid() == parent:  # stops if the parent is killed
        for _ in range(100_000):
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--per-thread", type=int, default=40)
    parser.add_argument("--burners", type=int, default=1, help="busy-loop processes while running")
    parser.add_argument("--guard", action="store_true", help="texts end at an unreadable page")
    parser.add_argument("--long", type=int, default=0, metavar="CHARS",
                        help="first speak one text of about CHARS characters (a minute of work for 20,000)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.threads, args.per_thread, args.guard, args.long)
        return 0
    crashes, failures, last = 0, 0, ""
    started = time.monotonic()
    for run in range(args.runs):
        stop_at = time.monotonic() + 3600
        burners = [multiprocessing.Process(target=burn, args=(stop_at, os.getpid()), daemon=True) for _ in range(args.burners)]
        for b in burners:
            b.start()
        cmd = [sys.executable, __file__, "--child", "--threads", str(args.threads),
               "--per-thread", str(args.per_thread), "--long", str(args.long)] + (["--guard"] if args.guard else [])
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        for b in burners:
            b.terminate()
            b.join()
        if done.returncode < 0:
            crashes += 1
            last = done.stderr
            verdict = f"crashed ({signal.Signals(-done.returncode).name})"
        elif done.returncode:
            failures += 1
            last = done.stderr
            verdict = f"failed (exit {done.returncode})"
        else:
            verdict = "ok"
        print(f"run {run + 1}/{args.runs}: {verdict}", flush=True)
    print(f"{crashes} crashed, {failures} failed, {args.runs - crashes - failures} ok of {args.runs} runs"
          f" ({args.threads} threads x {args.per_thread} phrases + a stream rendered ahead each,"
          f" {args.burners} busy loop(s), guard {'on' if args.guard else 'off'}, long text {args.long} characters,"
          f" {time.monotonic() - started:.0f} s)")
    if last:
        print("last crash or failure, its last lines:\n" + "\n".join(last.splitlines()[-25:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
