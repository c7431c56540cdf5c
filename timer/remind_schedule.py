"""The reminder schedule: `schedule` jobs on an injected clock, and what each does.

The ``schedule`` library is the scheduler: its ``Scheduler`` keeps the jobs,
picks the due ones and reschedules each after it ran. Two things it cannot
do are supplied here, in :class:`ClockedJob`:

- an injected clock (``schedule`` calls ``datetime.now()`` itself, so its own
  tests replace ``datetime`` globally; ours pass a function instead);
- daylight saving: only ``Job.at(time, tz)`` knows time zones, and it needs
  pytz, which Leg Coach does not install. So each job's next run is the next
  local wall-clock slot computed with ``zoneinfo``
  (:meth:`timer.remind_rules.Slots.next_after`), fed to ``schedule`` as the
  job's ``next_run``.

After a sleep or a clock jump ``schedule`` runs an overdue job once and then
computes its next run from "now", so there is never a burst. The job body
(:meth:`ReminderService.due`) looks at the latest slot that passed: within
the grace period it sounds once, older it is dropped.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol, TextIO

import schedule

from timer.history import LOCAL_USER, WEEKLY_GOAL
from timer.remind_rules import WORKOUT, Slots, judge, rules, workout_message
from timer.reminders_config import RemindConfig

#: Longest sleep: a clock jump or a resume from suspend is noticed this fast.
MAX_WAIT = 60.0

Clock = Callable[[], datetime]


class History(Protocol):
    """What reminders read from :class:`timer.history.History`."""

    def finished_on(self, day: date, user: str = ..., tz: tzinfo | None = ...) -> bool: ...
    def week_count(self, now: datetime, user: str = ...) -> int: ...


class ClockedJob(schedule.Job):
    """A ``schedule.Job`` whose next run is the next slot of ``slots`` on ``clock``."""

    def __init__(self, scheduler: ClockedScheduler, slots: Slots) -> None:
        super().__init__(1, scheduler)
        self.slots = slots
        self.clock = scheduler.clock
        self.unit = "days"  # shown by repr() only; the slots decide
        self.last_slot: datetime | None = None  # the slot handled last

    @property
    def should_run(self) -> bool:
        return self.next_run is not None and self.clock() >= self.next_run

    def _schedule_next_run(self) -> None:
        after = self.clock()
        if self.last_slot is not None and self.last_slot > after:
            after = self.last_slot  # the clock went back: never repeat a slot
        self.next_run = self.slots.next_after(after)


class ClockedScheduler(schedule.Scheduler):
    """``schedule.Scheduler`` with an injected clock for ``idle_seconds``."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def add(self, slots: Slots, action: Callable[[ClockedJob], object]) -> ClockedJob:
        job = ClockedJob(self, slots)
        job.do(action, job)
        return job

    @property
    def idle_seconds(self) -> float | None:
        upcoming = self.get_next_run()
        return None if upcoming is None else (upcoming - self.clock()).total_seconds()


@dataclass(frozen=True)
class Reminder:
    kind: str
    due: datetime  # aware, local time
    message: str

    def line(self) -> str:
        return f"{self.due:%Y-%m-%d %a %H:%M}  {self.kind:<10}  {self.message}"


class ReminderService:
    """The reminder jobs of ``config`` on one ``ClockedScheduler``."""

    def __init__(
        self,
        config: RemindConfig,
        *,
        clock: Clock,
        zone: tzinfo,
        history: History,
        announce: Callable[[Reminder], object],
        log: TextIO | None = None,
        user: str = LOCAL_USER,
    ) -> None:
        self.config = config
        self.clock = clock
        self.zone = zone
        self.history = history
        self.announce = announce
        self.log = log
        self.user = user
        self.scheduler = ClockedScheduler(clock)
        for slots in rules(config, zone):
            self.scheduler.add(slots, self.due)

    def due(self, job: ClockedJob) -> None:
        """The body of every job: sound the latest slot that passed, at most once."""
        now = self.clock()
        slot = job.slots.last_at_or_before(now) or job.next_run
        if slot is None or (job.last_slot is not None and slot <= job.last_slot):
            return
        job.last_slot = slot
        kind, local = job.slots.kind, slot.astimezone(self.zone)
        trained = kind == WORKOUT and self.history.finished_on(local.date(), self.user, self.zone)
        verdict = judge(self.config, kind, slot, now, self.zone, trained)
        if not verdict.fire:
            self._note(f"{local:%Y-%m-%d %a %H:%M}  {kind:<10}  skipped: {verdict.reason}")
            return
        try:
            self.announce(self.reminder(kind, local))
        except Exception as error:  # one failed reminder must not stop the service
            print(f"warning: {kind} reminder failed: {error}", file=sys.stderr, flush=True)

    def reminder(self, kind: str, due: datetime) -> Reminder:
        if kind == WORKOUT:
            done = self.history.week_count(due, self.user)
            return Reminder(kind, due, workout_message(self.config.workout.message, done, WEEKLY_GOAL))
        return Reminder(kind, due, self.config.move_break.message)

    def run(self, stop: threading.Event, wait: Callable[[float], object] | None = None) -> None:
        """Run due jobs, then sleep until the next one (at most MAX_WAIT) until ``stop``."""
        sleep = wait or stop.wait
        while not stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            sleep(MAX_WAIT if idle is None else min(max(idle, 0.0), MAX_WAIT))

    def _note(self, line: str) -> None:
        if self.log is not None:
            print(line, file=self.log, flush=True)


class ManualClock:
    """A clock that shows what it was set to (for ``--next`` and tests)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


#: How far ahead :func:`upcoming` looks.
UPCOMING_DAYS = 15


def upcoming(config: RemindConfig, zone: tzinfo, history: History, now: datetime, count: int) -> list[Reminder]:
    """The next ``count`` reminders within :data:`UPCOMING_DAYS` days, found by
    running the real scheduler on a simulated clock."""
    found: list[Reminder] = []
    clock = ManualClock(now)
    service = ReminderService(config, clock=clock, zone=zone, history=history, announce=found.append)
    horizon = now + timedelta(days=UPCOMING_DAYS)
    for _ in range(10_000):
        next_run = service.scheduler.get_next_run()
        if len(found) >= count or next_run is None or next_run > horizon:
            break
        clock.now = next_run
        service.scheduler.run_pending()
    return found[:count]
