"""A whole session as one WAV file: every cue's audio at its planned offset.

The file lasts exactly as long as the session, so playing it from the start
is the workout, and finding the speech onsets in it checks the timeline.
"""

from __future__ import annotations

import json
from pathlib import Path

from speech.audio import Clip, place, write_wav
from speech.cache import AudioCache
from speech.model import Narration
from timer.compiler import Timeline, compile_plan
from timer.plans import Plan


class SessionClips:
    """Each narration's audio, built once."""

    def __init__(self, cache: AudioCache) -> None:
        self.cache = cache
        self._clips: dict[Narration, Clip] = {}

    def __call__(self, n: Narration) -> Clip:
        clip = self._clips.get(n)
        if clip is None:
            clip = self._clips[n] = self.cache.clip_for(n)
        return clip

    def seconds(self, n: Narration) -> float:
        return self(n).seconds


def measured_timeline(plan: Plan, clips: SessionClips) -> Timeline:
    """The plan's timeline paced on the measured length of each cue's audio."""
    return compile_plan(plan, clips.seconds)


def render_session(plan: Plan, cache: AudioCache) -> tuple[Timeline, Clip]:
    """The plan's timeline (paced on the measured speech) and its audio."""
    clips = SessionClips(cache)
    timeline = measured_timeline(plan, clips)
    items = [(cue.offset, clips(cue.narration)) for cue in timeline.cues]
    return timeline, place(items, timeline.length, cache.rate)


def write_session(plan: Plan, cache: AudioCache, wav: Path, timeline_json: Path | None = None) -> Timeline:
    """Write the session WAV (and the timeline as JSON); returns the timeline."""
    timeline, clip = render_session(plan, cache)
    write_wav(clip, wav)
    if timeline_json is not None:
        timeline_json.write_text(json.dumps(timeline.to_json(), indent=1, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    return timeline
