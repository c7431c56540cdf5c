"""Workout history in SQLite: sessions, their progress, and the weekly count.

The database lives at ``<data_home()>/history.db`` (``LEGCOACH_HOME`` moves
it). One row per session: who (``user``, "local" for this machine, an Alexa
user id for the skill), which plan (name, plus the plan's TOML text and hash
so a resumed custom plan is the very same workout), when it started and
ended, its status and how far it got (block index and offset in seconds).

Statuses: ``running`` (in progress, or the process died), ``quit`` (stopped
by the user; can be resumed), ``finished`` and ``abandoned`` (will not be
resumed). Times are stored as UTC ISO-8601 text; weeks and days are counted
in local time (Monday to Sunday) from the ``now`` or ``day`` you pass in.

Durability: every write is one short transaction that is committed before
the call returns, so Ctrl-C, SIGTERM or a crash loses at most the write in
flight. The database runs in WAL mode with ``synchronous=NORMAL``: a commit
is then in the WAL file (the OS page cache) before the call returns, which
survives the process being killed at any instant; only an OS crash or power
loss can roll back the last commits, never corrupt the file. FULL would add
an fsync per write to cover that case too, which a workout log does not need.

Bad storage is one :class:`HistoryError` line naming the file and what to
do, never a ``sqlite3`` traceback: a folder where the file should be, a
folder that cannot be created or written, a full disk, an I/O error. A
damaged file (not a database, truncated, malformed, or another program's
database) is moved aside, kept as ``history.db.damaged-<UTC time>``, and a
new history is started; :attr:`History.moved_aside` says where it went. With
``read_only_ok`` a history that cannot be written is opened read-only (a
read-only folder or disk): reads work, each write raises :class:`HistoryError`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from hashlib import sha256
from pathlib import Path
from types import TracebackType
from typing import Any

from speech.paths import HOME_ENV, data_home
from timer.files import short

WEEKLY_GOAL = 3
LOCAL_USER = "local"
STATUSES = ("running", "quit", "finished", "abandoned")
RESUMABLE = ("running", "quit")
BUSY_TIMEOUT_MS = 5000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id         INTEGER PRIMARY KEY,
    user       TEXT NOT NULL DEFAULT 'local',
    plan_name  TEXT NOT NULL,
    plan_hash  TEXT,
    plan_toml  TEXT,
    started    TEXT NOT NULL,
    ended      TEXT,
    status     TEXT NOT NULL DEFAULT 'running'
               CHECK (status IN ('running', 'quit', 'finished', 'abandoned')),
    block      INTEGER NOT NULL DEFAULT 0,
    offset_s   REAL NOT NULL DEFAULT 0,
    updated    TEXT,
    demo       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user, started);
CREATE INDEX IF NOT EXISTS sessions_by_end ON sessions (user, status, ended);
-- changes another store asked for (the skill's, one numbered batch per request):
-- the last applied per source, so a batch is applied once however often it is sent
CREATE TABLE IF NOT EXISTS applied (
    source TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL
);
"""
#: Schema versions: 1 as first shipped; 2 adds ``demo`` (runs at another speed: never counted);
#: 3 adds ``applied`` (the skill's numbered batches).
SCHEMA_VERSION = 3
_REQUIRED = {"id", "user", "plan_name", "plan_hash", "plan_toml", "started", "ended", "status",
             "block", "offset_s", "updated"}
#: sqlite error names that mean the file itself is damaged (it is moved aside).
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
#: Free space under which a failed write is put down to a full disk.
_LOW_SPACE = 64 * 1024


class HistoryError(Exception):
    """The history file cannot be used; the message is one line: file, problem, what to do."""


class _Damaged(Exception):
    """The file is not a usable Leg Coach history (not a database, damaged or foreign)."""


