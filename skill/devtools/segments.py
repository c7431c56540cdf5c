"""A stream segment as the console plays it: its bytes and what it says when.

The console fetches each segment it is told to play from the stream's URL
(``serve --dev`` serves ``/audio/<digest>.mp3`` over loopback) and shows its
cues in time. The cues are not read from the MP3: they come from where the
skill got them, the plan's timeline. The token names the plan and the
segment (:class:`skill.workout.stream.Token`), the timer lays the plan out
into segments as the server does (:class:`timer.segments.SegmentRenderer`
on the same audio cache and voice), and the digest in the URL must be that
segment's: segments are named by their content, so the cues are exactly
those rendered into the file. Any other audio plays for its length, counted
from its MP3 frames, with no cues.
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speech.model import Narration

log = logging.getLogger("skill.devtools.segments")

_DIGEST = re.compile(r"/([0-9a-f]{64})\.mp3$")
FETCH_TIMEOUT = 10.0


class FetchError(Exception):
    """A segment could not be fetched; ``kind`` is the error type Alexa reports."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes at ``url`` (http or https), as a device fetches a stream."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("MEDIA_ERROR_INVALID_REQUEST", f"not an http(s) URL: {url[:200]}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path or "/")
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError("MEDIA_ERROR_SERVICE_UNAVAILABLE", f"cannot fetch {url}: {exc}") from None
    finally:
        connection.close()
    if response.status >= 500:
        raise FetchError("MEDIA_ERROR_INTERNAL_SERVER_ERROR", f"{url} answered HTTP {response.status}")
    if response.status != 200:
        raise FetchError("MEDIA_ERROR_INVALID_REQUEST", f"{url} answered HTTP {response.status}")
    return data


@dataclass(frozen=True)
class Script:
    """What a segment says: each cue's narration at its second in the file."""

    seconds: float
    cues: tuple[tuple[float, Narration], ...] = ()


def mp3_seconds(data: bytes) -> float:
    """The decoded length of one of our MP3 segments (its frames); 0 if it is not one."""
    from speech.mp3 import FRAME, SAMPLE_RATE, MP3Error, count_frames

    try:
        return count_frames(data) * FRAME / SAMPLE_RATE
    except MP3Error:
        return 0.0


class SegmentBook:
    """Scripts of our streams' segments, from the plan timelines (rendered
    with ``options`` into ``cache_dir``, as the server's own source does)."""

    def __init__(self, cache_dir: Path | None = None, options: Any = None) -> None:
        self.cache_dir, self.options = cache_dir, options
        self._renderer: Any = None
        self._streams: dict[str, Any] = {}

    def script(self, token: str, url: str, data: bytes) -> Script:
        """The script of the segment ``token`` names, fetched from ``url`` as ``data``."""
        named = _DIGEST.search(urllib.parse.urlsplit(url).path)
        segment = self._segment(token) if named is not None else None
        if named is None or segment is None or segment.digest != named[1]:
            return Script(mp3_seconds(data))
        cues = tuple((segment.offset_in_file(c.offset), c.narration) for c in segment.cues)
        return Script(segment.seconds, cues)

    def _segment(self, raw: str) -> Any:
        from skill.workout.stream import Token

        token = Token.parse(raw)
        if token is None:
            return None
        try:
            plan = token.spec.plan()
            if plan.digest != token.plan:
                return None
            stream = self._streams.get(plan.digest)
            if stream is None:
                stream = self._streams[plan.digest] = self._render().stream(plan)
        except Exception as exc:  # no speech engine here: the segment plays without its cues
            log.warning("cannot lay out the stream of %s: %s", raw, exc)
            return None
        return stream.segments[token.segment] if token.segment < len(stream.segments) else None

    def _render(self) -> Any:
        if self._renderer is None:
            from speech.cache import AudioCache
            from speech.paths import audio_cache_dir
            from timer.segments import SegmentRenderer

            self._renderer = SegmentRenderer(AudioCache(self.cache_dir or audio_cache_dir(), self.options))
        return self._renderer
