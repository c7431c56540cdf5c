"""Rendering stream segments before a device asks for them.

One background thread (:class:`RenderAhead`) per local segment source does
two kinds of work, the first always before the second: the rest of a stream
that is playing (queued as each of its URLs is handed out), and the streams
of given plans, e.g. every workout stream mode can start as a server starts
(:func:`render_catalogue_ahead`, in :func:`~skill.workout.catalogue.catalogue`'s
order), as long as the audio cache stays under its size limit. Those plans
are made in the thread, one at a time, so queueing them costs nothing.
Speech is synthesised one phrase at a time, so a request that needs the
engine meanwhile waits for one phrase; encoding releases the interpreter
lock, so requests keep being answered.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

from skill.workout.stream_sources import (AUDIO_BUCKET_ENV, AUDIO_URL_ENV, AUDIO_VOICE_ENV, LocalSegments,
                                         S3Segments, SegmentSource, audio_base_url)

if TYPE_CHECKING:
    from skill.workout.plan_spec import PlanSpec
    from timer.plans import Plan

log = logging.getLogger("skill.workout.render_ahead")


class RenderAhead:
    """One background thread that renders segments before a device asks for them.

    Two kinds of work: the rest of a stream that is playing (queued as each
    URL is handed out), always first, even between two segments of the
    second kind; and the streams of given plans (:meth:`plans`), in order,
    as long as the audio cache stays under ``limit`` bytes. Failures are
    logged, never raised."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._playing: deque[tuple[LocalSegments, Plan, int]] = deque()
        self._planned: deque[tuple[LocalSegments, Iterator[Plan]]] = deque()
        self._queued: set[tuple[str, int]] = set()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        #: Set whenever all the work has been done.
        self.idle = threading.Event()
        self.idle.set()
        self._held: list[IO[str]] = []

    def hold(self, lock_file: IO[str]) -> None:
        """Keep ``lock_file`` open as long as this object lives."""
        self._held.append(lock_file)

    def rest_of(self, source: LocalSegments, plan: Plan, first: int) -> None:
        """Queue segments ``first``... of ``plan``'s stream (nothing if queued already)."""
        with self._lock:
            if (plan.digest, first) in self._queued:
                return
            self._queued.add((plan.digest, first))
            self._playing.append((source, plan, first))
            self._wake()

    def plans(self, source: LocalSegments, plans: Iterable[Plan]) -> None:
        """Queue the whole streams of ``plans`` (taken one at a time, in the
        thread), within the cache's limit."""
        with self._lock:
            self._planned.append((source, iter(plans)))
            self._wake()

    def _wake(self) -> None:
        self.idle.clear()
        self._lock.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="render-ahead", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._playing and not self._planned:
                    self.idle.set()
                    self._lock.wait()
            self._play_queue()
            self._next_plan()

    def _play_queue(self) -> None:
        """Render every playing stream's rest that is queued."""
        while True:
            with self._lock:
                if not self._playing:
                    return
                source, plan, first = self._playing.popleft()
            try:
                stream = source.stream(plan)
                for index in range(first, len(stream.segments)):
                    source.render(stream, index)
            except Exception:  # a background helper: the request path renders what is missing itself
                log.exception("rendering ahead the stream of %s failed", plan.name)
            with self._lock:
                self._queued.discard((plan.digest, first))

    def _next_plan(self) -> None:
        """Render the next of the given plans, if the cache has room (else
        drop the rest of its list: nothing more would fit)."""
        with self._lock:
            if not self._planned:
                return
            source, plans = self._planned[0]
        plan = None
        try:
            plan = None if self._full(source) else next(plans, None)
            if plan is not None:
                self._render_whole(source, plan)
        except Exception:  # as above
            log.exception("rendering ahead the stream of %s failed", getattr(plan, "name", "a plan"))
        if plan is None:
            with self._lock:
                self._planned.popleft()

    def _full(self, source: LocalSegments) -> bool:
        return source.renderer.cache.usage().bytes >= self.limit

    def _render_whole(self, source: LocalSegments, plan: Plan) -> None:
        source.warm(plan)
        stream = source.stream(plan)
        for index in range(len(stream.segments)):
            self._play_queue()  # a playing stream's next part first
            if self._full(source):
                log.info("the audio cache is at its limit: %s rendered ahead up to part %d", plan.name, index)
                return
            source.render(stream, index)


def render_catalogue_ahead(source: SegmentSource | None, specs: Iterable[PlanSpec] | None = None) -> bool:
    """Queue the streams of ``specs`` (default: every workout stream mode can
    start, :func:`~skill.workout.catalogue.catalogue`) for rendering in the
    background, as a server starts, so a first start finds its stream
    ready, within the audio cache's limit. Only one process of a server does
    it (an exclusive lock on a file in the audio cache, held while the
    process lives); True if this one does."""
    if not isinstance(source, LocalSegments) or not isinstance(source.ahead, RenderAhead):
        return False
    import fcntl

    from skill.workout.catalogue import catalogue

    source.cache_dir.mkdir(parents=True, exist_ok=True)
    held = open(source.cache_dir / ".render-ahead.lock", "a")  # noqa: SIM115 - open while the process lives
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        held.close()
        return False
    source.ahead.hold(held)
    source.ahead.plans(source, (spec.plan() for spec in (catalogue() if specs is None else specs)))
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
