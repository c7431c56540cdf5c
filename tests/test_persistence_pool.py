"""SQLiteAdapter's connections outlive the threads that use them (werkzeug
starts a thread per request; gunicorn keeps its threads)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

import envelopes as E
from skill.store.sqlite import SQLiteAdapter
from skill.core.sdk import EnvelopeSerializer


def alice() -> RequestEnvelope:
    value = EnvelopeSerializer().deserialize_value(E.launch(), RequestEnvelope)
    assert isinstance(value, RequestEnvelope)
    return value


def in_thread(action: object) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()  # type: ignore[operator]
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not errors, errors


def test_short_lived_threads_reuse_one_open_connection(tmp_path: Path) -> None:
    adapter = SQLiteAdapter(tmp_path / "skill.db")
    used: list[sqlite3.Connection] = []
    for n in range(5):
        in_thread(lambda: adapter.update_attributes(alice(), lambda a: {"n": a.get("n", 0) + 1}))
        with adapter._connection() as conn:  # noqa: SLF001 - the pool is what is under test
            used.append(conn)
    assert len({id(conn) for conn in used}) == 1
    assert adapter.get_attributes(alice()) == {"n": 5}


def test_a_failed_statement_drops_its_connection(tmp_path: Path) -> None:
    adapter = SQLiteAdapter(tmp_path / "skill.db")
    with adapter._connection() as first:  # noqa: SLF001
        pass
    with pytest.raises(PersistenceException), adapter._connection() as conn:  # noqa: SLF001
        conn.execute("SELECT * FROM no_such_table")
    with adapter._connection() as again:  # noqa: SLF001
        assert again is not first
    adapter.save_attributes(alice(), {"ok": True})
    assert adapter.get_attributes(alice()) == {"ok": True}
