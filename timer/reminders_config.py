"""Reminder settings: the TOML file, its defaults, and the local time zone.

The defaults live in ``timer/data/remind.toml`` (documented there). A user
file overrides them key by key. Every value is checked; a bad one raises
:class:`ConfigError` whose message names the file and the field, so the CLI
can print it as one line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from datetime import time, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timer.files import FileProblem, read_text, short

DEFAULTS_NAME = "remind.toml"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_MINUTES = 24 * 60


class ConfigError(ValueError):
    """A setting that cannot be used; the message is ``where: field: problem``."""


@dataclass(frozen=True)
class Workout:
    enabled: bool
    days: tuple[int, ...]  # 0 = Monday
    at: time
    message: str


@dataclass(frozen=True)
class MoveBreak:
    enabled: bool
    every_minutes: int
    start: time
    end: time
    days: tuple[int, ...]
    routine: bool
    message: str

    def times(self) -> tuple[time, ...]:
        """The break times of a working day: start + every, ... up to end."""
        first = _minutes(self.start) + self.every_minutes
        last = _minutes(self.end)
        return tuple(time(m // 60, m % 60) for m in range(first, last + 1, self.every_minutes))


@dataclass(frozen=True)
class QuietHours:
    enabled: bool
    start: time
    end: time

    def __contains__(self, moment: time) -> bool:
        if not self.enabled or self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # crosses midnight


@dataclass(frozen=True)
class RemindConfig:
    workout: Workout
    move_break: MoveBreak
    quiet_hours: QuietHours
    grace_minutes: int
    timezone: str  # "" = the system's
    notify: bool
    source: str  # the file read, or "built-in defaults"

    def with_every(self, minutes: int, where: str = "--every") -> RemindConfig:
        """A copy with another move-break interval (the ``--every`` flag)."""
        move = replace(self.move_break, every_minutes=_check_every(minutes, where))
        _check_break_window(move, where)
        return replace(self, move_break=move)

    def zone(self) -> tzinfo:
        return local_zone() if not self.timezone else ZoneInfo(self.timezone)


def default_config_path() -> Path:
    """$LEGCOACH_HOME/remind.toml, else $XDG_CONFIG_HOME (or ~/.config)/leg-coach/remind.toml."""
    home = os.environ.get("LEGCOACH_HOME")
    if home:
        return Path(home).expanduser() / DEFAULTS_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "leg-coach" / DEFAULTS_NAME


def default_text() -> str:
    """The documented default file shipped in the package."""
    return resources.files("timer").joinpath("data", DEFAULTS_NAME).read_text(encoding="utf-8")


def load_config(path: Path | None = None) -> RemindConfig:
    """Defaults, overridden by ``path`` (or by the default user file if it exists)."""
    defaults = tomllib.loads(default_text())
    if path is None:
        candidate = default_config_path()
        path = candidate if candidate.is_file() else None
    if path is None:
        return parse_config(defaults, "built-in defaults")
    where = short(path, 100)
    if not os.path.lexists(path):
        raise ConfigError(f"{where}: no such file")
    try:
        user = tomllib.loads(read_text(path, "settings file"))
    except FileProblem as error:
        raise ConfigError(str(error)) from None
    except RecursionError:
        raise ConfigError(f"{where}: not valid TOML (nested too deeply)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML ({error})") from None
    return parse_config(_merge(defaults, user, where), where, source=str(path))


def _merge(defaults: dict[str, Any], user: dict[str, Any], where: str) -> dict[str, Any]:
    merged = {name: dict(table) for name, table in defaults.items()}
    for name, table in user.items():
        if name not in merged:
            raise ConfigError(f"{where}: {short(name, 40)}: unknown section (known: {', '.join(merged)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {name}: must be a table ([{name}])")
        for key, value in table.items():
            if key not in merged[name]:
                raise ConfigError(f"{where}: {name}.{short(key, 40)}: unknown setting")
            merged[name][key] = value
    return merged


def parse_config(data: dict[str, Any], where: str, source: str | None = None) -> RemindConfig:
    """Check the merged settings; errors name ``where``, the result keeps ``source``."""
    w, m, q, s = (_Table(data, name, where) for name in ("workout", "move_break", "quiet_hours", "service"))
    move = MoveBreak(
        enabled=m.flag("enabled"),
        every_minutes=_check_every(m.get("every_minutes"), f"{where}: move_break.every_minutes"),
        start=m.clock("start"),
        end=m.clock("end"),
        days=m.days("days"),
        routine=m.flag("routine"),
        message=m.text("message"),
    )
    _check_break_window(move, f"{where}: move_break")
    return RemindConfig(
        workout=Workout(w.flag("enabled"), w.days("days"), w.clock("time"), w.text("message")),
        move_break=move,
        quiet_hours=QuietHours(q.flag("enabled"), q.clock("start"), q.clock("end")),
        grace_minutes=s.whole("grace_minutes", 0, MAX_MINUTES),
        timezone=s.zone_name("timezone"),
        notify=s.flag("notify"),
        source=source or where,
    )


def _check_every(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise ConfigError(f"{where}: must be a whole number of minutes from 1 to {MAX_MINUTES} (got {_got(value)})")
    return value


def _check_break_window(move: MoveBreak, where: str) -> None:
    if not move.enabled:
        return
    if move.end <= move.start:
        raise ConfigError(f"{where}: end ({move.end:%H:%M}) must be after start ({move.start:%H:%M})")
    if not move.times():
        raise ConfigError(
            f"{where}: every {move.every_minutes} minutes gives no break between "
            f"{move.start:%H:%M} and {move.end:%H:%M}")


class _Table:
    """Typed reads of one section; errors name the file and ``section.key``."""

    def __init__(self, data: dict[str, Any], name: str, where: str) -> None:
        self.table = data[name]
        self.name = name
        self.where = where

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.name}.{key}: {problem}")

    def get(self, key: str) -> Any:
        return self.table[key]

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {_got(value)})")
        return value

    def whole(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high} (got {_got(value)})")
        return value

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string (got {_got(value)})")
        return " ".join(value.split())

    def clock(self, key: str) -> time:
        value = self.get(key)
        try:
            if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
                raise ValueError
            return time(int(value[:2]), int(value[3:]))
        except ValueError:
            raise self.fail(key, f'must be a 24-hour time "HH:MM" (got {_got(value)})') from None

    def days(self, key: str) -> tuple[int, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, 'must be a non-empty list of day names, e.g. ["monday", "friday"]')
        found = set()
        for item in value:
            day = day_index(item) if isinstance(item, str) else None
            if day is None:
                raise self.fail(key, f"unknown day {_got(item)} (use monday ... sunday or mon ... sun)")
            found.add(day)
        return tuple(sorted(found))

    def zone_name(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a time zone name such as \"Europe/Berlin\" (got {_got(value)})")
        name = value.strip()
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise self.fail(key, f"unknown time zone {_got(name)} (e.g. \"Europe/Berlin\")") from None
        return name


def _got(value: object) -> str:
    """A bad value as the message quotes it: its repr, at most 40 characters."""
    return short(repr(value), 30)


def day_index(name: str) -> int | None:
    """0 for "monday" or "Mon", ..., 6 for Sunday; None if not a day name."""
    word = name.strip().lower()
    for index, day in enumerate(DAY_NAMES):
        if word in (day, day[:3], day + "s"):
            return index
    return None


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def local_zone() -> tzinfo:
    """The system time zone with its daylight-saving rules.

    ``datetime.now().astimezone().tzinfo`` is a fixed offset, wrong after the
    next DST change; so read $TZ, else /etc/localtime, as zoneinfo does.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            if name.startswith("/"):
                with open(name, "rb") as f:
                    return ZoneInfo.from_file(f, key=name)
            return ZoneInfo(name)
        except (OSError, ValueError, ZoneInfoNotFoundError):
            pass
    try:
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return ZoneInfo("UTC")
