"""Small audio helpers on mono 16-bit PCM, standard library only.

A :class:`Clip` is an ``array('h')`` of samples plus a sample rate. The
project rate is :data:`RATE` (22,050 Hz, what espeak-ng produces); clips at
other rates are converted by :func:`resample`.
"""

from __future__ import annotations

import bisect
import math
import os
import sys
import tempfile
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from speech.model import SOUNDS

RATE = 22050
FULL_SCALE = 32767
#: Peak level of generated tones, as a fraction of full scale.
TONE_LEVEL = 0.5
_FADE = 0.005  # seconds of fade at each end of a tone step (no clicks)
_SOFT_GAP = 0.02  # seconds of quiet that end a soft start traced back by onsets()


class AudioError(ValueError):
    """A WAV file we cannot read, or a bad argument to a helper."""


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit samples at ``rate`` Hz."""

    samples: array[int]
    rate: int = RATE

    def __post_init__(self) -> None:
        if self.samples.typecode != "h":
            raise AudioError("Clip samples must be array('h')")
        if self.rate <= 0:
            raise AudioError(f"sample rate must be positive, not {self.rate}")

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def __len__(self) -> int:
        return len(self.samples)


def _to_le(samples: array[int]) -> bytes:
    if sys.byteorder == "little":
        return samples.tobytes()
    swapped = array("h", samples)
    swapped.byteswap()
    return swapped.tobytes()


def _mono16(raw: bytes, width: int, channels: int) -> array[int]:
    if width == 1:  # unsigned 8-bit
        samples = array("h", ((b - 128) << 8 for b in raw))
    elif width == 2:
        samples = array("h")
        samples.frombytes(raw)
        if sys.byteorder != "little":
            samples.byteswap()
    else:
        raise AudioError(f"unsupported sample width {width * 8} bits (need 8 or 16)")
    if channels == 1:
        return samples
    frames = [samples[c::channels] for c in range(channels)]
    return array("h", (sum(group) // channels for group in zip(*frames)))


def read_wav(path: Path | str) -> Clip:
    """Read a PCM WAV file as a mono 16-bit clip (stereo is mixed down)."""
    try:
        with wave.open(str(path), "rb") as w:
            raw = w.readframes(w.getnframes())
            return Clip(_mono16(raw, w.getsampwidth(), w.getnchannels()), w.getframerate())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a readable PCM WAV file ({exc})") from exc


def write_wav(clip: Clip, path: Path | str) -> Path:
    """Write ``clip`` as a mono 16-bit WAV, atomically (temp file + replace)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".wav", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(clip.rate)
            w.writeframes(_to_le(clip.samples))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def wav_seconds(path: Path | str) -> float:
    """Length of a WAV file in seconds, from its header."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a readable PCM WAV file ({exc})") from exc


def silence(seconds: float, rate: int = RATE) -> Clip:
    if seconds < 0:
        raise AudioError(f"silence cannot be negative: {seconds}")
    return Clip(array("h", bytes(2 * round(seconds * rate))), rate)


def _tone_step(freq: float, seconds: float, rate: int) -> array[int]:
    count = round(seconds * rate)
    if freq <= 0:
        return array("h", bytes(2 * count))
    fade = max(1, round(_FADE * rate))
    peak = TONE_LEVEL * FULL_SCALE
    step = 2 * math.pi * freq / rate
    return array(
        "h",
        (
            round(peak * min(1.0, i / fade, (count - 1 - i) / fade) * math.sin(step * i))
            for i in range(count)
        ),
    )


def tone_clip(name: str, rate: int = RATE) -> Clip:
    """The generated sound ``name`` (a key of :data:`speech.model.SOUNDS`)."""
    try:
        tone = SOUNDS[name]
    except KeyError:
        raise AudioError(f"unknown sound {name!r}; known: {', '.join(SOUNDS)}") from None
    samples = array("h")
    for freq, seconds in tone.steps:
        samples.extend(_tone_step(freq, seconds, rate))
    return Clip(samples, rate)


def resample(clip: Clip, rate: int) -> Clip:
    """``clip`` at ``rate`` Hz (linear interpolation)."""
    if rate == clip.rate:
        return clip
    if rate <= 0:
        raise AudioError(f"sample rate must be positive, not {rate}")
    src = clip.samples
    count = round(len(src) * rate / clip.rate)
    if not src or not count:
        return Clip(array("h"), rate)
    ratio = clip.rate / rate
    last = len(src) - 1
    out = array("h", bytes(2 * count))
    for i in range(count):
        pos = i * ratio
        j = min(int(pos), last)
        frac = pos - j
        nxt = src[j + 1] if j < last else src[j]
        out[i] = round(src[j] + (nxt - src[j]) * frac)
    return Clip(out, rate)


def concat(clips: Iterable[Clip], rate: int = RATE) -> Clip:
    """Clips one after another, converted to ``rate``."""
    samples = array("h")
    for clip in clips:
        samples.extend(resample(clip, rate).samples)
    return Clip(samples, rate)


def place(items: Iterable[tuple[float, Clip]], total_seconds: float, rate: int = RATE) -> Clip:
    """A clip of ``total_seconds`` with each clip mixed in starting at its
    offset (seconds). Overlaps add up (clipped to 16 bits); audio running
    past the end is cut."""
    if total_seconds < 0:
        raise AudioError(f"total length cannot be negative: {total_seconds}")
    size = round(total_seconds * rate)
    out = array("h", bytes(2 * size))
    covered = 0  # samples before this index may already hold audio
    for offset, clip in sorted(items, key=lambda item: item[0]):
        if offset < 0:
            raise AudioError(f"offset cannot be negative: {offset}")
        start = round(offset * rate)
        seg = resample(clip, rate).samples[: max(0, size - start)]
        end = start + len(seg)
        overlap = max(0, min(end, covered) - start)
        _mix_into(out, start, seg[:overlap])
        out[start + overlap : end] = seg[overlap:]
        covered = max(covered, end)
    return Clip(out, rate)


def _mix_into(out: array[int], start: int, seg: array[int]) -> None:
    """Add ``seg`` to ``out`` from ``start``, clipping to 16 bits."""
    lo, hi = -FULL_SCALE - 1, FULL_SCALE
    for i, value in enumerate(seg, start):
        out[i] = min(hi, max(lo, out[i] + value))


def peak(samples: array[int]) -> int:
    """Largest absolute sample value (0 for no samples)."""
    if not samples:
        return 0
    return int(max(max(samples), -min(samples)))


def rms(clip: Clip) -> float:
    """Root mean square level as a fraction of full scale."""
    s = clip.samples
    if not s:
        return 0.0
    return math.sqrt(sum(map(int.__mul__, s, s)) / len(s)) / FULL_SCALE


def trim(clip: Clip, threshold: float = 0.005, lead: float = 0.003, tail: float = 0.05) -> Clip:
    """``clip`` without silence before and after the sound, keeping ``lead``
    seconds before the first and ``tail`` after the last sample above
    ``threshold`` (fraction of full scale). A silent clip becomes empty."""
    s = clip.samples
    level = threshold * FULL_SCALE
    first = next((i for i, v in enumerate(s) if abs(v) > level), None)
    if first is None:
        return Clip(array("h"), clip.rate)
    last = next(i for i in range(len(s) - 1, -1, -1) if abs(s[i]) > level)
    start = max(0, first - round(lead * clip.rate))
    end = min(len(s), last + 1 + round(tail * clip.rate))
    return Clip(s[start:end], clip.rate)


def onsets(
    clip: Clip,
    *,
    threshold: float = 0.01,
    min_silence: float = 0.5,
    frame: float = 0.005,
) -> list[float]:
    """Times (s) where sound starts after at least ``min_silence`` seconds of
    quiet (or at the very start of the clip).

    A frame (``frame`` seconds) is loud when its peak passes ``threshold``
    (fraction of full scale). From the first loud frame after the quiet the
    onset is traced back to the first sample above a quarter of the
    threshold, so soft starts ("th", "f") and quiet voices are timed where
    they begin. The default ``min_silence`` is longer than the gaps between
    sentences inside one espeak-ng phrase at 175 wpm (up to ~0.36 s); use
    more for slow speech (gaps grow as the rate falls).
    """
    s = clip.samples
    size = max(1, round(frame * clip.rate))
    level, soft = threshold * FULL_SCALE, threshold * FULL_SCALE / 4
    need = max(1, math.ceil(min_silence * clip.rate / size))
    gap = round(_SOFT_GAP * clip.rate)
    found: list[float] = []
    quiet = need  # the start of the clip counts as after silence
    for start in range(0, len(s), size):
        if peak(s[start : start + size]) <= level:
            quiet += 1
            continue
        if quiet >= need:
            begin = _soft_start(s, start, size, soft, gap, max(0, start - quiet * size))
            found.append(begin / clip.rate)
        quiet = 0
    return found


def onset_errors(clip: Clip, offsets: Iterable[float], *, min_silence: float = 0.15) -> list[float]:
    """For each planned offset, the distance (s) to the nearest onset found in
    ``clip`` (``inf`` if none). The short default ``min_silence`` finds cues
    that follow another closely; the extra onsets it finds between sentences
    of one cue do no harm here."""
    found = onsets(clip, min_silence=min_silence)
    errors = []
    for t in offsets:
        i = bisect.bisect_left(found, t)
        near = found[max(0, i - 1) : i + 1]
        errors.append(min((abs(f - t) for f in near), default=math.inf))
    return errors


def _soft_start(s: array[int], loud: int, size: int, soft: float, gap: int, stop: int) -> int:
    """Index where the sound reaching loudness in the frame at ``loud`` begins:
    the earliest sample above ``soft`` reached going back without ``gap``
    quieter samples in a row, and not before ``stop``."""
    first = next(i for i in range(loud, loud + size) if abs(s[i]) > soft)
    quiet = 0
    i = first - 1
    while i >= stop and quiet <= gap:
        if abs(s[i]) > soft:
            first, quiet = i, 0
        else:
            quiet += 1
        i -= 1
    return first
