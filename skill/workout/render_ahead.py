"""Rendering stream segments before a device asks for them.

One background thread (:class:`RenderAhead`) per local segment source does
two kinds of work, in order: the rest of a stream that is playing (queued as
each of its URLs is handed out), and the streams of given plans, e.g. every
level's as a server starts (:func:`render_levels_ahead`), as long as the
audio cache stays under its size limit. Speech is synthesised one phrase at
a time, so a request that needs the engine meanwhile waits for one phrase;
encoding releases the interpreter lock, so requests keep being answered.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any

from skill.workout.stream_sources import (AUDIO_BUCKET_ENV, AUDIO_URL_ENV, AUDIO_VOICE_ENV, LocalSegments,
                                         S3Segments, SegmentSource, audio_base_url)

if TYPE_CHECKING:
    from timer.plans import Plan

log = logging.getLogger("skill.workout.render_ahead")


class RenderAhead:
    """One background thread that renders segments before a device asks for them.

    Two kinds of work, in order: the rest of a stream that is playing
    (queued as each URL is handed out), and the streams of given plans
    (:meth:`plans`, e.g. every level's when a server starts) as long as the
    audio cache stays under ``limit`` bytes. Failures are logged, never raised."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._queue: queue.Queue[tuple[LocalSegments, Plan, int, bool]] = queue.Queue()
        self._queued: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Set whenever the queue has been worked through.
        self.idle = threading.Event()
        self.idle.set()
        self._held: list[IO[str]] = []

    def hold(self, lock_file: IO[str]) -> None:
        """Keep ``lock_file`` open as long as this object lives."""
        self._held.append(lock_file)

    def rest_of(self, source: LocalSegments, plan: Plan, first: int) -> None:
        """Queue segments ``first``... of ``plan``'s stream (nothing if queued already)."""
        self._put(source, plan, first, False)

    def plans(self, source: LocalSegments, plans: Iterable[Plan]) -> None:
        """Queue the whole streams of ``plans``, within the cache's limit."""
        for plan in plans:
            self._put(source, plan, 0, True)

    def _put(self, source: LocalSegments, plan: Plan, first: int, bounded: bool) -> None:
        with self._lock:
            if (plan.digest, first) in self._queued:
                return
            self._queued.add((plan.digest, first))
            self.idle.clear()
            self._queue.put((source, plan, first, bounded))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="render-ahead", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            source, plan, first, bounded = self._queue.get()
            try:
                self._render(source, plan, first, bounded)
            except Exception:  # a background helper: the request path renders what is missing itself
                log.exception("rendering ahead the stream of %s failed", plan.name)
            with self._lock:
                self._queued.discard((plan.digest, first))
                if self._queue.empty():
                    self.idle.set()

    def _render(self, source: LocalSegments, plan: Plan, first: int, bounded: bool) -> None:
        def full() -> bool:
            return bounded and source.renderer.cache.usage().bytes >= self.limit

        if full():
            return
        source.warm(plan)
        stream = source.stream(plan)
        for index in range(first, len(stream.segments)):
            if full():
                log.info("the audio cache is at its limit: %s rendered ahead up to part %d", plan.name, index)
                return
            source.render(stream, index)


def render_levels_ahead(source: SegmentSource | None) -> bool:
    """Queue every level's stream (what "start a workout" plays) for rendering
    in the background, as a server starts, so a first start finds it ready.
    Only one process of a server does it (an exclusive lock on a file in the
    audio cache, held while the process lives); True if this one does."""
    if not isinstance(source, LocalSegments) or not isinstance(source.ahead, RenderAhead):
        return False
    import fcntl

    from skill.workout.plan_spec import LEVELS, PlanSpec

    source.cache_dir.mkdir(parents=True, exist_ok=True)
    held = open(source.cache_dir / ".render-ahead.lock", "a")  # noqa: SIM115 - open while the process lives
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        held.close()
        return False
    source.ahead.hold(held)
    source.ahead.plans(source, (PlanSpec(level).plan() for level in LEVELS))
    return True


def source_from_settings(settings: Mapping[str, Any], environ: Mapping[str, str]) -> SegmentSource | None:
    """The segment source the configuration asks for (see :mod:`skill.workout.stream_sources`),
    a local one rendering ahead.

    ``settings["AUDIO_URL"]`` (set by ``serve --dev`` to the loopback server)
    comes before $LEGCOACH_AUDIO_URL; ``settings["AUDIO"]`` may hold a ready
    source (tests)."""
    if settings.get("AUDIO") is not None:
        source: SegmentSource = settings["AUDIO"]
        return source
    bucket = environ.get(AUDIO_BUCKET_ENV, "").strip()
    if bucket:
        from speech.tts import VoiceOptions

        return S3Segments(bucket, options=VoiceOptions(voice=environ.get(AUDIO_VOICE_ENV, "").strip() or None))
    dev = not settings.get("VERIFY", True)
    raw = settings.get("AUDIO_URL") or environ.get(AUDIO_URL_ENV, "").strip()
    if not raw:
        return None
    from speech.cache import cache_limit_from_env
    from speech.paths import audio_cache_dir

    return LocalSegments(audio_base_url(raw, dev=dev), audio_cache_dir(), ahead=RenderAhead(cache_limit_from_env()))
