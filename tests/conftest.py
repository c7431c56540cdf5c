"""Shared fixtures: a fake clock, a recording speaker, a private data home."""

from __future__ import annotations

import heapq
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from speech.model import Narration

# Property tests draw the same cases in every run (derandomize, no example
# database), so a run's answer never depends on an earlier run or on chance.
# HYPOTHESIS_PROFILE=explore draws fresh cases, to look for new failures.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

if TYPE_CHECKING:
    from skill.devtools.dynamodb_local import DynamoDBLocal


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


# -- Amazon's DynamoDB Local ---------------------------------------------------

@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local for the whole run, in memory on a free loopback port,
    stopped by its process id at the end (skipped if it is not installed:
    ``make test`` installs it)."""
    from skill.devtools.dynamodb_local import DynamoDBLocalError, find_home, find_java, start

    try:
        find_java(), find_home()
    except DynamoDBLocalError as e:
        pytest.skip(str(e))
    log_path = tmp_path_factory.mktemp("dynamodb-local") / "server.log"
    with open(log_path, "wb") as log:
        db = start(log=log)
    try:
        yield db
    finally:
        db.stop()


@pytest.fixture
def dynamodb_table(dynamodb_local: DynamoDBLocal,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh table with the SAM template's key schema on DynamoDB Local,
    with boto3 pointed at it (endpoint, region, keys); deleted afterwards."""
    for name, value in dynamodb_local.env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    table = f"leg-coach-test-{next(_tables)}"
    dynamodb_local.create_table(table)
    try:
        yield table
    finally:
        dynamodb_local.delete_table(table)


_tables = itertools.count(1)
