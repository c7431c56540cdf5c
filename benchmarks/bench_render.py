"""How fast are the default plan's cues rendered, and where does the speech land in its WAV?

Prints:

- cold render of every cue of the default plan into an empty audio cache
  (fresh LEGCOACH_HOME; engine start-up shown apart), then warm (a new cache
  object on the same folder) and hot (the same object); target cold < 2 s;
- baseline from the same run: synthesising each distinct phrase straight
  to a file with speech.tts.synthesize (no trimming, no cache);
- rendering the whole session to one WAV (timer.render), then finding the
  speech onsets in that file (speech.audio.onsets) and the largest distance
  from an onset to the nearest cue offset of the timeline; target <= 30 ms.
  sox's own reading of the file's length is shown as a cross-check.

    .venv/bin/python benchmarks/bench_render.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech.audio import onsets, read_wav  # noqa: E402
from speech.cache import AudioCache  # noqa: E402
from speech.model import Say  # noqa: E402
from speech.tts import VoiceOptions, synthesize, tts_available  # noqa: E402
from timer.compiler import compile_plan  # noqa: E402
from timer.plans import DEFAULT_PLAN, load_plan  # noqa: E402
from timer.render import write_session  # noqa: E402


def timed(action):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def sox_seconds(path: Path) -> str:
    if not shutil.which("sox"):
        return "sox not installed"
    info = subprocess.run(["sox", "--i", "-D", str(path)], capture_output=True, text=True, check=False)
    return f"{float(info.stdout):.3f} s" if info.returncode == 0 else info.stderr.strip()


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    os.environ["LEGCOACH_HOME"] = str(home)
    plan = load_plan(DEFAULT_PLAN)
    narrations = [c.narration for c in compile_plan(plan).cues]
    phrases = sorted({p.text.strip() for n in narrations for p in n if isinstance(p, Say)})
    print(f"plan: {plan.name}, {len(narrations)} cues, {len(set(narrations))} distinct,"
          f" {len(phrases)} distinct phrases")

    start_up, available = timed(tts_available)
    if not available:
        print("text-to-speech is unavailable: nothing to measure")
        return 0
    print(f"engine start-up          {start_up * 1000:8.1f} ms")

    cold_cache = AudioCache(home / "audio-cache", VoiceOptions())
    cold, _ = timed(lambda: cold_cache.render_all(narrations))
    warm, _ = timed(lambda: AudioCache(home / "audio-cache", VoiceOptions()).render_all(narrations))
    hot, _ = timed(lambda: cold_cache.render_all(narrations))
    print(f"cold render (all cues)   {cold * 1000:8.1f} ms   ({cold_cache.rendered} phrases synthesised;"
          " target < 2000 ms)")
    print(f"warm render (disk cache) {warm * 1000:8.1f} ms   ({cold / warm:.0f}x faster than cold)")
    print(f"hot render (same object) {hot * 1000:8.1f} ms")

    raw_dir = home / "raw"
    raw_dir.mkdir()
    baseline, _ = timed(lambda: [synthesize(t, raw_dir / f"{i}.wav", VoiceOptions())
                                 for i, t in enumerate(phrases)])
    print(f"baseline: bare synthesize of each phrase {baseline * 1000:8.1f} ms"
          f"   (cold render / baseline = {cold / baseline:.2f}x)")

    wav, js = home / "session.wav", home / "session.json"
    cache = AudioCache(home / "audio-cache", VoiceOptions())
    took, timeline = timed(lambda: write_session(plan, cache, wav, js))
    clip = read_wav(wav)
    found = onsets(clip)
    offsets = [c.offset for c in timeline.cues]
    distances = [min(abs(t - o) for o in offsets) for t in found]
    print(f"\nsession WAV              {took * 1000:8.1f} ms to render and write {wav.stat().st_size / 1e6:.1f} MB")
    print(f"  length {clip.seconds:.3f} s, timeline {timeline.length:.3f} s, sox says {sox_seconds(wav)}")
    print(f"  speech onsets found {len(found)} of {len(offsets)} cues (onsets need >= 0.5 s of quiet before)")
    print(f"  onset to nearest cue offset: max {max(distances) * 1000:.1f} ms,"
          f" mean {sum(distances) / len(distances) * 1000:.1f} ms (target <= 30 ms)")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
