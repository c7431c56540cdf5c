"""Where a user is in a guided workout, as a JSON-ready value, and the rules
that move it. Pure: the caller passes ``now`` and stores the result.

The progress rule, so a crash or a dropped session never loses a completed
set and never repeats one more than the user asks:

- delivering piece ``k`` stores ``last = k``, ``next = k + 1`` and when it
  was sent, before the response leaves;
- "next" (or "yes", "ready") delivers ``next``: the user asked to go on;
- anything else that arrives while ``k`` may still be playing (stop, pause,
  skip, back, a question, the session ending) first *settles* ``k``: the
  time since it was sent says how far it was heard. If every exercise block
  in ``k`` was heard to its end, ``next`` stays ``k + 1``; otherwise ``next``
  moves back to the piece where the unfinished block starts, so that set is
  done again from its start;
- a new session finding an unsettled piece (no stop, no session end ever
  arrived) cannot know, and redoes the set in progress rather than lose it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from skill.workout.plan_spec import PlanSpec

STALE_AFTER = timedelta(days=14)
STATUSES = ("active", "paused", "stopped")
#: Finished-workout times kept in the attributes (DynamoDB stores): enough for a week.
KEEP_FINISHED = 14

WORKOUT_KEY = "workout"
LEVEL_KEY = "workout_level"
FINISHED_KEY = "workouts_finished"

#: What happened, for the workout history: ("start", plan), ("progress",
#: block, offset), ("quit",)...
Event = tuple[Any, ...]


class Route(Protocol):
    """What the progress rules need of a workout's spoken route (a
    :class:`skill.workout.guide.Guide`): its pieces and positions in them."""

    @property
    def digest(self) -> str: ...

    @property
    def pieces(self) -> Sequence[object]: ...

    def where(self, index: int) -> str: ...

    def resume_index(self, last: int, heard: float) -> int: ...


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Progress:
    """A workout in progress. ``next``: the piece to deliver on "next"."""

    spec: PlanSpec
    digest: str
    next: int
    started_at: datetime
    updated_at: datetime
    status: str = "active"
    last: int | None = None
    sent_at: datetime | None = None
    lead: float = 0.0       # seconds said before piece ``last`` in its response
    settled: bool = True    # piece ``last`` already judged heard or not
    at: str = ""            # where ``next`` is, in words (for a plan that changed)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "plan": self.spec.to_json(), "digest": self.digest, "next": self.next,
            "started_at": _iso(self.started_at), "updated_at": _iso(self.updated_at),
            "status": self.status, "settled": self.settled, "at": self.at,
        }
        if self.last is not None and self.sent_at is not None:
            value.update(last=self.last, sent_at=_iso(self.sent_at), lead=round(self.lead, 3))
        return value

    @classmethod
    def from_json(cls, value: Any) -> Progress | None:
        """The stored progress, or None if it is missing or unreadable."""
        if not isinstance(value, dict):
            return None
        spec = PlanSpec.from_json(value.get("plan"))
        started, updated = _time(value.get("started_at")), _time(value.get("updated_at"))
        nxt, status = value.get("next"), value.get("status")
        if spec is None or started is None or updated is None or not isinstance(nxt, int) \
                or status not in STATUSES:
            return None
        last, sent = value.get("last"), _time(value.get("sent_at"))
        has_last = isinstance(last, int) and sent is not None
        return cls(spec, str(value.get("digest", "")), nxt, started, updated, status,
                   last if has_last else None, sent if has_last else None,
                   float(value.get("lead", 0.0)) if has_last else 0.0,
                   bool(value.get("settled", True)) or not has_last, str(value.get("at", "")))


@dataclass(frozen=True)
class Saved:
    """The workout part of a user's persistent attributes."""

    progress: Progress | None = None
    level: str | None = None
    finished: tuple[datetime, ...] = ()

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Any]) -> Saved:
        level = attributes.get(LEVEL_KEY)
        stamps = attributes.get(FINISHED_KEY)
        finished = tuple(t for t in map(_time, stamps if isinstance(stamps, list) else []) if t)
        return cls(Progress.from_json(attributes.get(WORKOUT_KEY)),
                   level if isinstance(level, str) else None, finished)

    def into(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """``attributes`` with this workout state in place (other keys kept)."""
        out = {k: v for k, v in attributes.items() if k not in (WORKOUT_KEY, LEVEL_KEY, FINISHED_KEY)}
        if self.progress is not None:
            out[WORKOUT_KEY] = self.progress.to_json()
        if self.level is not None:
            out[LEVEL_KEY] = self.level
        if self.finished:
            out[FINISHED_KEY] = [_iso(t) for t in self.finished[-KEEP_FINISHED:]]
        return out


def begin(spec: PlanSpec, guide: Route, now: datetime) -> Progress:
    return Progress(spec, guide.digest, 0, now, now, at=guide.where(0))


def delivered(p: Progress, guide: Route, index: int, now: datetime, lead: float) -> Progress:
    """Piece ``index`` is being sent now, after ``lead`` seconds of other words."""
    after = index + 1
    at = guide.where(after) if after < len(guide.pieces) else ""
    return replace(p, next=after, last=index, sent_at=now, lead=lead, settled=False,
                   status="active", updated_at=now, at=at)


def moved(p: Progress, guide: Route, index: int, now: datetime, status: str | None = None) -> Progress:
    """Carry on at piece ``index`` next time (nothing in flight any more)."""
    return replace(p, next=index, settled=True, updated_at=now, status=status or p.status,
                   at=guide.where(index))


def heard_seconds(p: Progress, now: datetime) -> float:
    """How long the last piece has been playing, after its lead-in words."""
    if p.sent_at is None:
        return 0.0
    return (now - p.sent_at).total_seconds() - p.lead


def settle(p: Progress, guide: Route, heard: float, now: datetime) -> Progress:
    """Judge the piece in flight (see the module docstring); idempotent."""
    if p.settled or p.last is None or p.last >= len(guide.pieces):
        return replace(p, settled=True)
    return moved(p, guide, guide.resume_index(p.last, heard), now)


def week_count(finished: Iterable[datetime], now: datetime) -> int:
    """Workouts finished in the Monday-to-Sunday week containing ``now``, in
    ``now``'s time zone: the same count as :meth:`timer.history.History.week_count`."""
    local = now if now.tzinfo is not None else now.astimezone()
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), datetime.min.time(),
                              tzinfo=local.tzinfo)
    start, end = monday, monday + timedelta(days=7)
    return sum(1 for t in finished if start <= t.astimezone(local.tzinfo) < end)
