"""A session as a stream of MP3 segments, one per set block.

A device plays the segments one after another (Alexa's AudioPlayer queues
the next as the current one nearly finishes). Each segment is a turn of the
timeline (:meth:`~timer.timeline.Timeline.turns`): the warm-up, each set with
the rest after it, the cool-down with the finish. Laid end to end, the
decoded segments are the session's audio after a lead of
:data:`~speech.mp3.DELAY` samples (25 ms): every cue of the plan sounds at
``offset + LEAD`` of the stream, and at ``offset + LEAD - start`` of its
own segment, to the sample.

That takes two things MP3 makes awkward. A decoded file is a whole number of
frames, so segment boundaries are frame multiples of the stream, each put at
most one frame (26 ms) before its block starts, in the quiet that ends the
block before (every block ends with at least half a second of it). And every
file decodes ``DELAY`` samples late, so each segment's input starts ``DELAY``
samples after its boundary; the decoder's quiet covers the stream's own.

Segments are content-addressed: the file name is a digest of the voice
(engine, voice, rate, volume), the format, the length and each cue's
narration and position, so re-rendering a plan costs a lookup, and the same
set at the same place is one file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from speech.audio import place
from speech.cache import AudioCache, part_key
from speech.model import Narration
from speech.mp3 import BIT_RATE, DELAY, FORMAT, FRAME, SAMPLE_RATE, encode_frames, input_samples
from timer.compiler import compile_plan
from timer.plans import Plan
from timer.render import SessionClips, measured_timeline
from timer.timeline import Cue, Timeline

#: Seconds of quiet before the first cue of a stream (the decoder's delay).
LEAD = DELAY / SAMPLE_RATE


@dataclass(frozen=True)
class Segment:
    """One file of the stream: the blocks ``blocks`` of the timeline.

    ``first_frame`` and ``frames`` place it in the stream (frames of
    :data:`~speech.mp3.FRAME` samples); ``start``/``end`` are the plan times of
    its blocks. ``digest`` names its audio (empty until it is rendered)."""

    index: int
    blocks: tuple[int, ...]
    start: float
    end: float
    first_frame: int
    frames: int
    cues: tuple[Cue, ...]
    digest: str = ""
    set_end: float | None = None  # plan time where its set ends (None: no set in it)

    @property
    def first_sample(self) -> int:
        return self.first_frame * FRAME

    @property
    def stream_start(self) -> float:
        """Seconds from the stream's start to this segment's first sample."""
        return self.first_sample / SAMPLE_RATE

    @property
    def seconds(self) -> float:
        """Decoded length in seconds."""
        return self.frames * FRAME / SAMPLE_RATE

    @property
    def file_name(self) -> str:
        return f"s-{self.digest}.mp3"

    @property
    def size(self) -> int:
        """Bytes of its MP3 (constant bit rate: known before it is encoded, to a byte)."""
        return round(self.frames * FRAME * BIT_RATE * 1000 / 8 / SAMPLE_RATE)

    def offset_in_file(self, plan_offset: float) -> float:
        """Where a moment of the plan sounds in this segment's decoded audio."""
        return plan_offset + LEAD - self.stream_start

    def placements(self) -> list[tuple[int, Cue]]:
        """Each cue with the input sample where its audio starts."""
        return [(_sample(c.offset) - self.first_sample, c) for c in self.cues]


@dataclass(frozen=True)
class Stream:
    """A plan's timeline and the segments that play it."""

    timeline: Timeline
    segments: tuple[Segment, ...]

    @property
    def seconds(self) -> float:
        last = self.segments[-1]
        return last.stream_start + last.seconds

    def playlist(self, plan: Plan) -> Playlist:
        return Playlist(plan.digest, self.segments)


