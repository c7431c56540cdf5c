"""Where a streamed workout's MP3 segments come from, and their URLs.

Two sources, one shape (:class:`SegmentSource`): the playlist of a plan
(segment names and places, :class:`timer.segments.Playlist`) and an https
URL for one segment that a device can fetch.

- :class:`LocalSegments`, self-hosted: the server renders segments with its
  own voice into the audio cache (a segment is encoded when its URL is first
  handed out if it is not there yet, and the rest of its stream is then
  rendered in the background by :mod:`skill.workout.render_ahead`, which also renders
  every level's stream when a server starts) and serves them itself at
  ``<LEGCOACH_AUDIO_URL>/audio/<digest>.mp3`` (:mod:`skill.endpoint.audio`).
- :class:`S3Segments`, on AWS: ``infra/publish_audio.py`` renders and uploads
  segments and playlists to a private bucket ahead of time; the function
  reads playlists and hands out presigned GET URLs, made when each segment
  is queued (the Lambda role's credentials are short-lived, and a URL only
  has to outlive the few minutes before its segment plays).

Configuration: ``LEGCOACH_AUDIO_BUCKET`` picks S3 (``LEGCOACH_AUDIO_VOICE``
names the voice published there, as ``publish_audio.py --voice`` did); else ``LEGCOACH_AUDIO_URL``
(https, the public base of this server behind its TLS proxy) the local
source; ``--dev`` points the URLs at the loopback server itself. Without any
of them the skill has no stream and guides workouts turn by turn.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the renderer and plans load when a stream is first asked for
    from speech.tts import VoiceOptions
    from speech.voices import Synthesizer
    from timer.plans import Plan
    from timer.segments import Playlist, Segment, Stream

AUDIO_URL_ENV = "LEGCOACH_AUDIO_URL"
AUDIO_BUCKET_ENV = "LEGCOACH_AUDIO_BUCKET"
#: The voice the bucket's streams were published in (``polly:Joanna``; unset: the local voice).
AUDIO_VOICE_ENV = "LEGCOACH_AUDIO_VOICE"
AUDIO_PREFIX = "audio/"
#: Presigned URLs last this long (seconds): a segment is queued minutes before it plays.
URL_LIFETIME = 3600
_KEEP_STREAMS = 16
#: A playlist missing from the bucket is not asked for again for this long (seconds).
MISS_SECONDS = 30.0
#: At most this many missing playlists are remembered.
KEEP_MISSES = 256
#: S3 error codes that mean "not there" (AccessDenied: a missing key without s3:ListBucket).
_MISSING = frozenset({"NoSuchKey", "404", "AccessDenied", "403"})

log = logging.getLogger("skill.workout.stream_sources")


class AudioConfigError(ValueError):
    """Stream configuration that cannot work; the message says what to set."""


def audio_base_url(raw: str, *, dev: bool = False) -> str:
    """``raw`` checked as the public base URL of the audio (no trailing slash).

    Devices fetch streams over https only, so http is refused outside --dev."""
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise AudioConfigError(f"{AUDIO_URL_ENV}={raw!r}: give a base URL such as https://coach.example.com")
    if parts.scheme != "https" and not dev:
        raise AudioConfigError(f"{AUDIO_URL_ENV}={raw!r}: Alexa devices fetch streams over https only")
    return url


class SegmentSource(Protocol):
    def playlist(self, plan: Plan) -> Playlist | None:
        """The plan's playlist, or None if it cannot be streamed from here."""

    def url(self, plan: Plan, segment: Segment) -> str:
        """An https URL of ``segment`` of ``plan``'s stream."""


class Ahead(Protocol):
    """Renders the rest of a stream in the background (:class:`~skill.workout.render_ahead.RenderAhead`)."""

    def rest_of(self, source: LocalSegments, plan: Plan, first: int) -> None: ...


