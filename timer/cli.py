"""``python -m timer``: run, show and render workouts; list plans and history.

    python -m timer                       # the default plan, with voice
    python -m timer run [PLAN | --plan-file FILE] [--speed X] [--voice NAME]
                        [--rate WPM] [--volume V] [--mute] [--plain]
                        [--resume] [--events FILE]
    python -m timer show [PLAN | --plan-file FILE]
    python -m timer render [PLAN | --plan-file FILE] -o FILE.wav [--timeline FILE.json]
    python -m timer plans
    python -m timer history
    python -m timer remind ...

Subcommands live in :data:`COMMANDS` (name -> help, arguments, handler), so
adding one is one entry. A user's mistake is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import NoReturn

from speech.paths import audio_cache_dir
from speech.tts import MAX_RATE, MIN_RATE, TTSError, TTSUnavailable, UnknownVoice, VoiceOptions
from timer import remind
from timer.compiler import compile_plan
from timer.display import clock_text
from timer.files import FileProblem, check_writable, short
from timer.hints import timer_command
from timer.history import History, HistoryError, Session
from timer.in_progress import choose_start
from timer.plans import DEFAULT_PLAN, Plan, PlanError, builtin_plans, load_plan, load_plan_file
from timer.plans import loads_plan, resolve_plan
from timer.reminders_config import local_zone
from timer.session import RunOptions, Start, resume_hint, resume_start, run_workout, week_line, where

PROG = "python -m timer"
#: Exit status when the workout history cannot be used (a full disk, a read-only
#: folder...): the reminders' systemd unit does not restart on it.
STORAGE_EXIT = 3
#: Longest error line: a quoted value or path is cut in the middle to fit.
MAX_LINE = 200
MIN_SPEED, MAX_SPEED = 0.1, 10000
MAX_LIMIT = 100_000

#: The current time in a zone, as ``datetime.now``; tests pass a fixed instant.
Now = Callable[[tzinfo], datetime]


class UsageError(Exception):
    """A bad command line or input: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its arguments and what it does."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[..., int]  # (args, *, now: Now) -> exit status


# -- argument types --

def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {short(text)!r}") from None
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}, got {short(text)!r}")
    return value


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) < 30 else high + 1
        except ValueError:
            value = high + 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low:,} to {high:,}, got {short(text)!r}")
        return value
    return parse


def _rate(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not MIN_RATE <= value <= MAX_RATE:
        raise argparse.ArgumentTypeError(
            f"must be {MIN_RATE} to {MAX_RATE} words per minute, got {short(text)!r}")
    return value


def _volume(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0.0 to 1.0, got {short(text)!r}")
    return value


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", nargs="?", metavar="PLAN",
                        help=f"a built-in plan (see `plans`; default {DEFAULT_PLAN}) or a plan file")
    parser.add_argument("--plan-file", type=Path, metavar="FILE", help="your own plan (TOML)")


def _voice_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--voice", metavar="NAME", help="voice id, name or language (python -m speech voices)")
    parser.add_argument("--rate", type=_rate, default=VoiceOptions.rate, metavar="WPM",
                        help=f"speaking rate in words per minute (default {VoiceOptions.rate})")
    parser.add_argument("--volume", type=_volume, default=VoiceOptions.volume, metavar="V",
                        help="volume from 0.0 to 1.0 (default 1.0)")


def _plan(args: argparse.Namespace) -> Plan:
    if args.plan and args.plan_file:
        raise UsageError("give a plan name or --plan-file, not both")
    if args.plan_file:
        return load_plan_file(args.plan_file)
    return resolve_plan(args.plan) if args.plan else load_plan(DEFAULT_PLAN)


def _voice(args: argparse.Namespace) -> VoiceOptions:
    return VoiceOptions(args.voice, args.rate, args.volume)


def _writable(path: Path, what: str) -> None:
    """Fail early (before any work) if ``path`` cannot be written."""
    check_writable(path, what)


# -- run --

def _run_arguments(parser: argparse.ArgumentParser) -> None:
    _plan_arguments(parser)
    parser.add_argument("--speed", type=_speed, default=1.0, metavar="X",
                        help="run X times faster, for demos and tests (default 1); "
                             "a run at another speed is recorded as a demo and never counted")
    _voice_arguments(parser)
    parser.add_argument("--mute", action="store_true", help="no voice: cues on screen only")
    parser.add_argument("--plain", action="store_true", help="plain lines instead of the live panel")
    parser.add_argument("--resume", action="store_true",
                        help="continue the latest unfinished workout where it stopped")
    parser.add_argument("--new", action="store_true",
                        help="start the plan without asking, even if a workout is in progress")
    parser.add_argument("--events", type=Path, metavar="FILE",
                        help="write each fired cue as a JSON line {planned, actual, text}")


def open_history(now: Now = datetime.now, *, read_only_ok: bool = True) -> History:
    """The history, saying on stderr if a damaged file was moved aside."""
    history = History(clock=lambda: now(timezone.utc), read_only_ok=read_only_ok)
    if history.moved_aside is not None:
        print(one_line(f"{short(history.path, 70)}: was damaged; kept as {history.moved_aside.name} "
                       "and started a new history"), file=sys.stderr)
    return history


def cmd_run(args: argparse.Namespace, *, now: Now = datetime.now) -> int:
    options = RunOptions(speed=args.speed, voice=_voice(args), mute=args.mute,
                         events=args.events, plain=args.plain)
    if args.events is not None:
        _writable(args.events, "events file")
    if args.resume and (args.plan or args.plan_file):
        raise UsageError("--resume continues the saved workout; give no plan with it")
    plan = None if args.resume else _plan(args)
    try:
        history = open_history(now)
    except HistoryError as err:
        if plan is None:
            raise
        return run_workout(Start(plan), options, None, problem=str(err))
    with history:
        if plan is None:
            start: Start | None = resume_start(history)
        else:
            ask = input if sys.stdin.isatty() and sys.stdout.isatty() else None
            start = choose_start(history, plan, _where, new=args.new, ask=ask, out=sys.stdout, err=sys.stderr)
        return 0 if start is None else run_workout(start, options, history)


# -- show, plans --

def cmd_show(args: argparse.Namespace, *, now: Now = datetime.now) -> int:
    timeline = compile_plan(_plan(args))
    for cue in timeline.cues:
        print(f"{clock_text(cue.offset):>6}  {cue.text}")
    return 0


def cmd_plans(args: argparse.Namespace, *, now: Now = datetime.now) -> int:
    for name in builtin_plans():
        plan = load_plan(name)
        print(f"{name:<14} {clock_text(compile_plan(plan).length):>6}  {plan.title}")
    return 0


# -- render --

def _render_arguments(parser: argparse.ArgumentParser) -> None:
    _plan_arguments(parser)
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wav",
                        help="where to write the session audio")
    parser.add_argument("--timeline", type=Path, metavar="FILE.json",
                        help="also write the cues as JSON: [{offset, text, kind}, ...]")
    _voice_arguments(parser)


