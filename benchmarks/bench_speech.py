"""Speech rendering figures: cold and warm cache for ~80 workout phrases.

Prints times and their ratio to a baseline measured in the same run: one
espeak-ng synthesis of one phrase through the same (already started)
engine. No pass/fail.

    .venv/bin/python benchmarks/bench_speech.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speech.cache import AudioCache  # noqa: E402
from speech.model import Narration, Pause, Sound  # noqa: E402
from speech.tts import VoiceOptions, engine_id, synthesize  # noqa: E402

NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen"
    " fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()
EXERCISES = ("Squats", "Reverse lunges", "Glute bridges", "Split squats", "Wall sit")
TIPS = (
    "Keep your chest up.",
    "Push through your heels.",
    "Knees track over your toes.",
    "Squeeze your glutes at the top.",
    "Lower slowly, for three seconds.",
    "Keep your back flat.",
    "Breathe out as you push up.",
    "Brace your core.",
    "Step back far enough that both knees bend to ninety degrees.",
    "Hold the top for one second.",
    "Sit back as if into a chair.",
    "Drive your hips up.",
    "Stand tall between reps.",
    "Shake out your legs.",
)
OTHER = (
    "Rest.",
    "Ten seconds left.",
    "Five seconds left.",
    "Get ready.",
    "Go!",
    "Halfway there.",
    "Last rep.",
    "Switch sides.",
    "Warm up: march on the spot for one minute.",
    "Cool down and stretch your hamstrings.",
    "Great work. Session complete.",
    "Next up: glute bridges.",
    "Take a sip of water.",
    "Three, two, one.",
    "Well done.",
    "Keep going, you are nearly there.",
)


def narrations() -> list[Narration]:
    out = [Narration.of(n.capitalize()) for n in NUMBERS]
    for name in EXERCISES:
        for s in (1, 2, 3):
            out.append(Narration.of(Sound("beep"), f"{name}. Set {s} of 3. 12 reps.", Pause(0.3), "Go!"))
    out += [Narration.of(t) for t in TIPS + OTHER]
    out += [Narration.of(f"{n} seconds rest.") for n in ("Thirty", "Forty five", "Sixty")]
    out += [Narration.of(f"Rep {n}.") for n in NUMBERS[:12]]
    return out


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def baseline(tmp: Path) -> float:
    """Median time of one synthesis of one short phrase (engine started)."""
    opts = VoiceOptions()
    synthesize("Warm up.", tmp / "warm.wav", opts)
    runs = [timed(lambda: synthesize("Squats. Set 2 of 3.", tmp / "b.wav", opts)) for _ in range(7)]
    return statistics.median(runs)


FRESH = """
import sys, time
t = time.perf_counter()
sys.path.insert(0, {root!r})
sys.argv = ["x"]
import benchmarks.bench_speech as b
from speech.cache import AudioCache
from pathlib import Path
AudioCache(Path({cache!r})).render_all(b.narrations())
print(time.perf_counter() - t)
"""


def fresh_process_cold(tmp: Path) -> float:
    """Cold render in a new interpreter: import, engine start and all phrases."""
    code = FRESH.format(root=str(ROOT), cache=str(tmp / "fresh"))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    total = time.perf_counter() - start
    print(f"  (inside the new process: {float(out.stdout.strip().splitlines()[-1]):.3f} s)")
    return total


def main() -> None:
    ns = narrations()
    phrases = {p.text for n in ns for p in n.parts if hasattr(p, "text")}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["LEGCOACH_HOME"] = str(tmp)
        t0 = time.perf_counter()
        ident = engine_id()
        start_engine = time.perf_counter() - t0
        base = baseline(tmp)
        cache = AudioCache(tmp / "cache")
        cold = timed(lambda: cache.render_all(ns))
        warm_same = timed(lambda: cache.render_all(ns))
        warm_new = timed(lambda: AudioCache(tmp / "cache").render_all(ns))
        fresh = fresh_process_cold(tmp)
    print(f"engine: {ident}; {len(ns)} narrations, {len(phrases)} distinct phrases")
    rows = [
        ("engine start (first use)", start_engine),
        ("baseline: one phrase synthesised", base),
        ("cold cache, engine running", cold),
        ("cold cache, fresh process (total)", fresh),
        ("warm cache, same cache object", warm_same),
        ("warm cache, new cache object", warm_new),
    ]
    for label, seconds in rows:
        print(f"{label:<36} {seconds * 1000:9.1f} ms  = {seconds / base:8.3f} x baseline")
    print(f"{'cold, per distinct phrase':<36} {cold / len(phrases) * 1000:9.1f} ms")

if __name__ == "__main__":
    main()