class LocalSegments:
    """Segments rendered here with ``options`` into ``cache_dir``, served at ``base_url``.

    A segment is encoded when its URL is first handed out, if it is not in
    the cache yet. With ``ahead`` (a :class:`~skill.workout.render_ahead.RenderAhead`), handing out a
    segment's URL also queues the rest of its stream for rendering in the
    background, so each next URL finds its file ready."""

    def __init__(self, base_url: str, cache_dir: Path, options: VoiceOptions | None = None,
                 ahead: Ahead | None = None, voice: Synthesizer | None = None) -> None:
        from speech.cache import AudioCache
        from speech.tts import VoiceOptions
        from timer.segments import SegmentRenderer

        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir)
        self.renderer = SegmentRenderer(AudioCache(self.cache_dir, options or VoiceOptions(), voice=voice))
        self.ahead = ahead
        self._streams: OrderedDict[str, Stream] = OrderedDict()
        self._lock = threading.Lock()  # guards _streams
        self._engine = threading.Lock()  # one speech engine: one synthesis at a time
        self._encoding = tuple(threading.Lock() for _ in range(8))  # a segment is encoded once, not twice at once

    def stream(self, plan: Plan) -> Stream:
        """The plan's stream, its speech synthesised if missing (kept for the
        last few plans, so a known stream costs a lookup)."""
        with self._lock:
            stream = self._streams.get(plan.digest)
            if stream is not None:
                self._streams.move_to_end(plan.digest)
                return stream
        with self._engine:
            stream = self.renderer.stream(plan)
        with self._lock:
            self._streams[plan.digest] = stream
            while len(self._streams) > _KEEP_STREAMS:
                self._streams.popitem(last=False)
        return stream

    def warm(self, plan: Plan) -> None:
        """Synthesise the plan's speech one phrase at a time, so a request that
        needs the engine meanwhile waits for one phrase, not for a whole plan."""
        from timer.compiler import compile_plan

        for cue in compile_plan(plan).cues:  # the measured timeline speaks the same narrations but the last
            with self._engine:
                self.renderer.clips(cue.narration)

    def playlist(self, plan: Plan) -> Playlist | None:
        try:
            return self.stream(plan).playlist(plan)
        except Exception:  # no speech engine here, or it failed: no stream, turns instead
            log.exception("cannot render the stream of %s", plan.name)
            return None

    def opening(self, plan: Plan) -> Playlist | None:
        """The playlist to start ``plan``'s stream with: the whole one if it is
        known, else (rendering ahead) one whose first segment alone is exact,
        made from that segment's speech only; :meth:`url` of that segment then
        renders the rest of the stream in the background. Only the start of a
        stream may use it: later requests ask :meth:`playlist`."""
        with self._lock:
            known = plan.digest in self._streams
        if known or self.ahead is None:
            return self.playlist(plan)
        try:
            with self._engine:
                return self.renderer.opening(plan).playlist(plan)
        except Exception:  # no speech engine here, or it failed: no stream, turns instead
            log.exception("cannot render the stream of %s", plan.name)
            return None

    def render(self, stream: Stream, index: int) -> Path:
        """Segment ``index`` of ``stream`` in the cache, encoded now if missing."""
        return self._render(stream.segments[index])

    def _render(self, seg: Segment) -> Path:
        # Encoding needs no engine: a segment's speech is synthesised with its stream.
        with self._encoding[int(seg.digest[:8], 16) % len(self._encoding)]:
            return self.renderer.path(seg)

    def url(self, plan: Plan, segment: Segment) -> str:
        """The URL of ``segment``, one of this source's playlists' (:meth:`playlist`,
        :meth:`opening`), rendered if it is not yet."""
        self._render(segment)
        if self.ahead is not None:
            self.ahead.rest_of(self, plan, segment.index + 1)
        return f"{self.base_url}/{AUDIO_PREFIX}{segment.digest}.mp3"


class S3Segments:
    """Segments published to ``bucket`` under ``prefix``, handed out as presigned URLs."""

    def __init__(self, bucket: str, client: Any = None, *, prefix: str = AUDIO_PREFIX,
                 options: VoiceOptions | None = None, lifetime: int = URL_LIFETIME,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if client is None:  # SigV4: what presigned URLs need with a role's session credentials
            import boto3
            from botocore.config import Config

            client = boto3.client("s3", config=Config(signature_version="s3v4"))
        from speech.tts import VoiceOptions

        self.bucket, self.client, self.prefix, self.lifetime = bucket, client, prefix, lifetime
        self.options = options or VoiceOptions()
        self._playlists: dict[str, Playlist] = {}
        self._misses = _Misses(clock)

    def playlist_key(self, plan: Plan) -> str:
        from timer.segments import playlist_name

        o = self.options
        return self.prefix + playlist_name(plan.digest, o.voice, o.rate, o.volume)

    def playlist(self, plan: Plan) -> Playlist | None:
        """The published playlist; None if there is none (not published yet:
        with only s3:GetObject a missing key reads as AccessDenied) or S3
        failed. A playlist found is kept; one missing (or of another format)
        is not asked for again for :data:`MISS_SECONDS`, so a workout that
        is not published costs one S3 round trip per that time, and a later
        publish is seen soon after. Other failures are not remembered."""
        key = self.playlist_key(plan)
        found = self._playlists.get(key)
        if found is not None:
            return found
        if self._misses.recent(key):
            return None
        from botocore.exceptions import BotoCoreError, ClientError

        from timer.segments import Playlist

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            found = Playlist.from_json(json.loads(body))
        except ClientError as exc:
            log.info("no stream playlist at s3://%s/%s: %s", self.bucket, key, exc)
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                self._misses.add(key)
            return None
        except (BotoCoreError, ValueError) as exc:
            log.info("no stream playlist at s3://%s/%s: %s", self.bucket, key, exc)
            if isinstance(exc, ValueError):
                self._misses.add(key)
            return None
        if found is None:
            self._misses.add(key)
        else:
            self._playlists[key] = found
        return found

    def url(self, plan: Plan, segment: Segment) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self.prefix + segment.file_name},
            ExpiresIn=self.lifetime)
        return url


class _Misses:
    """Keys found missing, each remembered for :data:`MISS_SECONDS` on
    ``clock``; at most :data:`KEEP_MISSES`, the oldest forgotten first."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._at: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def recent(self, key: str) -> bool:
        with self._lock:
            at = self._at.get(key)
            if at is not None and self.clock() - at < MISS_SECONDS:
                return True
            self._at.pop(key, None)
            return False

    def add(self, key: str) -> None:
        with self._lock:
            self._at[key] = self.clock()
            self._at.move_to_end(key)
            while len(self._at) > KEEP_MISSES:
                self._at.popitem(last=False)