def _advice(err: sqlite3.Error, folder: Path) -> str:
    """What went wrong with the storage, and what to do, in words. SQLite's
    error names are vague for a full or read-only disk, so the disk is asked."""
    name = getattr(err, "sqlite_errorname", "") or ""
    disk = _disk_state(folder)
    if name.startswith("SQLITE_FULL") or disk == "full":
        return "the disk is full; free some space"
    if disk == "read-only" or name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM",
                                               "SQLITE_AUTH")):
        return f"read-only; make the folder writable or set {HOME_ENV} elsewhere"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "locked by another program; try again later"
    if name.startswith("SQLITE_IOERR"):
        return "the disk reported an error; check it"
    if name in _DAMAGED:
        return "damaged; run the command again to move it aside"
    return f"{err}"[:80]


def _disk_state(folder: Path) -> str:
    """``"full"``, ``"read-only"`` or ``""`` for the disk holding ``folder``."""
    try:
        disk = os.statvfs(folder)
    except OSError:
        return ""
    if disk.f_flag & os.ST_RDONLY:
        return "read-only"
    if disk.f_bavail * disk.f_frsize < _LOW_SPACE:
        return "full"
    return ""


def storage_error(path: Path, err: sqlite3.Error | OSError, doing: str = "use") -> HistoryError:
    """One line for a storage failure on ``path``."""
    name = short(path, 70)
    if isinstance(err, OSError):
        reason = err.strerror or type(err).__name__
        return HistoryError(f"{name}: cannot {doing} the history ({reason}); "
                            f"fix that or set {HOME_ENV} elsewhere")
    return HistoryError(f"{name}: cannot {doing} the history: {_advice(err, path.parent)}")


def plan_hash(plan_toml: str) -> str:
    """The hash stored with a session for a plan's TOML text (= ``Plan.digest``)."""
    return sha256(plan_toml.encode()).hexdigest()[:16]


