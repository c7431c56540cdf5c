"""Local reminders: the schedule from the settings, what already happened,
missed reminders, daylight saving, settings errors and the real process."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from speech.model import Narration, Sound
from tests.conftest import FakeClock, RecordingSpeaker
from timer.history import History
from timer.remind import Announcer, DesktopNotifier, main, move_break_routine
from timer.exercises import number_words
from timer.remind_rules import MOVE_BREAK, WORKOUT, rules, week_progress
from timer.remind_schedule import MAX_WAIT, ManualClock, Reminder, ReminderService, upcoming
from timer.reminders_config import ConfigError, RemindConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History(tmp_path / "history.db") as h:
        yield h


def write(tmp_path: Path, text: str, name: str = "remind.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def defaults(**changes: object) -> RemindConfig:
    return replace(load_config(), **changes)  # type: ignore[arg-type]


class Sleeper:
    """Stands in for ``Event.wait``: moves the wall clock by the timeout,
    applies clock jumps when their moment comes, stops at ``until``."""

    def __init__(self, clock: ManualClock, stop: threading.Event, until: datetime,
                 jumps: dict[datetime, timedelta] | None = None) -> None:
        self.clock, self.stop, self.until = clock, stop, until
        self.jumps = dict(jumps or {})
        self.waits: list[float] = []

    def __call__(self, timeout: float) -> bool:
        self.waits.append(timeout)
        self.clock.now += timedelta(seconds=timeout)
        for moment in sorted(self.jumps):
            if self.clock.now >= moment:
                self.clock.now += self.jumps.pop(moment)
        if self.clock.now >= self.until:
            self.stop.set()
        return self.stop.is_set()


def run_service(config: RemindConfig, history: History, start: datetime, until: datetime,
                jumps: dict[datetime, timedelta] | None = None) -> tuple[list[Reminder], Sleeper, list[str]]:
    clock, stop = ManualClock(start), threading.Event()
    fired: list[Reminder] = []
    log = io.StringIO()
    assert start.tzinfo is not None
    service = ReminderService(config, clock=clock, zone=start.tzinfo, history=history,
                              announce=fired.append, log=log)
    sleeper = Sleeper(clock, stop, until, jumps)
    service.run(stop, wait=sleeper)
    return fired, sleeper, log.getvalue().splitlines()


def when(reminders: list[Reminder]) -> list[tuple[str, str]]:
    return [(r.due.strftime("%a %H:%M"), r.kind) for r in reminders]


# -- the schedule built from the settings --


def test_defaults_remind_workouts_monday_wednesday_friday_at_six_and_hourly_breaks(history: History) -> None:
    found = upcoming(load_config(), BERLIN, history, at(BERLIN, 2026, 11, 23, 8, 0), 43)
    workouts = [r for r in found if r.kind == WORKOUT]
    breaks = [r for r in found if r.kind == MOVE_BREAK]
    assert when(workouts) == [("Mon 18:00", WORKOUT), ("Wed 18:00", WORKOUT), ("Fri 18:00", WORKOUT)]
    assert [r.due.strftime("%H:%M") for r in breaks[:8]] == [f"{h}:00" for h in range(10, 18)]
    assert {r.due.strftime("%a") for r in breaks} == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert [r.due for r in found] == sorted(r.due for r in found)


def test_every_flag_changes_the_move_break_interval(history: History) -> None:
    config = load_config().with_every(20)
    found = upcoming(config, BERLIN, history, at(BERLIN, 2026, 11, 24, 9, 0), 4)
    assert when(found) == [("Tue 09:20", MOVE_BREAK), ("Tue 09:40", MOVE_BREAK),
                           ("Tue 10:00", MOVE_BREAK), ("Tue 10:20", MOVE_BREAK)]


def test_user_file_overrides_defaults_key_by_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[workout]\ndays = ["tue", "Saturday"]\n\n[move_break]\nevery_minutes = 25\n')
    config = load_config(path)
    assert config.workout.days == (1, 5)
    assert config.workout.at == time(18, 0)
    assert config.move_break.every_minutes == 25
    assert config.source == str(path)


def test_default_user_file_lives_in_legcoach_home(legcoach_home: Path, history: History) -> None:
    legcoach_home.mkdir(parents=True)
    write(legcoach_home, '[workout]\ntime = "07:30"\n')
    assert load_config().workout.at == time(7, 30)


def test_scheduler_and_pure_slots_agree(history: History) -> None:
    config = defaults(quiet_hours=replace(load_config().quiet_hours, enabled=False)).with_every(45)
    start = at(BERLIN, 2026, 3, 26, 12, 7)  # across the spring-forward weekend
    scheduled = upcoming(config, BERLIN, history, start, 60)
    pure: list[tuple[datetime, str]] = []
    for slots in rules(config, BERLIN):
        moment = start
        while len([p for p in pure if p[1] == slots.kind]) < 60:
            moment = slots.next_after(moment)
            pure.append((moment, slots.kind))
    assert [(r.due, r.kind) for r in scheduled] == sorted(pure)[:60]


def test_quiet_hours_silence_reminders_inside_them(history: History) -> None:
    config = load_config()
    config = replace(config, workout=replace(config.workout, at=time(22, 0)),
                     move_break=replace(config.move_break, start=time(5, 0), end=time(9, 0)))
    found = upcoming(config, BERLIN, history, at(BERLIN, 2026, 11, 23, 0, 0), 3)
    assert when(found) == [("Mon 08:00", MOVE_BREAK), ("Mon 09:00", MOVE_BREAK), ("Tue 08:00", MOVE_BREAK)]


def test_quiet_hours_can_be_switched_off(history: History) -> None:
    config = load_config()
    config = replace(config, workout=replace(config.workout, at=time(22, 0)),
                     quiet_hours=replace(config.quiet_hours, enabled=False))
    found = upcoming(config, BERLIN, history, at(BERLIN, 2026, 11, 23, 20, 0), 1)
    assert when(found) == [("Mon 22:00", WORKOUT)]


# -- what already happened: the real history database --


def test_no_workout_reminder_on_a_day_with_a_finished_session(history: History) -> None:
    morning = at(BERLIN, 2026, 11, 25, 7, 0)  # Wednesday
    session = history.start("beginner", now=morning)
    history.finish(session, now=morning + timedelta(minutes=20))
    found = upcoming(load_config(), BERLIN, history, at(BERLIN, 2026, 11, 25, 17, 30), 20)
    assert [r for r in found if r.kind == WORKOUT][0].due == at(BERLIN, 2026, 11, 27, 18, 0)
    fired, _, log = run_service(load_config(), history, at(BERLIN, 2026, 11, 25, 17, 30),
                                at(BERLIN, 2026, 11, 25, 18, 30))
    assert fired == []
    assert log == ["2026-11-25 Wed 18:00  workout     skipped: a session is already finished today"]


def test_unfinished_session_does_not_count_as_done(history: History) -> None:
    history.start("beginner", now=at(BERLIN, 2026, 11, 25, 7, 0))  # still running: no skip
    found = upcoming(load_config(), BERLIN, history, at(BERLIN, 2026, 11, 25, 17, 30), 2)
    assert when(found)[0] == ("Wed 18:00", WORKOUT)


def test_workout_reminder_says_the_weekly_count_in_words(history: History) -> None:
    monday = at(BERLIN, 2026, 11, 23, 18, 0)
    history.finish(history.start("beginner", now=monday), now=monday + timedelta(minutes=15))
    found = upcoming(load_config(), BERLIN, history, at(BERLIN, 2026, 11, 25, 17, 30), 2)
    assert found[0].message == "Time for your leg workout. Two of three this week."


@pytest.mark.parametrize(("done", "words"), [
    (0, "One of three this week."),
    (2, "Three of three this week."),
    (3, "You have done three this week, so this one is a bonus."),
])
def test_week_progress_is_spoken_in_words(done: int, words: str) -> None:
    assert week_progress(done, 3) == words


def test_reminder_counts_are_spelled_out_as_the_coach_counts() -> None:
    # One number_words for all spoken text: reminders used to give digits from
    # 100 up ("100"); spelled out, every voice reads them the same way.
    assert [number_words(n) for n in (0, 7, 13, 20, 42, 99, 100)] == [
        "zero", "seven", "thirteen", "twenty", "forty-two", "ninety-nine", "one hundred"]
    assert week_progress(100, 3) == "You have done one hundred this week, so this one is a bonus."
    assert week_progress(5000, 3).startswith("You have done ")  # no count too big to say


# -- sleeping, missed reminders, the clock --


def test_service_sleeps_until_the_next_job_never_longer_than_a_minute(history: History) -> None:
    fired, sleeper, _ = run_service(load_config(), history, at(BERLIN, 2026, 11, 24, 9, 30),
                                    at(BERLIN, 2026, 11, 24, 12, 30))
    assert when(fired) == [("Tue 10:00", MOVE_BREAK), ("Tue 11:00", MOVE_BREAK), ("Tue 12:00", MOVE_BREAK)]
    assert 0 < min(sleeper.waits) and max(sleeper.waits) == MAX_WAIT
    assert len(sleeper.waits) == 180  # one wake-up a minute, not a busy loop


def test_three_hour_clock_jump_fires_one_reminder_not_three(history: History) -> None:
    start = at(BERLIN, 2026, 11, 24, 9, 5)
    fired, _, log = run_service(load_config(), history, start, at(BERLIN, 2026, 11, 24, 12, 30),
                                jumps={start + timedelta(seconds=1): timedelta(hours=3)})
    assert when(fired) == [("Tue 12:00", MOVE_BREAK)]
    assert log == []


def test_reminder_missed_by_more_than_the_grace_period_is_dropped(history: History) -> None:
    start = at(BERLIN, 2026, 11, 24, 9, 30)
    fired, _, log = run_service(load_config(), history, start, at(BERLIN, 2026, 11, 24, 13, 5),
                                jumps={start + timedelta(seconds=1): timedelta(hours=3)})
    assert when(fired) == [("Tue 13:00", MOVE_BREAK)]
    assert log == ["2026-11-24 Tue 12:00  move-break  skipped: missed by 31 minutes, dropped"]


def test_clock_going_back_never_repeats_a_reminder(history: History) -> None:
    start = at(BERLIN, 2026, 11, 24, 9, 55)
    fired, _, _ = run_service(load_config(), history, start, at(BERLIN, 2026, 11, 24, 10, 30),
                              jumps={at(BERLIN, 2026, 11, 24, 10, 5): -timedelta(minutes=20)})
    assert when(fired) == [("Tue 10:00", MOVE_BREAK)]


def test_workout_time_keeps_local_wall_time_across_spring_forward(history: History) -> None:
    config = load_config()
    config = replace(config, move_break=replace(config.move_break, enabled=False))
    fired, _, _ = run_service(config, history, at(BERLIN, 2026, 3, 27, 12, 0), at(BERLIN, 2026, 3, 30, 19, 0))
    assert [r.due.astimezone(UTC) for r in fired] == [
        datetime(2026, 3, 27, 17, 0, tzinfo=UTC),  # Friday 18:00 CET
        datetime(2026, 3, 30, 16, 0, tzinfo=UTC),  # Monday 18:00 CEST
    ]
    assert {r.due.strftime("%H:%M") for r in fired} == {"18:00"}


def test_reminder_inside_the_spring_forward_gap_fires_once_after_it(history: History) -> None:
    config = load_config()
    config = replace(config, workout=replace(config.workout, days=(6,), at=time(2, 30)),
                     move_break=replace(config.move_break, enabled=False),
                     quiet_hours=replace(config.quiet_hours, enabled=False))
    fired, _, _ = run_service(config, history, at(BERLIN, 2026, 3, 28, 23, 0), at(BERLIN, 2026, 3, 29, 6, 0))
    assert [r.due.astimezone(UTC) for r in fired] == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]
    assert fired[0].due.strftime("%H:%M %Z") == "03:30 CEST"


def test_repeated_hour_at_fall_back_fires_once(history: History) -> None:
    config = load_config()
    config = replace(config, workout=replace(config.workout, days=(6,), at=time(1, 30)),
                     move_break=replace(config.move_break, enabled=False),
                     quiet_hours=replace(config.quiet_hours, enabled=False))
    fired, sleeper, _ = run_service(config, history, at(NEW_YORK, 2026, 10, 31, 23, 0),
                                    at(NEW_YORK, 2026, 11, 1, 4, 0))
    assert [r.due.astimezone(UTC) for r in fired] == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]  # 01:30 EDT
    assert max(sleeper.waits) <= MAX_WAIT


def test_move_breaks_every_hour_keep_wall_time_after_fall_back(history: History) -> None:
    found = upcoming(load_config(), NEW_YORK, history, at(NEW_YORK, 2026, 10, 30, 16, 30), 4)
    assert [r.due.strftime("%a %H:%M %Z") for r in found if r.kind == MOVE_BREAK] == [
        "Fri 17:00 EDT", "Mon 10:00 EST", "Mon 11:00 EST"]


# -- settings errors: one line naming the file and the field, exit 2 --


@pytest.mark.parametrize(("text", "field"), [
    ('[move_break]\nevery_minutes = "often"\n', "move_break.every_minutes"),
    ("[move_break]\nevery_minutes = 0\n", "move_break.every_minutes"),
    ('[workout]\ndays = ["funday"]\n', "workout.days"),
    ('[workout]\ntime = "6pm"\n', "workout.time"),
    ("[quiet_hours]\nenabled = 1\n", "quiet_hours.enabled"),
    ("[service]\ngrace_minutes = -5\n", "service.grace_minutes"),
    ('[service]\ntimezone = "Mars/Olympus"\n', "service.timezone"),
    ("[workout]\ntimes = 3\n", "workout.times"),
    ('[move_break]\nstart = "18:00"\n', "move_break"),
    ("[gym]\nx = 1\n", "gym"),
], ids=["not-a-number", "zero", "day", "time", "flag", "grace", "zone", "unknown-key", "window", "section"])
def test_bad_setting_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {field}")


def test_bad_setting_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[move_break]\nevery_minutes = 0\n")
    assert main(["--config", str(path), "--next", "3"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"python -m timer remind: error: {path}: move_break.every_minutes: must be a whole number of minutes from 1 to 1440 (got 0)"]


def test_bad_toml_and_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(write(tmp_path, "[workout\n"))]) == 2
    assert main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert main(["--every", "0", "--next", "1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert "not valid TOML" in lines[0] and "no such file" in lines[1] and lines[2].startswith("python -m timer remind: error: --every:")


def run_cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "timer", "remind", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=os.environ.copy(), **kwargs)  # type: ignore[call-overload]


def test_bad_setting_in_a_real_process_exits_2_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[workout]\ndays = ["funday"]\n')
    done = run_cli("--config", str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"python -m timer remind: error: {path}: workout.days: unknown day 'funday' (use monday ... sunday or mon ... sun)"]


# -- --next and the real process --


@pytest.mark.parametrize("instant", [
    at(BERLIN, 2026, 12, 2, 9, 5),      # a morning: only move breaks come next
    at(BERLIN, 2026, 12, 2, 16, 40),    # an afternoon: the workout reminder is among the next five
    at(BERLIN, 2026, 12, 6, 23, 59),    # Sunday night
    at(BERLIN, 2026, 3, 28, 17, 0),     # the evening before the spring DST change
], ids=["morning", "afternoon", "sunday-night", "before-dst"])
def test_next_prints_date_time_kind_and_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                instant: datetime) -> None:
    path = write(tmp_path, '[workout]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]\n'
                           '[quiet_hours]\nenabled = false\n[service]\ntimezone = "Europe/Berlin"\n')
    assert main(["--config", str(path), "--next", "5", "--every", "30"],
                now=lambda zone: instant.astimezone(zone)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    pattern = re.compile(r"^\d{4}-\d\d-\d\d (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d  (workout   |move-break)  \S.*$")
    assert all(pattern.match(line) for line in lines), lines
    assert lines == sorted(lines)
    assert all(line >= f"{instant:%Y-%m-%d %a %H:%M}" for line in lines)
    assert {line[15:20] for line in lines if "move-break" in line} <= {
        f"{h:02d}:{m:02d}" for h in range(9, 18) for m in (0, 30)}


def test_next_lists_the_workout_reminder_in_the_afternoon(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[workout]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]\n'
                           '[quiet_hours]\nenabled = false\n[service]\ntimezone = "Europe/Berlin"\n')
    instant = at(BERLIN, 2026, 12, 2, 16, 40)
    assert main(["--config", str(path), "--next", "5", "--every", "30"], now=lambda zone: instant.astimezone(zone)) == 0
    kinds = [line.split("  ")[1].strip() for line in capsys.readouterr().out.splitlines()]
    assert "workout" in kinds and "move-break" in kinds


def test_sigterm_stops_the_service_cleanly(tmp_path: Path) -> None:
    path = write(tmp_path, "[service]\nnotify = false\n")
    child = subprocess.Popen([sys.executable, "-m", "timer", "remind", "--mute", "--config", str(path)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("Reminders running (settings: "), first
        child.send_signal(signal.SIGTERM)
        rest, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert rest.splitlines()[-1] == "Reminders stopped."
    assert "Traceback" not in err


def test_ctrl_c_stops_the_service_cleanly(tmp_path: Path) -> None:
    path = write(tmp_path, "[service]\nnotify = false\n")
    child = subprocess.Popen([sys.executable, "-m", "timer", "remind", "--mute", "--config", str(path)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        child.stdout.readline()
        child.send_signal(signal.SIGINT)
        rest, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert (child.returncode, rest.splitlines()[-1]) == (0, "Reminders stopped."), err


# -- how a reminder is given --


def test_reminder_is_printed_spoken_and_shown(tmp_path: Path, speaker: RecordingSpeaker) -> None:
    record = tmp_path / "notify.log"
    script = write(tmp_path, f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n', "notify-send")
    script.chmod(0o755)
    notifier = DesktopNotifier(str(script))
    out = io.StringIO()
    reminder = Reminder(WORKOUT, at(BERLIN, 2026, 11, 25, 18, 0), "Time for your leg workout. Two of three this week.")
    Announcer(speaker, out, notifier)(reminder)
    notifier.close()
    assert out.getvalue() == "2026-11-25 Wed 18:00  workout     Time for your leg workout. Two of three this week.\n"
    assert speaker.spoken == [Narration.of(Sound("chime"), reminder.message)]
    assert record.read_text().splitlines() == [
        "--app-name=Leg Coach", "--expire-time=60000", "--", "Leg Coach", reminder.message]


def test_missing_notify_send_is_skipped_quietly() -> None:
    notifier = DesktopNotifier("")
    notifier.notify("Leg Coach", "hello")
    notifier.close()


def test_move_break_routine_starts_with_the_reminder(speaker: RecordingSpeaker) -> None:
    started: list[Narration] = []
    reminder = Reminder(MOVE_BREAK, at(BERLIN, 2026, 11, 25, 10, 0), "Move break.")
    Announcer(speaker, io.StringIO(), None, started.append)(reminder)
    assert started == [Narration.of(Sound("chime"), "Move break.")]
    assert speaker.spoken == []


def test_move_break_routine_narrates_the_move_break_plan(speaker: RecordingSpeaker, clock: FakeClock) -> None:
    routine = move_break_routine(speaker, clock, clock.sleep, out=io.StringIO())
    intro = Narration.of(Sound("chime"), "Move break.")
    result = routine(intro)
    assert speaker.spoken[0] == intro
    assert getattr(result, "status", None) == "finished"
    text = " ".join(n.text.lower() for n in speaker.spoken)
    assert "calf" in text and "squat" in text and "march" in text
    assert 120 <= sum(clock.sleeps) <= 300  # a two-to-five-minute routine


def test_a_failing_reminder_does_not_stop_the_service(history: History,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    heard: list[Reminder] = []

    def announce(reminder: Reminder) -> None:
        if not heard:
            heard.append(reminder)
            raise OSError("audio device busy")
        heard.append(reminder)

    clock, stop = ManualClock(at(BERLIN, 2026, 11, 24, 9, 30)), threading.Event()
    service = ReminderService(load_config(), clock=clock, zone=BERLIN, history=history, announce=announce)
    service.run(stop, wait=Sleeper(clock, stop, at(BERLIN, 2026, 11, 24, 11, 30)))
    assert when(heard) == [("Tue 10:00", MOVE_BREAK), ("Tue 11:00", MOVE_BREAK)]
    assert capsys.readouterr().err == "warning: move-break reminder failed: audio device busy\n"


def test_nothing_enabled_is_a_settings_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[workout]\nenabled = false\n[move_break]\nenabled = false\n")
    assert main(["--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"python -m timer remind: error: {path}: workout and move_break are both disabled; nothing to remind\n")


def test_startup_line_warns_when_the_workout_time_is_in_quiet_hours(history: History) -> None:
    from timer.remind import summary

    config = load_config()
    config = replace(config, workout=replace(config.workout, at=time(22, 0)))
    service = ReminderService(config, clock=ManualClock(at(BERLIN, 2026, 11, 24, 9, 30)), zone=BERLIN,
                              history=history, announce=print)
    assert summary(config, service) == (
        "Reminders running (settings: built-in defaults); next at 2026-11-24 Tue 10:00. Ctrl-C stops. "
        "Note: the workout time 22:00 is inside quiet hours, so it never sounds.")
