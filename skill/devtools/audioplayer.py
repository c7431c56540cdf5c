"""The console's AudioPlayer: what an Echo keeps and does for a skill's stream.

A device holds one stream (the ``current`` item, its offset and the player's
activity) and a queue of streams to play after it. It reports that state in
every request's ``context.AudioPlayer`` and applies the AudioPlayer
directives of each response:

- ``Play`` with ``REPLACE_ALL`` stops what plays (``PlaybackStopped``) and
  plays the new stream now; ``ENQUEUE`` adds it to the end of the queue only
  if its ``expectedPreviousToken`` is the token of the stream it would follow
  (else the directive is ignored); ``REPLACE_ENQUEUED`` replaces the queue.
- ``Stop`` stops what plays (``PlaybackStopped`` with the offset reached);
  ``ClearQueue`` empties the queue, and with ``CLEAR_ALL`` stops too.

Pure state, no I/O and no clock: the console plays the streams, tells the
player where they stand, and sends the events this module names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

IDLE, PLAYING, STOPPED, FINISHED = "IDLE", "PLAYING", "STOPPED", "FINISHED"
STARTED, NEARLY_FINISHED = "AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished"
FINISHED_EVENT, STOPPED_EVENT = "AudioPlayer.PlaybackFinished", "AudioPlayer.PlaybackStopped"
FAILED_EVENT = "AudioPlayer.PlaybackFailed"


@dataclass(frozen=True)
class Item:
    """A stream a Play directive gave: its token, URL, start offset and title."""

    token: str
    url: str
    offset_ms: int = 0
    title: str = ""

    @classmethod
    def of(cls, directive: Mapping[str, Any]) -> tuple[Item, str | None] | None:
        """The item of a Play directive and its expectedPreviousToken, or None if malformed."""
        audio = directive.get("audioItem") or {}
        stream = audio.get("stream") or {}
        token, url = stream.get("token"), stream.get("url")
        if not isinstance(token, str) or not isinstance(url, str):
            return None
        meta = audio.get("metadata") or {}
        title = ": ".join(str(meta[k]) for k in ("title", "subtitle") if meta.get(k))
        item = cls(token, url, int(stream.get("offsetInMilliseconds") or 0), title)
        return item, stream.get("expectedPreviousToken")


@dataclass(frozen=True)
class PlaybackEvent:
    """A playback request the device sends: ``kind`` for ``token`` at ``offset_ms``."""

    kind: str
    token: str
    offset_ms: int


class AudioPlayer:
    """One device's player: the current stream, its offset and activity, the queue."""

    def __init__(self) -> None:
        self.current: Item | None = None
        self.activity = IDLE
        self.offset_ms = 0
        self.queue: list[Item] = []
        self.start_now = False  # a REPLACE_ALL waits to start
        self.failed_item: Item | None = None  # the last stream started, if it could not play
        #: Directives ignored, with why (the console shows them).
        self.ignored: list[str] = []

    def context(self) -> dict[str, Any] | None:
        """``context.AudioPlayer`` as the device reports it (None before any stream)."""
        if self.current is None:
            return None
        return {"token": self.current.token, "offsetInMilliseconds": self.offset_ms,
                "playerActivity": self.activity}

    @property
    def playing(self) -> bool:
        return self.activity == PLAYING

    def apply(self, directives: Iterable[Mapping[str, Any]]) -> list[PlaybackEvent]:
        """Apply a response's directives; the events they cause at once."""
        events: list[PlaybackEvent] = []
        for directive in directives:
            kind = directive.get("type")
            if kind == "AudioPlayer.Play":
                events += self._play(directive)
            elif kind == "AudioPlayer.Stop":
                events += self._stop()
            elif kind == "AudioPlayer.ClearQueue":
                self.queue, self.start_now = [], False
                if directive.get("clearBehavior") == "CLEAR_ALL":
                    events += self._stop()
        return events

    def _play(self, directive: Mapping[str, Any]) -> list[PlaybackEvent]:
        found = Item.of(directive)
        if found is None:
            self.ignored.append("a Play directive without a stream token and URL")
            return []
        item, expected = found
        behavior = directive.get("playBehavior")
        if behavior == "REPLACE_ALL":
            events = self._stop()
            self.queue, self.start_now = [item], True
            return events
        if behavior == "ENQUEUE":
            before = self.queue[-1] if self.queue else self.current
            if before is None or expected != before.token:
                self.ignored.append(f"ENQUEUE of {item.token!r}: expected previous token {expected!r}, "
                                    f"but it would follow {before.token if before else None!r}")
                return []
            self.queue.append(item)
        elif behavior == "REPLACE_ENQUEUED":
            self.queue = [item]
        else:
            self.ignored.append(f"a Play directive with playBehavior {behavior!r}")
        return []

    def _stop(self) -> list[PlaybackEvent]:
        self.start_now = False
        if self.current is None or self.activity != PLAYING:
            return []
        self.activity = STOPPED
        return [PlaybackEvent(STOPPED_EVENT, self.current.token, self.offset_ms)]

    def take_next(self) -> Item | None:
        """The stream to start now (a REPLACE_ALL, or the next after one
        finished), made current; None if nothing is to start."""
        if not self.queue or not (self.start_now or self.activity == FINISHED):
            return None
        item = self.queue.pop(0)
        self.current, self.offset_ms, self.activity, self.start_now = item, item.offset_ms, PLAYING, False
        self.failed_item = None
        return item

    def finished(self, length_ms: int) -> PlaybackEvent | None:
        """The current stream played to its end: PlaybackFinished."""
        if self.current is None or self.activity != PLAYING:
            return None
        self.activity, self.offset_ms = FINISHED, length_ms
        return PlaybackEvent(FINISHED_EVENT, self.current.token, length_ms)

    def failed(self) -> None:
        """The current stream could not play (the console sends PlaybackFailed)."""
        self.activity, self.failed_item = STOPPED, self.current
