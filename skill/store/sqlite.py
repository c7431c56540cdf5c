"""The SQLite attribute store: the default, one file under the data home.

The shared contract (atomic ``update_attributes``, JSON records, reset of
unreadable records) is described in :mod:`skill.store.attributes`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ask_sdk_core.exceptions import PersistenceException

from skill.store.attributes import (
    Attributes,
    AttributeStore,
    Updater,
    decode_attributes,
    encode_attributes,
    user_key,
    warn_reset,
)
from speech.paths import data_home

if TYPE_CHECKING:
    from ask_sdk_model.request_envelope import RequestEnvelope

_SCHEMA = """CREATE TABLE IF NOT EXISTS attributes (
    id TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated REAL NOT NULL
)"""
_UPSERT = """INSERT INTO attributes (id, attributes, version, updated)
VALUES (?, ?, 1, ?)
ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes,
    version = attributes.version + 1, updated = excluded.updated"""


def default_db_path() -> Path:
    """``skill.db`` in the data folder (LEGCOACH_HOME, else the user's data dir)."""
    return data_home() / "skill.db"


class SQLiteAdapter(AttributeStore):
    """Attributes as JSON in one SQLite file (WAL, a small pool of connections).

    Connections are kept open and reused by whichever thread needs one next
    (one thread at a time each): opening a connection costs a tenth of a
    millisecond, and closing the last one checkpoints the WAL, which costs
    milliseconds, so a server that starts a thread per request (werkzeug's)
    must not tie them to threads. A forked worker never uses its parent's.
    ``synchronous=NORMAL`` in WAL mode keeps every committed write through a
    crash or kill of the process; only a power loss can drop the last
    commits, and the database stays consistent either way.
    """

    #: Idle connections kept open; more are opened when more threads need one.
    POOL_SIZE = 8

    def __init__(self, path: Path | str, *, timeout: float = 5.0,
                 keygen: Callable[[RequestEnvelope], str] = user_key) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.keygen = keygen
        self._idle: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The connection that sets the file up is the pool's first: closing
        # it would checkpoint the WAL for nothing.
        conn = self._open()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
        except sqlite3.Error as e:
            conn.close()
            raise PersistenceException(f"cannot open {self.path}: {e}") from e
        self._idle.append(conn)

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as e:
            raise PersistenceException(f"cannot open {self.path}: {e}") from e
        return conn

    def _take(self) -> sqlite3.Connection:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if not conn.in_transaction and self._pid == os.getpid() and len(self._idle) < self.POOL_SIZE:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._take()
        try:
            yield conn
        except sqlite3.Error as e:
            # Drop a connection that failed: the next call opens a fresh one.
            conn.close()
            raise PersistenceException(f"SQLite store {self.path} failed: {e}") from e
        except BaseException:
            self._give_back(conn)
            raise
        self._give_back(conn)

    def _read(self, conn: sqlite3.Connection, key: str) -> Attributes:
        row = conn.execute("SELECT attributes FROM attributes WHERE id = ?", (key,)).fetchone()
        if row is None:
            return {}
        attributes = decode_attributes(row[0])
        if attributes is None:
            warn_reset(key, "not a JSON object")
            conn.execute("DELETE FROM attributes WHERE id = ? AND attributes IS ?", (key, row[0]))
            return {}
        return attributes

    def get_attributes(self, request_envelope: RequestEnvelope) -> Attributes:
        key = self.keygen(request_envelope)
        with self._connection() as conn:
            return self._read(conn, key)

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: Attributes) -> None:
        key, payload = self.keygen(request_envelope), encode_attributes(attributes)
        with self._connection() as conn:
            conn.execute(_UPSERT, (key, payload, time.time()))

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = self.keygen(request_envelope)
        with self._connection() as conn:
            conn.execute("DELETE FROM attributes WHERE id = ?", (key,))

    def update_attributes(self, request_envelope: RequestEnvelope, fn: Updater) -> Attributes:
        key = self.keygen(request_envelope)
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                payload = encode_attributes(fn(self._read(conn, key)))
                conn.execute(_UPSERT, (key, payload, time.time()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return decode_attributes(payload) or {}
