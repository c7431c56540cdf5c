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

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.store.attributes import update_stored
from skill.workout.progress import Event, Saved, week_count
from timer.history import LOCAL_USER, History
from timer.plans import Plan

HISTORY_FILE = "history.db"

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

    def load(self, envelope: Any) -> Saved:
        if self.adapter is None:
            return Saved()
        return Saved.from_attributes(self.adapter.get_attributes(envelope) or {})

    def update(self, envelope: Any, step: Callable[[Saved], Any]) -> Any:
        """Run ``step(saved)`` (which returns an object with a ``saved``
        attribute) and store its ``saved`` atomically; returns what ``step`` returned.
        ``step`` may run more than once (DynamoDB retries a conflicting write)."""
        result: list[Any] = []

        def apply(attributes: dict[str, Any]) -> dict[str, Any]:
            outcome = step(Saved.from_attributes(attributes or {}))
            result[:] = [outcome]
            new: dict[str, Any] = outcome.saved.into(attributes or {})
            return new

        if self.adapter is None:
            return step(Saved())
        update_stored(self.adapter, envelope, apply)
        return result[0]

    def log(self, user: str, events: tuple[Event, ...], now: datetime) -> None:
        """Mirror ``events`` in the history database, if there is one."""
        history = self.history() if events else None
        if history is None:
            return
        demo = user == CONSOLE_DEMO_USER_ID
        user = history_user(user)
        for kind, *args in events:
            current = history.unfinished(user)
            if kind == "start":
                if current is not None:
                    history.abandon(current.id, now=now)
                plan: Plan = args[0]
                history.start(plan.name, plan_toml=plan.to_toml(), user=user, now=now, demo=demo)
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