def _sample(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def lay_out(timeline: Timeline, first_alone: bool = True) -> tuple[Segment, ...]:
    """Segments for ``timeline`` (one per turn), placed on frame boundaries.

    With ``first_alone`` the first block (the title and the first warm-up
    move: 56 to 70 s of the built-in levels' 96 to 134 s of warm-up) is a
    segment of its own and the rest of the warm-up the next one: a stream's
    start waits for its first segment to be encoded, and a shorter one is
    encoded sooner.

    Pure: the plan's times in, frame numbers out. A boundary is the last
    frame start at or before its block's first sample; the stream ends a
    frame after the last sound, so the finish is never cut."""
    groups = list(timeline.turns())
    if first_alone and len(groups[0]) > 1:
        groups[:1] = [groups[0][:1], groups[0][1:]]
    firsts = [0] + [_sample(timeline.blocks[g[0]].start) // FRAME for g in groups[1:]]
    firsts.append(-(-_sample(timeline.length) // FRAME) + 1)
    segments = []
    for i, group in enumerate(groups):
        first, frames = firsts[i], firsts[i + 1] - firsts[i]
        if frames < 1:
            raise ValueError(f"turn {i} of {timeline.title!r} is shorter than an MP3 frame")
        cues = tuple(c for b in group for c in timeline.cues_in_block(b))
        set_end = next((timeline.blocks[b].end for b in group if timeline.blocks[b].kind == "set"), None)
        segments.append(Segment(i, tuple(group), timeline.blocks[group[0]].start,
                                timeline.blocks[group[-1]].end, first, frames, cues, set_end=set_end))
    return tuple(segments)


def _content(seg: Segment) -> list[object]:
    return [FORMAT, seg.frames, [[at, [part_key(p) for p in c.narration]] for at, c in seg.placements()]]


def playlist_name(plan_digest: str, voice: str | None, rate: int, volume: float) -> str:
    """File name of the playlist of a plan (by :attr:`Plan.digest`) spoken with
    the voice as configured: computable without a speech engine, so a server
    that only plays streams (AWS Lambda) finds what a renderer published."""
    blob = json.dumps([FORMAT, plan_digest, voice, rate, volume], separators=(",", ":"))
    return f"p-{hashlib.sha256(blob.encode()).hexdigest()[:32]}.json"


@dataclass(frozen=True)
class Playlist:
    """What a player needs of a stream: each segment's name and place, no audio."""

    plan_digest: str
    segments: tuple[Segment, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "plan": self.plan_digest, "segments": [
            {"digest": s.digest, "blocks": list(s.blocks), "start": round(s.start, 6), "end": round(s.end, 6),
             "first_frame": s.first_frame, "frames": s.frames, "set_end": s.set_end} for s in self.segments]}

    @classmethod
    def from_json(cls, value: Any) -> Playlist | None:
        """The playlist ``value`` describes, or None if it is not one of this format."""
        try:
            if value["format"] != FORMAT:
                return None
            segments = tuple(Segment(i, tuple(int(b) for b in s["blocks"]), float(s["start"]), float(s["end"]),
                                     int(s["first_frame"]), int(s["frames"]), (), str(s["digest"]),
                                     None if s.get("set_end") is None else float(s["set_end"]))
                             for i, s in enumerate(value["segments"]))
            return cls(str(value["plan"]), segments) if segments else None
        except (KeyError, TypeError, ValueError):
            return None

    def segment_of_block(self, block: int) -> Segment:
        """The segment holding timeline block ``block``."""
        for seg in self.segments:
            if block in seg.blocks:
                return seg
        raise IndexError(f"no block {block} in this playlist")


class SegmentRenderer:
    """Renders a plan's segments into the audio cache as ``s-<digest>.mp3``."""

    def __init__(self, cache: AudioCache) -> None:
        self.cache = cache
        self.clips = SessionClips(cache)
        #: Segment files this renderer had to encode (not found in the cache).
        self.encoded = 0
        #: The first block a segment of its own (see :func:`lay_out`).
        self.first_alone = True

    def stream(self, plan: Plan) -> Stream:
        """The plan's stream with every segment's digest; encodes nothing."""
        timeline = measured_timeline(plan, self.clips)
        segments = tuple(_named(seg, self.cache) for seg in lay_out(timeline, self.first_alone))
        return Stream(timeline, segments)

    def opening(self, plan: Plan) -> Stream:
        """The plan's stream with only its first segment exact, from the
        speech of that segment alone (what starting a stream needs at once).

        The compiler is causal (a block's times depend on the blocks before
        it), so the first segment's cues and length, paced on their measured
        speech and the rest estimated, are those of :meth:`stream`, and so
        is its digest. The other segments are laid out on estimates and
        unnamed: use :meth:`stream` for them."""
        first: set[Narration] = set()
        while True:
            measured = {n: self.clips.seconds(n) for n in first}
            timeline = compile_plan(plan, measured.get)
            segments = lay_out(timeline, self.first_alone)
            spoken = {c.narration for c in segments[0].cues}
            if spoken <= first:
                return Stream(timeline, (_named(segments[0], self.cache),) + segments[1:])
            first |= spoken

    def path(self, seg: Segment) -> Path:
        """The segment's MP3 in the cache, encoded now if missing."""
        return self.cache.file_for(seg.file_name, lambda: self._encode(seg))

    def render(self, plan: Plan) -> Stream:
        """The plan's stream with every segment's MP3 in the cache."""
        stream = self.stream(plan)
        self.render_all(stream.segments)
        return stream

    def render_all(self, segments: Iterable[Segment]) -> list[Path]:
        return [self.path(seg) for seg in segments]

    def _encode(self, seg: Segment) -> bytes:
        rate = self.cache.rate
        total = input_samples(seg.frames) / SAMPLE_RATE
        items = [(at / SAMPLE_RATE, self.clips(c.narration)) for at, c in seg.placements()]
        self.encoded += 1
        return encode_frames(place(items, total, rate), seg.frames)


def _named(seg: Segment, cache: AudioCache) -> Segment:
    return replace(seg, digest=cache.content_key("segment", _content(seg)))
