"""Where guided workouts are kept: the skill's persistence adapter, plus the
timer's workout history when the store is SQLite.

Progress lives in the user's persistent attributes (keyed by the Alexa user
id), written with the adapter's atomic ``update_attributes`` when it has one.
Sessions are also logged in :class:`timer.history.History` (the same SQLite
schema as the local timer, ``user`` = the Alexa user id) next to the SQLite
store, which answers "how am I doing this week". A DynamoDB store has no
history database: finished-workout times are then kept in the attributes and
counted with :func:`skill.workout.progress.week_count`.

On one machine there is one record: the local console's user
(:data:`CONSOLE_USER_ID`) is this machine's user in the history, the same
``local`` user as ``python -m timer``. A workout done in the console shows in
``timer history`` and counts toward the timer's week and reminders, and one
done with the timer counts when the console asks "how am I doing this week".
The console's fast mode is a demo, like the timer's ``--speed``: kept apart,
never counted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.store.attributes import update_stored
from skill.workout.progress import Event, Saved, week_count
from timer.history import LOCAL_USER, History, HistoryError
from timer.plans import Plan

log = logging.getLogger(__name__)

HISTORY_FILE = "history.db"
#: The attribute holding the last workout events for the history, numbered
#: (see :meth:`WorkoutStore.write`); only with a history database.
PENDING_KEY = "history_pending"
#: Events kept while the history cannot be written (a start carries its plan).
KEEP_PENDING = 24

#: The user id the local console sends (an Alexa-shaped account id Amazon never
#: issues): this machine's user, kept as the timer's ``local`` user in the history.
CONSOLE_USER_ID = "amzn1.ask.account.LOCALCONSOLE"
#: The console in its fast mode (each answer heard at once): a demo. Its workouts
#: are kept apart and marked as demos, so they never count and never set aside
#: a workout of this machine's user; it reads this machine's week.
CONSOLE_DEMO_USER_ID = "amzn1.ask.account.LOCALCONSOLEDEMO"


def history_user(user_id: str) -> str:
    """Who ``user_id``'s sessions are kept as: the console is this machine's user."""
    return LOCAL_USER if user_id == CONSOLE_USER_ID else user_id


def counted_user(user_id: str) -> str:
    """Whose week ``user_id`` is told: both consoles hear this machine's."""
    return LOCAL_USER if user_id in (CONSOLE_USER_ID, CONSOLE_DEMO_USER_ID) else user_id


def history_path_for(adapter: Any) -> Path | None:
    """``history.db`` beside a SQLite store; None for other stores."""
    from skill.store.sqlite import SQLiteAdapter

    return adapter.path.parent / HISTORY_FILE if isinstance(adapter, SQLiteAdapter) else None


def _encode(event: Event) -> list[Any]:
    """An event as JSON: a plan becomes its name and TOML."""
    kind, *args = event
    if kind == "start":
        plan: Plan = args[0]
        return [kind, plan.name, plan.to_toml()]
    return [kind, *args]


def _pending(attributes: dict[str, Any]) -> tuple[int, list[list[Any]]]:
    """The batch kept in ``attributes``: its number (0: none) and its events."""
    pending = attributes.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return 0, []
    seq, events = pending.get("seq"), pending.get("events")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(events, list):
        return 0, []
    return seq, [e for e in events if isinstance(e, list) and len(e) >= 2]


def _applied(history: History, user: str) -> int:
    try:
        return history.applied(user)
    except HistoryError:
        return 0  # unreadable now: the kept batch's number still orders the next


