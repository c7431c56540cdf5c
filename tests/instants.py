"""Instants where a week's count can go wrong: Sunday 23:59, Monday 00:00,
the far east and a half-hour zone, and both daylight-saving changes (in the
US and in the EU), for tests that inject a clock instead of reading one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local(zone: str, *fields: int) -> datetime:
    """``datetime(*fields)`` on the wall clock of ``zone``."""
    return datetime(*fields, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


#: id -> (zone, a workout finished at, the count asked at, workouts this week);
#: both moments are wall-clock fields in the zone.
WEEK_EDGES: dict[str, tuple[str, tuple[int, ...], tuple[int, ...], int]] = {
    "sunday-23:59-is-this-week": ("Europe/Berlin", (2026, 11, 29, 23, 59), (2026, 11, 29, 23, 59, 59), 1),
    "monday-00:00-starts-a-new-week": ("Europe/Berlin", (2026, 11, 29, 23, 59), (2026, 11, 30, 0, 0), 0),
    "monday-00:00-counts-all-week": ("Europe/Berlin", (2026, 11, 30, 0, 0), (2026, 12, 6, 23, 59), 1),
    "utc+14-monday-is-utc-sunday": ("Pacific/Kiritimati", (2026, 11, 30, 0, 30), (2026, 11, 30, 9, 0), 1),
    "utc-3:30-sunday-late": ("America/St_Johns", (2026, 11, 29, 23, 30), (2026, 11, 30, 0, 10), 0),
    # The week's Monday had another UTC offset than the moment of asking:
    "us-spring-forward": ("America/New_York", (2026, 3, 1, 23, 30), (2026, 3, 8, 12, 0), 0),
    "us-fall-back": ("America/New_York", (2026, 10, 26, 0, 30), (2026, 11, 1, 12, 0), 1),
    "eu-spring-forward": ("Europe/Berlin", (2026, 3, 22, 23, 30), (2026, 3, 29, 12, 0), 0),
    "eu-fall-back": ("Europe/Berlin", (2026, 10, 19, 0, 30), (2026, 10, 25, 12, 0), 1),
}