def history_path() -> Path:
    """Where the history lives by default."""
    return data_home() / "history.db"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    """UTC ISO-8601 with fixed width, so text order is time order. Naive
    datetimes are taken as local time."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _midnight(day: date, tz: tzinfo | None) -> datetime:
    """Start of ``day`` in ``tz`` (None: this machine's zone, DST-aware)."""
    naive = datetime.combine(day, time())
    return naive.astimezone() if tz is None else naive.replace(tzinfo=tz)


@dataclass(frozen=True)
class Session:
    """One workout session as stored."""

    id: int
    user: str
    plan_name: str
    plan_hash: str | None
    plan_toml: str | None
    started: datetime
    ended: datetime | None
    status: str
    block: int
    offset: float
    updated: datetime | None
    demo: bool = False

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE


_COLUMNS = "id, user, plan_name, plan_hash, plan_toml, started, ended, status, block, offset_s, updated"


def _session(row: tuple[Any, ...]) -> Session:
    sid, user, name, digest, toml, started, ended, status, block, offset, updated, demo = row
    return Session(sid, user, name, digest, toml, datetime.fromisoformat(started), _parse(ended),
                   status, block, offset, _parse(updated), bool(demo))


def _check(db: sqlite3.Connection) -> None:
    """Raise :class:`_Damaged` unless ``db`` is intact and empty or a Leg Coach history."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorname", "") in _DAMAGED:
            raise _Damaged("not a readable database") from None
        raise
    if problems != ["ok"]:
        raise _Damaged("damaged database")
    if tables and not _REQUIRED <= columns:
        raise _Damaged("another program's database")


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a history written by an older Leg Coach up to :data:`SCHEMA_VERSION`."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
    if "demo" not in columns:
        db.execute("ALTER TABLE sessions ADD COLUMN demo INTEGER NOT NULL DEFAULT 0")
    if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class History:
    """The session log. ``clock`` gives the current UTC time for writes that are
    not passed a ``now``; tests pass their own."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], datetime] = utc_now,
                 read_only_ok: bool = False) -> None:
        self.path = Path(path) if path is not None else history_path()
        self.clock = clock
        self._lock = threading.RLock()  # held through a batch's transaction
        #: Where a damaged file was moved on opening (None: nothing was moved).
        self.moved_aside: Path | None = None
        #: True when the history could only be opened for reading.
        self.read_only = False
        self._db = self._open(read_only_ok)
        # a read-only history from before demo runs were recorded has no demo column
        has_demo = any(row[1] == "demo" for row in self._db.execute("PRAGMA table_info(sessions)"))
        self._columns = _COLUMNS + (", demo" if has_demo else ", 0")
        self._counted = "AND demo = 0" if has_demo else ""

    def _open(self, read_only_ok: bool) -> sqlite3.Connection:
        if self.path.is_dir():
            raise HistoryError(f"{short(self.path, 70)}: is a folder, not the history; move it away "
                               f"or set {HOME_ENV} elsewhere")
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise HistoryError(f"{short(parent, 70)}: is a file, not a folder; move it away or set {HOME_ENV} "
                               "elsewhere")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            if not (read_only_ok and self.path.is_file()):
                raise storage_error(self.path.parent, err, "create the folder for") from None
        try:
            try:
                return self._connect()
            except _Damaged:
                self.moved_aside = self._move_aside()
                return self._connect()
        except _Damaged as err:
            raise HistoryError(f"{short(self.path, 70)}: {err}") from None
        except sqlite3.Error as err:
            if read_only_ok and self.path.is_file():
                self.read_only = True
                return self._connect_read_only(err)
            raise storage_error(self.path, err, "open") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                             isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _check(db)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_SCHEMA)
            _migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def _connect_read_only(self, first: sqlite3.Error) -> sqlite3.Connection:
        """Open for reading only (read-only folder or disk); ``first`` is why writing failed."""
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(f"{uri}?{mode}", uri=True, isolation_level=None,
                                     check_same_thread=False)
            except sqlite3.Error:
                continue
            try:
                _check(db)
                if db.execute("PRAGMA table_info(sessions)").fetchone() is not None:
                    return db
            except (sqlite3.Error, _Damaged):
                pass
            db.close()
        raise storage_error(self.path, first, "open") from None

    def _move_aside(self) -> Path:
        """Rename the damaged file (and its journal files) beside it; never delete them."""
        stamp = self.clock().astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            self.path.rename(target)
            for suffix in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    extra.rename(target.with_name(target.name + suffix))
        except OSError as err:
            raise HistoryError(f"{short(self.path, 70)}: is damaged and cannot be moved aside "
                               f"({err.strerror or err}); move it away yourself") from None
        return target

    # -- writes: each one statement, committed on return (autocommit) --

    def _write(self, sql: str, args: tuple[object, ...]) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, args)
            except sqlite3.Error as err:
                raise storage_error(self.path, err, "write") from None

    def _read(self, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as err:
                raise storage_error(self.path, err, "read") from None

    def start(self, plan_name: str, *, plan_toml: str | None = None, user: str = LOCAL_USER,
              now: datetime | None = None, demo: bool = False) -> int:
        """Record a new running session; returns its id. A ``demo`` (a run at
        another speed) is listed but never counted."""
        digest = plan_hash(plan_toml) if plan_toml is not None else None
        stamp = _iso(now or self.clock())
        cursor = self._write(
            "INSERT INTO sessions (user, plan_name, plan_hash, plan_toml, started, updated, demo)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", (user, plan_name, digest, plan_toml, stamp, stamp, int(demo)))
        return int(cursor.lastrowid or 0)

    def progress(self, session_id: int, block: int, offset: float = 0.0, *,
                 now: datetime | None = None) -> None:
        """Remember that the session reached ``block`` at ``offset`` seconds."""
        self._update(session_id, "block = ?, offset_s = ?, updated = ?",
                     (block, float(offset), _iso(now or self.clock())))

    def end(self, session_id: int, status: str, *, now: datetime | None = None) -> None:
        """Close a session as ``finished``, ``quit`` or ``abandoned``."""
        if status not in STATUSES or status == "running":
            raise ValueError(f"cannot end a session as {status!r}")
        stamp = _iso(now or self.clock())
        self._update(session_id, "status = ?, ended = ?, updated = ?", (status, stamp, stamp))

    def finish(self, session_id: int, *, now: datetime | None = None) -> None:
        self.end(session_id, "finished", now=now)

    def quit(self, session_id: int, *, now: datetime | None = None) -> None:
        self.end(session_id, "quit", now=now)

    def abandon(self, session_id: int, *, now: datetime | None = None) -> None:
        self.end(session_id, "abandoned", now=now)

    def resume(self, session_id: int, *, now: datetime | None = None, demo: bool = False) -> Session:
        """Mark a quit or interrupted session running again; returns it. Resumed
        as a ``demo``, it becomes one."""
        session = self.get(session_id)
        if session is None or not session.resumable:
            raise ValueError(f"session {session_id} cannot be resumed")
        self._update(session_id, "status = 'running', ended = NULL, updated = ?, demo = (demo OR ?)",
                     (_iso(now or self.clock()), int(demo)))
        return session

    def applied(self, source: str) -> int:
        """The number of the last batch from ``source`` applied (0: none)."""
        rows = self._read("SELECT seq FROM applied WHERE source = ?", (source,))
        return int(rows[0][0]) if rows else 0

    @contextmanager
    def batch(self, source: str, seq: int) -> Iterator[bool]:
        """One transaction for batch ``seq`` of ``source``'s writes: yields True
        if it is new (the writes made inside the block are then committed with
        the batch's number), False if it was applied before (write nothing).
        Another store mirrors its changes here with numbered batches, so a
        batch whose first sending was cut short (a killed process) is applied
        whole when it is sent again, and once."""
        with self._lock:
            self._write("BEGIN IMMEDIATE", ())
            try:
                new = seq > self.applied(source)
                yield new
                if new:
                    self._write("INSERT INTO applied (source, seq) VALUES (?, ?) ON CONFLICT (source)"
                                " DO UPDATE SET seq = excluded.seq", (source, seq))
                self._write("COMMIT", ())
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _update(self, session_id: int, assignments: str, args: tuple[object, ...]) -> None:
        if not self._write(f"UPDATE sessions SET {assignments} WHERE id = ?", (*args, session_id)).rowcount:
            raise KeyError(f"no session {session_id}")

    # -- reads --

    def _rows(self, where: str, args: tuple[object, ...], limit: int | None = None) -> list[Session]:
        sql = f"SELECT {self._columns} FROM sessions WHERE {where} ORDER BY started DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {min(max(int(limit), 0), 2**62)}"
        return [_session(row) for row in self._read(sql, args)]

    def get(self, session_id: int) -> Session | None:
        found = self._rows("id = ?", (session_id,))
        return found[0] if found else None

    def sessions(self, user: str = LOCAL_USER, limit: int | None = None) -> list[Session]:
        """The user's sessions, newest first."""
        return self._rows("user = ?", (user,), limit)

    def unfinished(self, user: str = LOCAL_USER) -> Session | None:
        """The user's latest session if it can be resumed (running or quit).
        Only the latest: once it is finished or abandoned, older ones are not offered."""
        latest = self._rows("user = ?", (user,), limit=1)
        return latest[0] if latest and latest[0].resumable else None

    def finished_between(self, start: datetime, end: datetime, user: str = LOCAL_USER) -> int:
        """Sessions of ``user`` finished in ``[start, end)``; demos do not count."""
        [(count,)] = self._read(
            "SELECT count(*) FROM sessions WHERE user = ? AND status = 'finished'"
            f" AND ended >= ? AND ended < ? {self._counted}", (user, _iso(start), _iso(end)))
        return int(count)

    def week_count(self, now: datetime, user: str = LOCAL_USER) -> int:
        """Sessions finished in the ISO week (Monday to Sunday) that contains
        ``now``, in ``now``'s time zone (naive: this machine's)."""
        zone = now.tzinfo
        local = now if zone is not None else now.astimezone()
        monday = local.date() - timedelta(days=local.weekday())
        return self.finished_between(_midnight(monday, zone), _midnight(monday + timedelta(7), zone), user)

    def finished_on(self, day: date, user: str = LOCAL_USER, tz: tzinfo | None = None) -> bool:
        """Whether ``user`` finished a session on ``day`` (local to ``tz``)."""
        return self.finished_between(_midnight(day, tz), _midnight(day + timedelta(1), tz), user) > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
