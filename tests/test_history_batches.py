"""A workout's progress and its history are two SQLite databases: what one
request changes in both must end up in both, whatever happens between the two
writes. The events go into the attributes with the progress, as a numbered
batch, and the history applies each batch once, whole."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from skill.builder import build_skill
from skill.devtools.envelopes import Conversation
from skill.endpoint.lambda_function import invoke
from skill.store.sqlite import SQLiteAdapter
from timer import history as history_module
from timer.history import History

START = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)  # a Wednesday
USER = "amzn1.ask.account.BATCHES"


def speech(response: dict[str, Any]) -> str:
    return str(response["response"].get("outputSpeech", {}).get("ssml", ""))


# -- the history's side ------------------------------------------------------------

def test_a_batch_is_applied_once_and_whole(tmp_path: Path) -> None:
    with History(tmp_path / "history.db") as h:
        with h.batch("someone", 1) as new:
            assert new
            h.start("beginner", user="someone", now=START)
        with h.batch("someone", 1) as new:  # sent again
            assert not new
        assert h.applied("someone") == 1 and len(h.sessions(user="someone")) == 1

        with pytest.raises(RuntimeError), h.batch("someone", 2) as new:
            assert new
            h.start("advanced", user="someone", now=START)
            raise RuntimeError("the process stops half-way")
        assert h.applied("someone") == 1  # nothing of batch 2 is kept
        assert [s.plan_name for s in h.sessions(user="someone")] == ["beginner"]
        assert h.applied("someone else") == 0


# -- the skill's side --------------------------------------------------------------

class Device:
    """One user's requests, each a minute after the last, answered by the skill in process."""

    def __init__(self, store: Path) -> None:
        self.skill = build_skill(SQLiteAdapter(store))
        self.times = (START + timedelta(minutes=i) for i in range(1000))
        self.last = START
        self.conversation = Conversation(user_id=USER, clock=self.clock)

    def clock(self) -> datetime:
        self.last = next(self.times)
        return self.last

    def say(self, intent: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
        response = invoke(self.skill, json.loads(json.dumps(self.conversation.intent(intent, slots))))
        self.conversation.received(response)
        return response


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """A second connection that can hold history.db's write lock, as another
    program writing it would (a real SQLite lock, no mock); the skill waits
    50 ms for it instead of 5 s, so the test is quick."""
    monkeypatch.setattr(history_module, "BUSY_TIMEOUT_MS", 50)
    History(tmp_path / "history.db").close()
    other = sqlite3.connect(tmp_path / "history.db", isolation_level=None)
    yield other
    other.close()


def test_a_finish_the_history_could_not_take_is_written_by_the_next_request(
        tmp_path: Path, locked: sqlite3.Connection) -> None:
    device = Device(tmp_path / "skill.db")
    device.say("StartWorkoutIntent", {"level": "beginner", "exercise": "squats"})
    said = ""
    for _ in range(30):
        with History(tmp_path / "history.db") as h:
            (running,) = h.sessions(user=USER)
        assert running.status == "running"
        locked.execute("BEGIN IMMEDIATE")  # held through the next answer
        try:
            said = speech(device.say("AMAZON.NextIntent"))
        finally:
            locked.execute("ROLLBACK")
        if "complete" in said.lower():
            break
    assert "complete" in said.lower(), said  # answered in full although the history was locked
    finished_at = device.last

    with History(tmp_path / "history.db") as h:
        (session,) = h.sessions(user=USER)
    assert session.status == "running"  # not written yet: the history was locked

    week = speech(device.say("WeeklyProgressIntent"))
    with History(tmp_path / "history.db") as h:
        (session,) = h.sessions(user=USER)
        assert h.applied(USER) >= 1
    assert session.status == "finished" and session.ended == finished_at  # the finish's own time
    assert "one" in week.lower() or "1" in week, week


def test_a_batch_is_applied_once_however_often_the_attributes_are_read(tmp_path: Path) -> None:
    device = Device(tmp_path / "skill.db")
    device.say("StartWorkoutIntent", {"level": "beginner", "exercise": "squats"})
    device.say("AMAZON.NextIntent")
    with History(tmp_path / "history.db") as h:
        before = [(s.status, s.block, s.offset, s.started) for s in h.sessions(user=USER)]
        seq = h.applied(USER)
    assert seq == 2 and len(before) == 1  # the start, then the first "next"
    for _ in range(2):
        device.say("WeeklyProgressIntent")  # each catches up: nothing is waiting
    with History(tmp_path / "history.db") as h:
        assert [(s.status, s.block, s.offset, s.started) for s in h.sessions(user=USER)] == before
        assert h.applied(USER) == seq


class CountingAdapter(SQLiteAdapter):
    """The real SQLite adapter, counting its reads."""

    reads = 0

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        self.reads += 1
        return super().get_attributes(request_envelope)


def test_the_weeks_count_reads_the_saved_workout_once(tmp_path: Path) -> None:
    device = Device(tmp_path / "skill.db")
    adapter = CountingAdapter(tmp_path / "skill.db")
    device.skill = build_skill(adapter)
    device.say("StartWorkoutIntent", {"level": "beginner", "exercise": "squats"})
    adapter.reads = 0
    week = speech(device.say("WeeklyProgressIntent"))
    assert "week" in week.lower(), week
    assert adapter.reads == 1
