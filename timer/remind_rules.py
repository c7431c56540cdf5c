"""When reminders are due, and what they say. Pure: no clock, no I/O.

Times are wall-clock times in one time zone (``zoneinfo``), turned into
instants day by day, so a reminder set for 18:00 stays at 18:00 across
daylight-saving changes. A wall time that does not exist (inside the
spring-forward gap) moves forward by the gap, as zoneinfo normalises it; a
wall time that happens twice (fall-back) is taken once, the first time.
Instants are compared in UTC: Python compares two datetimes of the same
zone by wall time and ignores ``fold``, which is wrong across a fall-back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from timer.exercises import number_words
from timer.reminders_config import RemindConfig

UTC = timezone.utc
WORKOUT = "workout"
MOVE_BREAK = "move-break"
#: Days searched around a moment; a weekly rule always has a slot in 8 days.
_SPAN = 9


@dataclass(frozen=True)
class Slots:
    """Wall-clock ``times`` on the weekdays in ``days`` (0 = Monday) in ``zone``."""

    kind: str
    days: frozenset[int]
    times: tuple[time, ...]
    zone: tzinfo

    def on(self, day: date) -> list[datetime]:
        """The day's slots as UTC instants, in order."""
        if day.weekday() not in self.days:
            return []
        instants = {datetime.combine(day, t, tzinfo=self.zone).astimezone(UTC) for t in self.times}
        return sorted(instants)

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after ``moment`` (aware), in UTC."""
        now = moment.astimezone(UTC)
        for day in self._days_from(now, step=1):
            for slot in self.on(day):
                if slot > now:
                    return slot
        raise ValueError(f"{self.kind}: no slot within {_SPAN} days")

    def last_at_or_before(self, moment: datetime) -> datetime | None:
        """The latest slot at or before ``moment``, in UTC (None past the span)."""
        now = moment.astimezone(UTC)
        for day in self._days_from(now, step=-1):
            for slot in reversed(self.on(day)):
                if slot <= now:
                    return slot
        return None

    def _days_from(self, now: datetime, step: int) -> Iterator[date]:
        local_day = now.astimezone(self.zone).date()
        first = local_day - timedelta(days=step)  # one day of margin for zone edges
        return (first + timedelta(days=i * step) for i in range(_SPAN))


def rules(config: RemindConfig, zone: tzinfo) -> list[Slots]:
    """The enabled reminder rules of ``config``."""
    found = []
    if config.workout.enabled:
        found.append(Slots(WORKOUT, frozenset(config.workout.days), (config.workout.at,), zone))
    move = config.move_break
    if move.enabled:
        found.append(Slots(MOVE_BREAK, frozenset(move.days), move.times(), zone))
    return found


@dataclass(frozen=True)
class Verdict:
    """What to do with a due slot: ``fire`` it, or not and why (``reason``)."""

    fire: bool
    reason: str = ""


def judge(
    config: RemindConfig, kind: str, slot: datetime, now: datetime, zone: tzinfo, trained_today: bool
) -> Verdict:
    """Whether the slot due at ``slot`` should sound at ``now``."""
    late = now.astimezone(UTC) - slot.astimezone(UTC)
    if late > timedelta(minutes=config.grace_minutes):
        return Verdict(False, f"missed by {int(late.total_seconds() // 60)} minutes, dropped")
    for moment in (slot, now):
        if moment.astimezone(zone).time() in config.quiet_hours:
            return Verdict(False, "quiet hours")
    if kind == WORKOUT and trained_today:
        return Verdict(False, "a session is already finished today")
    return Verdict(True)


def week_progress(done: int, goal: int) -> str:
    """Which session of the weekly goal this one is, in words, as spoken.

    With one session finished this week the next is "Two of three this week."
    Past the goal it says how many are done and calls this one a bonus.
    """
    upcoming = done + 1
    if upcoming <= goal:
        return f"{number_words(upcoming).capitalize()} of {number_words(goal)} this week."
    return f"You have done {number_words(min(done, 999))} this week, so this one is a bonus."


def workout_message(base: str, done: int, goal: int) -> str:
    return f"{base} {week_progress(done, goal)}"
