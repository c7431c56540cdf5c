"""`python -m timer remind`: workout reminders and move breaks, in the foreground.

This is the shell around :mod:`timer.remind_schedule`: options, settings,
the real clock, the voice, desktop notifications, signals. Each reminder is
printed, spoken (speech's live speaker; ``--mute`` keeps it silent) and shown
with ``notify-send`` where it exists. Ctrl-C and SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from speech.model import Narration, Sound, Speaker
from timer.remind_rules import MOVE_BREAK
from timer.files import short
from timer.history import History, HistoryError
from timer.remind_schedule import UPCOMING_DAYS, Reminder, ReminderService, upcoming
from timer.reminders_config import ConfigError, RemindConfig, load_config

TITLE = "Leg Coach"
PROG = "python -m timer remind"
#: Exit statuses; the systemd unit does not restart on either (RestartPreventExitStatus).
BAD_SETTINGS, STORAGE = 2, 3
#: Most reminders ``--next`` prints (about four weeks of reminders at the busiest settings).
MAX_NEXT = 1000


class DesktopNotifier:
    """``notify-send`` in a child process: argv, no shell, never waited for."""

    def __init__(self, program: str | None = None) -> None:
        self.program = program if program is not None else shutil.which("notify-send")
        self._children: list[subprocess.Popen[bytes]] = []

    def notify(self, title: str, body: str) -> None:
        if not self.program:
            return
        self._children = [child for child in self._children if child.poll() is None]
        argv = [self.program, f"--app-name={TITLE}", "--expire-time=60000", "--", title, body]
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            return
        self._children.append(child)

    def close(self, timeout: float = 2.0) -> None:
        for child in self._children:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()


class Announcer:
    """Prints, speaks and shows a reminder; runs the move-break routine if asked."""

    def __init__(
        self,
        speaker: Speaker,
        out: TextIO,
        notifier: DesktopNotifier | None = None,
        routine: Callable[[Narration], object] | None = None,
    ) -> None:
        self.speaker, self.out, self.notifier, self.routine = speaker, out, notifier, routine

    def __call__(self, reminder: Reminder) -> None:
        print(reminder.line(), file=self.out, flush=True)
        if self.notifier is not None:
            self.notifier.notify(TITLE, reminder.message)
        spoken = Narration.of(Sound("chime"), reminder.message)
        if reminder.kind == MOVE_BREAK and self.routine is not None:
            self.routine(spoken)  # the reminder is the routine's introduction
        else:
            self.speaker.speak(spoken)


class Stopped(BaseException):
    """Raised by the SIGTERM handler to leave the loop, as SIGINT raises KeyboardInterrupt.

    (Calling ``Event.set()`` inside a signal handler could deadlock if the
    signal lands while the main thread holds the Event's own lock.)
    """


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def _whole(text: str) -> int:
    """A whole number; its range is checked with the settings (one line each)."""
    try:
        return int(text) if len(text) < 12 else 10**12
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text[:40]!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``remind``, for timer.cli's subcommand registry."""
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="settings file (default: ~/.config/leg-coach/remind.toml if present)")
    parser.add_argument("--every", type=_whole, metavar="MINUTES",
                        help="minutes between move breaks (studies break up sitting every 20-30)")
    parser.add_argument("--next", type=_whole, metavar="N", dest="next_count",
                        help=f"print the next N reminders (1 to {MAX_NEXT}) and exit")
    parser.add_argument("--mute", action="store_true", help="print and notify, but do not speak")