def cmd_render(args: argparse.Namespace, *, now: Now = datetime.now) -> int:
    from speech.cache import AudioCache
    from speech.tts import resolve_voice
    from timer.render import write_session

    plan, options = _plan(args), _voice(args)
    _writable(args.output, "output")
    if args.timeline is not None:
        _writable(args.timeline, "timeline file")
    resolve_voice(options.voice)
    timeline = write_session(plan, AudioCache(audio_cache_dir(), options), args.output, args.timeline)
    print(f"{args.output}: {plan.title}, {clock_text(timeline.length)}, {len(timeline.cues)} cues")
    return 0


# -- history --

def _history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=whole_number(0, MAX_LIMIT), default=20, metavar="N",
                        help=f"show the last N sessions, 0 to {MAX_LIMIT:,} (default 20)")


def _history_line(s: Session) -> str:
    when = s.started.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
    if s.status == "finished" and s.ended is not None:
        took = clock_text((s.ended - s.started).total_seconds())
        state = f"finished in {took}"
    elif s.resumable:
        state = f"stopped at {_where(s)} ({clock_text(s.offset)} in)"
    else:
        state = s.status
    return f"{when}  {s.plan_name:<14} {state}" + (" (demo)" if s.demo else "")


def _where(s: Session) -> str:
    """Where a saved session stopped, in words, if its plan can still be read."""
    try:
        plan = loads_plan(s.plan_toml) if s.plan_toml else load_plan(s.plan_name)
        return where(compile_plan(plan).blocks[s.block])
    except (PlanError, IndexError):
        return f"block {s.block + 1}"


def cmd_history(args: argparse.Namespace, *, now: Now = datetime.now) -> int:
    with open_history(now) as history:
        sessions = history.sessions(limit=args.limit)
        for s in sessions:
            print(_history_line(s))
        if not sessions:
            print(f"No workouts yet. Start one with: {timer_command()}")
        if history.unfinished() is not None:
            print(f"Continue the last one with: {resume_hint()}")
        print(week_line(history.week_count(now(local_zone()))))
    return 0


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


COMMANDS: dict[str, Command] = {
    "run": Command("run a workout with voice and a live display (the default)", _run_arguments, cmd_run),
    "show": Command("print a plan's timeline: time and cue", _plan_arguments, cmd_show),
    "render": Command("write a whole workout as one WAV file", _render_arguments, cmd_render),
    "plans": Command("list the built-in plans with their length", _no_arguments, cmd_plans),
    "history": Command("list past workouts and this week's count", _history_arguments, cmd_history),
    "remind": Command("workout reminders and move breaks, in the foreground",
                      remind.add_arguments, remind.run),
}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Leg Coach's narrated leg workouts. "
                     "With no command, runs the default plan.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.help, description=command.help[:1].upper()
                                  + command.help[1:] + ".")
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """No command means ``run``: ``python -m timer --speed 20`` runs the default plan."""
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        return ["run", *argv]
    return argv


def main(argv: Sequence[str] | None = None, *, now: Now = datetime.now) -> int:
    """The command line; ``now`` gives the current time in a zone (tests pass
    a fixed instant): the history's timestamps and this week's count use it."""
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(args_list)
        return int(args.handler(args, now=now))
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else 0
    except (UsageError, PlanError, UnknownVoice, FileProblem) as err:
        return _fail(str(err))
    except HistoryError as err:
        return _fail(str(err), status=STORAGE_EXIT)
    except TTSUnavailable as err:
        return _fail(f"text-to-speech is unavailable: {err}")
    except BrokenPipeError:  # `python -m timer show | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (TTSError, OSError) as err:
        return _fail(str(err), status=1)


def _fail(message: str, status: int = 2) -> int:
    print(one_line(f"{PROG}: error: {message}"), file=sys.stderr)
    return status


def one_line(message: str, limit: int = MAX_LINE) -> str:
    """``message`` on one line of at most ``limit`` characters (cut in the middle)."""
    return short(" ".join(message.split()), limit)