class WorkoutStore:
    """Reads and atomically updates a user's workout state; logs sessions."""

    def __init__(self, adapter: Any, history_path: Path | None = None) -> None:
        self.adapter = adapter
        self.history_path = history_path if history_path is not None else history_path_for(adapter)
        self._history: History | None = None
        self._lock = threading.Lock()

    @property
    def tracks_finished(self) -> bool:
        """True when finished times are kept in the attributes (no history database)."""
        return self.history_path is None

    def history(self) -> History | None:
        if self.history_path is None:
            return None
        with self._lock:
            if self._history is None:
                self._history = History(self.history_path)
            return self._history

    def load(self, envelope: Any, user: str | None = None) -> Saved:
        """The saved workout. Given ``user``, their batch still waiting in the
        attributes is applied to the history first (before a read of the
        history, such as the week's count), from the same one read."""
        if self.adapter is None:
            return Saved()
        attributes = self.adapter.get_attributes(envelope) or {}
        if user is not None and (history := self.history()) is not None:
            self._catch_up(history, user, attributes)
        return Saved.from_attributes(attributes)

    def update(self, envelope: Any, step: Callable[[Saved], Any], user: str, now: datetime) -> Any:
        """Run ``step(saved)`` (which returns an object with ``saved`` and
        ``events`` attributes), store its ``saved`` atomically and mirror its
        events in the history; returns what ``step`` returned. ``step`` may run
        more than once (DynamoDB retries a conflicting write)."""
        def change(attributes: dict[str, Any]) -> tuple[Any, dict[str, Any], tuple[Event, ...]]:
            outcome = step(Saved.from_attributes(attributes))
            return outcome, outcome.saved.into(attributes), tuple(outcome.events)

        return self.write(envelope, change, user, now)

    def write(self, envelope: Any, change: Callable[[dict[str, Any]], tuple[Any, dict[str, Any], tuple[Event, ...]]],
              user: str, now: datetime) -> Any:
        """Store the attributes ``change(attributes)`` gives (a result, the new
        attributes, the events for the history) and log the events; returns the result.

        The attributes and the history are two databases, and a process can be
        killed between the two writes, or find the history locked or its disk
        full. So the events go into the attributes first, in the same atomic
        write, as a numbered batch (:data:`PENDING_KEY`), and are then applied
        to the history in one transaction that records the batch's number
        (:meth:`timer.history.History.batch`). A batch left unapplied is applied
        by the user's next workout request, once; events that come meanwhile
        join it (the newest :data:`KEEP_PENDING`)."""
        history = self.history()
        result: list[Any] = []

        def apply(attributes: dict[str, Any]) -> dict[str, Any]:
            attributes = dict(attributes or {})
            waiting = self._catch_up(history, user, attributes) if history is not None else []
            outcome, new, events = change(attributes)
            result[:] = [outcome]
            if history is not None and events:
                stamp = now.isoformat()
                kept = waiting + [[stamp, *_encode(e)] for e in events]
                seq = max(_pending(attributes)[0], _applied(history, user)) + 1
                new[PENDING_KEY] = {"seq": seq, "events": kept[-KEEP_PENDING:]}
            return new

        if self.adapter is None:
            return change({})[0]
        stored = update_stored(self.adapter, envelope, apply)
        if history is not None:
            self._catch_up(history, user, stored)
        return result[0]

    def _catch_up(self, history: History, user: str, attributes: dict[str, Any]) -> list[list[Any]]:
        """Apply the batch kept in ``attributes`` to the history unless it was;
        returns its events if the history cannot take them now (they wait)."""
        seq, events = _pending(attributes)
        try:
            if seq <= history.applied(user):
                return []  # nothing kept, or applied already (a read: no write lock)
            with history.batch(user, seq) as new:
                if new:
                    self._log(history, user, events)
            return []
        except HistoryError as err:
            log.warning("workout history not written, kept for the next request: %s", err)
            return events

    @staticmethod
    def _log(history: History, user: str, events: list[list[Any]]) -> None:
        """Mirror ``events`` ([time, kind, *args], as kept in the attributes) in ``history``."""
        demo = user == CONSOLE_DEMO_USER_ID
        user = history_user(user)
        for stamp, kind, *args in events:
            now = datetime.fromisoformat(str(stamp))
            current = history.unfinished(user)
            if kind == "start":
                if current is not None:
                    history.abandon(current.id, now=now)
                name, toml = args
                history.start(str(name), plan_toml=str(toml), user=user, now=now, demo=demo)
            elif current is None:
                continue
            elif kind == "progress":
                if current.status != "running":
                    history.resume(current.id, now=now)
                history.progress(current.id, int(args[0]), float(args[1]), now=now)
            elif kind == "resume" and current.status != "running":
                history.resume(current.id, now=now)
            elif kind in ("quit", "finish"):
                history.end(current.id, "quit" if kind == "quit" else "finished", now=now)

    def week_count(self, user: str, saved: Saved, now: datetime) -> int:
        """Workouts finished this week: Monday to Sunday in ``now``'s time zone
        (the user's: :func:`skill.core.device_time.local_now`; a naive ``now`` is
        taken as this machine's local time)."""
        history = self.history()
        local = now if now.tzinfo is not None else now.astimezone()
        if history is not None:
            return history.week_count(local, counted_user(user))
        return week_count(saved.finished, local)

    def close(self) -> None:
        with self._lock:
            if self._history is not None:
                self._history.close()
                self._history = None
