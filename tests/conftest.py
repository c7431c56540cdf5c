"""Shared fixtures: a fake clock, a recording speaker, a private data home."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from speech.model import Narration


class FakeClock:
    """Monotonic time that only moves when something sleeps.

    ``call_at(t, fn)`` schedules ``fn`` at fake time ``t``; a sleep that would
    pass ``t`` stops there, runs ``fn`` and returns early, the way a real
    waiter wakes up for a key press.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self.sleeps: list[float] = []
        self._actions: list[tuple[float, int, Callable[[], object]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.time

    __call__ = now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"negative sleep: {seconds}")
        self.sleeps.append(seconds)
        target = self.time + seconds
        if self._actions and self._actions[0][0] <= target:
            at, _, action = heapq.heappop(self._actions)
            self.time = max(self.time, at)
            action()
            return
        self.time = target

    def call_at(self, at: float, action: Callable[[], object]) -> None:
        heapq.heappush(self._actions, (at, next(self._order), action))

    def call_after(self, delay: float, action: Callable[[], object]) -> None:
        self.call_at(self.time + delay, action)


class RecordingSpeaker:
    """A speaker that remembers what it was asked to prepare and say."""

    def __init__(self, seconds: Callable[[Narration], float | None] | None = None) -> None:
        self.prepared: list[Narration] = []
        self.spoken: list[Narration] = []
        self.closed = False
        self._seconds = seconds

    def prepare(self, narrations: Iterable[Narration]) -> None:
        self.prepared.extend(narrations)

    def seconds(self, narration: Narration) -> float | None:
        return self._seconds(narration) if self._seconds else None

    def speak(self, narration: Narration) -> None:
        self.spoken.append(narration)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def speaker() -> RecordingSpeaker:
    return RecordingSpeaker()


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP(S) beyond this machine goes to a closed port and fails at once,
    so a test (or a server it starts) never reaches the real Alexa APIs; a
    test that means to call an API serves it on localhost."""
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "localhost,127.0.0.1")


@pytest.fixture(autouse=True)
def legcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "legcoach-home"
    monkeypatch.setenv("LEGCOACH_HOME", str(home))
    return home
