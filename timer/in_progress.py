"""Starting a workout while another is in progress: ask first.

Only the latest unfinished workout can be resumed, so starting a new one
sets the old one aside for good. On a terminal the timer asks (new, resume
or nothing); without one (a script, a pipe) it starts the new workout and
says in one line what it set aside. ``run --new`` starts without asking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from timer.history import History, HistoryError, Session
from timer.plans import Plan
from timer.session import Start, resume_hint, resume_start

#: Asks a question, returns the answer typed (``input``); EOFError for none.
Ask = Callable[[str], str]


def choose_start(history: History, plan: Plan, place: Callable[[Session], str], *, new: bool,
                 ask: Ask | None, out: IO[str], err: IO[str]) -> Start | None:
    """What ``run PLAN`` starts: the plan, the saved workout (resume), or None (nothing)."""
    saved = history.unfinished()
    if saved is None or new:
        return Start(plan)
    what = f"{saved.plan_name}, stopped at {place(saved)}"
    if ask is None:
        _set_aside(history, saved)
        err.write(f"An unfinished workout ({what}) was set aside for this one.\n")
        return Start(plan)
    try:
        answer = ask(f"A workout is in progress ({what}). Start a new one? [y] new  [r] resume  [N] no: ")
    except EOFError:
        answer = ""
    answer = answer.strip().lower()
    if answer in ("y", "yes", "new"):
        _set_aside(history, saved)
        return Start(plan)
    if answer in ("r", "resume"):
        return resume_start(history)
    out.write(f"Nothing started. Continue it with: {resume_hint()}\n")
    return None


def _set_aside(history: History, saved: Session) -> None:
    try:
        history.abandon(saved.id)
    except HistoryError:
        pass  # the new workout will say once that the history cannot be written