def run(args: argparse.Namespace, *, now: Callable[[tzinfo], datetime] = datetime.now) -> int:
    """Run ``remind`` with parsed options; 2 and one line on stderr for bad settings.

    ``now`` gives the current time in a zone; tests pass a fixed instant.
    """
    try:
        config = load_config(args.config)
        if args.every is not None:
            config = config.with_every(args.every)
        if not (config.workout.enabled or config.move_break.enabled):
            raise ConfigError(f"{config.source}: workout and move_break are both disabled; nothing to remind")
        if args.next_count is not None and not 1 <= args.next_count <= MAX_NEXT:
            raise ConfigError(f"--next: must be from 1 to {MAX_NEXT} (got {args.next_count})")
    except ConfigError as error:
        return _fail(str(error), BAD_SETTINGS)
    zone = config.zone()
    try:
        if args.next_count is None:
            return serve(config, zone, mute=args.mute, now=now)
        with _open_history() as history:
            found = upcoming(config, zone, history, now(zone), args.next_count)
        for reminder in found:
            print(reminder.line())
        if len(found) < args.next_count:
            print(f"({len(found)} reminders in the next {UPCOMING_DAYS} days; --next looks no further)",
                  file=sys.stderr)
    except HistoryError as error:
        return _fail(str(error), STORAGE)
    return 0


def _fail(message: str, status: int) -> int:
    print(short(" ".join(f"{PROG}: error: {message}".split()), 200), file=sys.stderr, flush=True)
    return status


def _open_history() -> History:
    """The history for reading (a read-only one will do); says if a damaged file was moved aside."""
    history = History(read_only_ok=True)
    if history.moved_aside is not None:
        print(f"{short(history.path, 70)}: was damaged; kept as {history.moved_aside.name} and started a new history",
              file=sys.stderr, flush=True)
    return history


def serve(config: RemindConfig, zone: tzinfo, *, mute: bool = False,
          now: Callable[[tzinfo], datetime] = datetime.now) -> int:
    """The foreground service: until Ctrl-C or SIGTERM, then exit 0."""
    from speech.live import make_speaker
    from speech.tts import VoiceOptions

    speaker = make_speaker(VoiceOptions(), mute=mute)
    notifier = DesktopNotifier() if config.notify else None
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _stop)
        routine = move_break_routine(speaker) if config.move_break.routine else None
        with _open_history() as history:
            announce = Announcer(speaker, sys.stdout, notifier, routine)
            service = ReminderService(config, clock=lambda: now(zone), zone=zone,
                                      history=history, announce=announce, log=sys.stdout)
            print(summary(config, service), flush=True)
            service.run(threading.Event())
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        speaker.close()
        if notifier is not None:
            notifier.close()
    print("Reminders stopped.", flush=True)
    return 0


def summary(config: RemindConfig, service: ReminderService) -> str:
    """The first line the service prints: settings used and the next reminder."""
    upcoming_run = service.scheduler.get_next_run()
    after = f"next at {upcoming_run.astimezone(service.zone):%Y-%m-%d %a %H:%M}" if upcoming_run else "none due"
    warning = ""
    if config.workout.enabled and config.workout.at in config.quiet_hours:
        warning = f" Note: the workout time {config.workout.at:%H:%M} is inside quiet hours, so it never sounds."
    return f"Reminders running (settings: {config.source}); {after}. Ctrl-C stops.{warning}"


def move_break_routine(speaker: Any, clock: Callable[[], float] = time.monotonic,
                       sleep: Callable[[float], object] = time.sleep,
                       out: TextIO | None = None) -> Callable[[Narration], object]:
    """Narrates the built-in "move-break" plan, the reminder as its introduction.

    The plan's voice is rendered once, here, so each break starts at once. A
    move break is not a leg workout: it is not written to the history.
    """
    from timer.plans import load_plan
    from timer.runner import Runner
    from timer.session import prepare_timeline

    timeline = prepare_timeline(load_plan("move-break"), speaker, out or sys.stdout)

    def routine(intro: Narration) -> object:
        speaker.prepare([intro])
        seconds = speaker.seconds(intro) or intro.estimated_seconds()
        return Runner(timeline, speaker, clock, sleep, intro=intro, intro_seconds=seconds).run()

    return routine


def main(argv: list[str] | None = None, *, now: Callable[[tzinfo], datetime] = datetime.now) -> int:
    parser = argparse.ArgumentParser(prog=PROG,
                                     description="Workout reminders and move breaks, spoken and shown.")
    add_arguments(parser)
    return run(parser.parse_args(argv), now=now)


if __name__ == "__main__":
    sys.exit(main())
