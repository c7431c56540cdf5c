"""How fast does the longest plan become MP3 stream segments, and do its cues land on time?

Prints, for the longest built-in plan, in a fresh LEGCOACH_HOME:

- cold: every phrase synthesised and every segment encoded (empty cache);
- encode only: a second plan folder, phrases cached but no segments, so the
  time is placing the cues and LAME encoding;
- cached: a new renderer on the same cache, every segment already there
  (what starting a stream costs once the segments exist);

each as a multiple of real time (stream seconds / wall seconds; goal >= 100x),
then the segments decoded with miniaudio (if installed) and laid end to end:
the largest distance from a cue's planned place to the speech onset found.

    .venv/bin/python benchmarks/bench_stream.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech.audio import Clip, onset_errors  # noqa: E402
from speech.cache import AudioCache  # noqa: E402
from speech.mp3 import BIT_RATE, SAMPLE_RATE  # noqa: E402
from speech.tts import VoiceOptions, tts_available  # noqa: E402
from timer.compiler import compile_plan  # noqa: E402
from timer.plans import builtin_plans, load_plan  # noqa: E402
from timer.segments import LEAD, SegmentRenderer  # noqa: E402


def timed(action):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def onset_check(root: Path, stream) -> str:  # type: ignore[no-untyped-def]
    try:
        import miniaudio
    except ImportError:
        return "miniaudio not installed: onsets not checked"
    samples = array("h")
    for seg in stream.segments:
        sound = miniaudio.decode((root / seg.file_name).read_bytes(), nchannels=1,
                                 sample_rate=SAMPLE_RATE, output_format=miniaudio.SampleFormat.SIGNED16)
        samples.extend(array("h", sound.samples)[0::2])
    errors = onset_errors(Clip(samples, SAMPLE_RATE // 2), [c.offset + LEAD for c in stream.timeline.cues])
    return (f"decoded end to end: {len(samples) / (SAMPLE_RATE // 2):.2f} s; cue onsets: max error"
            f" {max(errors) * 1000:.1f} ms, mean {sum(errors) / len(errors) * 1000:.1f} ms (goal < 30 ms)")


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    os.environ["LEGCOACH_HOME"] = str(home)
    if not tts_available():
        print("text-to-speech is unavailable: nothing to measure")
        return 0
    names = builtin_plans()
    plan = max((load_plan(n) for n in names), key=lambda p: compile_plan(p).length)
    cache_dir = home / "audio-cache"
    cold_renderer = SegmentRenderer(AudioCache(cache_dir, VoiceOptions()))
    cold, stream = timed(lambda: cold_renderer.render(plan))
    seconds = stream.seconds
    size = sum((cache_dir / s.file_name).stat().st_size for s in stream.segments)
    print(f"plan: {plan.name}, {seconds / 60:.1f} min stream, {len(stream.segments)} segments,"
          f" {size / 1e6:.1f} MB of MP3 ({SAMPLE_RATE} Hz mono, {BIT_RATE} kbps CBR)")
    print(f"cold (synthesise + encode) {cold:7.2f} s  {seconds / cold:6.0f}x real time")

    for seg in stream.segments:
        (cache_dir / seg.file_name).unlink()
    encoder = SegmentRenderer(AudioCache(cache_dir, VoiceOptions()))
    encode, _ = timed(lambda: encoder.render(plan))
    print(f"encode only (phrases cached) {encode:5.2f} s  {seconds / encode:6.0f}x real time"
          f"  ({encoder.encoded} segments encoded)")

    cached_renderer = SegmentRenderer(AudioCache(cache_dir, VoiceOptions()))
    cached, _ = timed(lambda: cached_renderer.render(plan))
    print(f"cached (all segments there) {cached * 1000:6.1f} ms {seconds / cached:6.0f}x real time"
          f"  ({cached_renderer.encoded} encoded)")
    print(onset_check(cache_dir, stream))
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
