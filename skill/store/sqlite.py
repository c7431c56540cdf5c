"""Per-user persistent attributes: SQLite by default, DynamoDB on Lambda.

Both stores implement ask-sdk's ``AbstractPersistenceAdapter`` and key a
record by the Alexa user id (``context.System.user.userId``, as ask-sdk's
``user_id_partition_keygen`` does), so a user's state means the same thing
in either store.

Writes that depend on what is stored (progress, counters, streaks) go
through ``update_attributes(request_envelope, fn)``: ``fn`` receives the
current attributes and returns the new ones, atomically, so two requests of
the same user at once never lose a write. SQLite holds a write lock
(``BEGIN IMMEDIATE``) around the read-modify-write; DynamoDB writes only if
the record's ``version`` number is still the one read, and retries
otherwise. ``fn`` may run more than once on DynamoDB: keep it pure and quick.

A record that cannot be read (invalid JSON, not an object) resets that
user's state with a warning on the ``skill.store.sqlite`` logger; the request
carries on with ``{}``.

``make_adapter()`` reads ``LEGCOACH_STORE``: ``sqlite:PATH`` (default
``<data home>/skill.db``) or ``dynamodb:TABLE``. The DynamoDB store lives in
:mod:`skill.store.dynamodb`, imported (with boto3 and ask-sdk's DynamoDB
adapter) only when a DynamoDB store is made.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model.request_envelope import RequestEnvelope

Attributes = dict[str, Any]
Updater = Callable[[Attributes], Attributes]

STORE_ENV = "LEGCOACH_STORE"

log = logging.getLogger("skill.store.sqlite")

_TABLE_NAME = r"[A-Za-z0-9_.-]{3,255}"  # compiled by re on first use, not at import
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


def user_key(request_envelope: RequestEnvelope) -> str:
    """The record key: the Alexa user id, as ask-sdk's user_id_partition_keygen."""
    try:
        user_id = request_envelope.context.system.user.user_id  # type: ignore[union-attr]
    except AttributeError:
        user_id = None
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException(
            "Couldn't retrieve user id from request envelope, for partition key use")
    return user_id


def default_db_path() -> Path:
    """``skill.db`` in the data folder (LEGCOACH_HOME, else the user's data dir)."""
    from speech.paths import data_home

    return data_home() / "skill.db"


class AttributeStore(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter with an atomic read-modify-write."""

    @abstractmethod
    def update_attributes(self, request_envelope: RequestEnvelope, fn: Updater) -> Attributes:
        """Store ``fn(current)`` atomically and return what was stored."""


def encode_attributes(attributes: object) -> str:
    """The attributes as compact JSON, as both stores keep them; else PersistenceException."""
    if not isinstance(attributes, dict):
        raise PersistenceException(
            f"attributes must be a dict, not {type(attributes).__name__}")
    try:
        return json.dumps(attributes, allow_nan=False, separators=(",", ":"),
                          default=_json_default)
    except (TypeError, ValueError) as e:
        raise PersistenceException(f"attributes are not storable as JSON: {e}") from e


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):  # numbers read back from DynamoDB
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def decode_attributes(raw: object) -> Attributes | None:
    """The stored attributes, or None if the record is unreadable."""
    if not isinstance(raw, str):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def warn_reset(key: str, what: str) -> None:
    """Log that user ``key``'s unreadable record (``what`` is wrong) is being reset."""
    log.warning("stored attributes for user %s are unreadable (%s); "
                "resetting that user's state", key, what)


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


def make_adapter(spec: str | None = None) -> AttributeStore:
    """The store named by ``spec`` or ``LEGCOACH_STORE``: sqlite:PATH or dynamodb:TABLE."""
    if spec is None:
        spec = os.environ.get(STORE_ENV, "")
    spec = spec.strip()
    kind, _, rest = spec.partition(":")
    if not spec or kind == "sqlite":
        return SQLiteAdapter(Path(rest).expanduser() if rest else default_db_path())
    if kind == "dynamodb" and re.fullmatch(_TABLE_NAME, rest):
        from skill.store.dynamodb import open_dynamodb_store

        return open_dynamodb_store(rest)
    if spec == "dynamodb-local":
        raise ValueError(
            f"{STORE_ENV}=dynamodb-local is for `python -m skill run` (make run), which "
            "starts DynamoDB Local; elsewhere use dynamodb:TABLE and AWS_ENDPOINT_URL_DYNAMODB")
    raise ValueError(
        f"{STORE_ENV}={spec!r} is not understood: use sqlite:PATH (default "
        f"sqlite:{default_db_path()}) or dynamodb:TABLE (TABLE: 3-255 letters, "
        f"digits, '_', '-' or '.')")


