"""What each workout request does to the saved state, and what the coach says.

Every action is a pure function ``(Saved, Ctx, ...) -> Outcome``: the skill
runs it inside the store's atomic read-modify-write, so the new state is
stored before the response leaves (see :mod:`skill.workout.progress` for the
progress rule). ``Outcome.events`` tell the history log what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from skill.core.prompts import load_words
from skill.workout.guide import Guide, guide_for
from skill.workout.plan_spec import DEFAULT_LEVEL, PlanSpec
from skill.workout.progress import (
    STALE_AFTER,
    Event,
    Progress,
    Saved,
    begin,
    delivered,
    heard_seconds,
    moved,
    settle,
)
from skill.workout.state import OFFER_NEXT, OFFER_RESTART
from skill.workout.turns import TurnWords
from speech.model import Narration, Pause
from timer.exercises import get_exercise, number_words


@dataclass(frozen=True)
class Ctx:
    """The request's circumstances."""

    now: datetime
    limit: float
    sounds: bool = True
    in_workout: bool = False  # a workout turn was given earlier in this Alexa session (RequestFacts.in_workout)
    track: bool = True        # keep finished times in the attributes (no history database)


@dataclass(frozen=True)
class Outcome:
    saved: Saved
    speech: Narration
    reprompt: Narration | None       # None ends the session
    offer: str | None = None
    marker: str | None = None        # session marker: "active", "paused"; None clears it
    events: tuple[Event, ...] = ()   # ("start", plan), ("progress", block, offset), ("quit",)...
    finished: bool = False


def words(name: str, **values: str) -> str:
    """The workout's words ``name`` (skill/core/prompts.toml, ``[workout]``), filled in."""
    return load_words("workout").pick(name, 0, **values)


@cache
def turn_words() -> TurnWords:
    """The words a guide's pieces say around the cues, from the same table."""
    return TurnWords.of(load_words("workout"))


def _say(*items: str | Narration) -> Narration:
    return Narration.of(*items)


def nothing(saved: Saved, text: str = "no_workout") -> Outcome:
    """``text`` (the name of the words to say): there is no workout to act on."""
    return Outcome(saved, _say(words(text)), _say(words("no_workout_reprompt")))


def ago(delta: timedelta) -> str:
    """ "a moment ago", "ten minutes ago", "yesterday", "two days ago", "three weeks ago"."""
    seconds = max(0.0, delta.total_seconds())
    minutes, hours, days = seconds / 60, seconds / 3600, delta.days
    if minutes < 2:
        return words("a_moment_ago")
    if hours < 1:
        return words("minutes_ago", number=number_words(int(minutes)))
    if hours < 24:
        return words("an_hour_ago") if hours < 2 else words("hours_ago", number=number_words(int(hours)))
    if days < 2:
        return words("yesterday")
    if days < 14:
        return words("days_ago", number=number_words(days))
    if days < 60:
        return words("weeks_ago", number=number_words(days // 7))
    if days < 730:
        return words("months_ago", number=number_words(min(days // 30, 999)))
    return words("over_a_year_ago")


def _guide(p: Progress, ctx: Ctx) -> tuple[Progress, Guide, Narration]:
    """The guide for ``p``; a plan changed since is picked up at the same set."""
    guide = guide_for(p.spec, turn_words(), ctx.limit, ctx.sounds)
    if guide.digest == p.digest and p.next < len(guide.pieces):
        return p, guide, Narration()
    starts = [i for i in range(len(guide.pieces))  # pieces that start a set or a move
              if guide.pieces[i].start == guide.block(i).start and guide.block(i).kind != "rest"]
    index = next((i for i in starts if guide.where(i) == p.at), 0)
    p = replace(moved(p, guide, index, ctx.now), digest=guide.digest, last=None, sent_at=None)
    return p, guide, _say(words("plan_changed"))


def _settled(p: Progress, guide: Guide, ctx: Ctx) -> Progress:
    heard = heard_seconds(p, ctx.now) if ctx.in_workout else 0.0
    return settle(p, guide, heard, ctx.now)


def reprompt_for(question: Narration) -> Narration:
    return question + words("keep_place")


def deliver_piece(saved: Saved, p: Progress, guide: Guide, index: int, prefix: Narration, ctx: Ctx,
            events: tuple[Event, ...] = ()) -> Outcome:
    """Piece ``index`` after ``prefix``; if both do not fit one response, only
    ``prefix`` and the question leading into the piece."""
    speech = guide.compose(prefix, index)
    if speech is None:
        question = guide.ask(index)
        p = moved(p, guide, index, ctx.now, status="active")
        return Outcome(replace(saved, progress=p), prefix + question, reprompt_for(question),
                       OFFER_NEXT, "active", events)
    piece = guide.pieces[index]
    events += (("progress", guide.block(index).index, piece.start),)
    if piece.question is None:
        finished = saved.finished + (ctx.now,) if ctx.track else saved.finished
        return Outcome(replace(saved, progress=None, finished=finished), speech, None,
                       events=events + (("finish",),), finished=True)
    p = delivered(p, guide, index, ctx.now, prefix.estimated_seconds())
    return Outcome(replace(saved, progress=p), speech, reprompt_for(piece.question), OFFER_NEXT,
                   "active", events)


def start(saved: Saved, ctx: Ctx, spec: PlanSpec, prefix: Narration = Narration()) -> Outcome:
    """A new workout from its first piece (any unfinished one is dropped)."""
    guide = guide_for(spec, turn_words(), ctx.limit, ctx.sounds)
    saved = replace(saved, level=spec.level)
    return deliver_piece(saved, begin(spec, guide, ctx.now), guide, 0, prefix, ctx, (("start", guide.plan),))


def advance(saved: Saved, ctx: Ctx) -> Outcome:
    """ "Next", "ready", "yes": the next piece."""
    if saved.progress is None:
        return nothing(saved)
    if not ctx.in_workout:
        return resume(saved, ctx)
    p, guide, note = _guide(saved.progress, ctx)
    prefix = note + (words("resuming") if p.status == "paused" else "")
    return deliver_piece(saved, p, guide, p.next, prefix, ctx)


def _past_rest(p: Progress, guide: Guide, ctx: Ctx) -> Progress:
    """Coming back another day, a rest left over from last time is skipped."""
    block, piece = guide.block(p.next), guide.pieces[p.next]
    if block.kind == "rest" and piece.start == block.start and p.next + 1 < len(guide.pieces):
        return moved(p, guide, p.next + 1, ctx.now)
    return p


def resume(saved: Saved, ctx: Ctx) -> Outcome:
    """ "Resume my workout": in this session, carry on; later, say when and
    where they stopped (offering a fresh start when that was long ago)."""
    if saved.progress is None:
        return nothing(saved, "nothing_to_resume")
    p, guide, note = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    if ctx.in_workout:
        prefix = note + (words("resuming") if p.status == "paused" else "")
        return deliver_piece(saved, p, guide, p.next, prefix, ctx, (("resume",),))
    p = _past_rest(p, guide, ctx)
    age = ctx.now - saved.progress.updated_at
    stopped = words("stopped_ago", ago=ago(age), where=guide.where(p.next))
    if age >= STALE_AFTER:
        question, reprompt = words("start_over_question"), words("start_over_reprompt")
        return Outcome(saved, _say(stopped, question), _say(reprompt), OFFER_RESTART, "paused")
    return deliver_piece(saved, p, guide, p.next, note + stopped + words("pick_up_there"), ctx, (("resume",),))


def from_stream(saved: Saved, ctx: Ctx, spec: PlanSpec, block: int) -> Outcome:
    """ "Resume" of a saved stream that cannot play here (its audio is not
    published, or this device has no audio player): the same workout set by
    set, from the piece where block ``block`` (the first of the stream's
    part) runs."""
    guide = guide_for(spec, turn_words(), ctx.limit, ctx.sounds)
    index = next((i for i in range(len(guide.pieces)) if guide.block(i).index >= block), 0)
    p = _past_rest(moved(begin(spec, guide, ctx.now), guide, index, ctx.now), guide, ctx)
    saved = replace(saved, progress=p, level=spec.level)
    prefix = _say(words("stream_to_turns", where=guide.where(p.next)))
    return deliver_piece(saved, p, guide, p.next, prefix, ctx, (("resume",),))


def restart(saved: Saved, ctx: Ctx) -> Outcome:
    """ "Yes" to starting a stale workout again: the same plan from the top."""
    if saved.progress is None:
        return nothing(saved)
    return start(saved, ctx, saved.progress.spec, _say(words("from_the_top")))


def keep_place(saved: Saved, ctx: Ctx) -> Outcome:
    """ "No" to starting again: carry on where they stopped."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, note = _guide(saved.progress, ctx)
    p = _past_rest(settle(p, guide, 0.0, ctx.now), guide, ctx)
    return deliver_piece(saved, p, guide, p.next, note + words("picking_up", where=guide.where(p.next)), ctx,
                   (("resume",),))


def _halt(saved: Saved, ctx: Ctx, status: str) -> tuple[Saved, Progress, Guide]:
    assert saved.progress is not None
    p, guide, _ = _guide(saved.progress, ctx)
    p = replace(_settled(p, guide, ctx), status=status, updated_at=ctx.now)
    return replace(saved, progress=p), p, guide


def pause(saved: Saved, ctx: Ctx) -> Outcome:
    if saved.progress is None:
        return nothing(saved, "nothing_to_pause")
    saved, p, guide = _halt(saved, ctx, "paused")
    reprompt = words("paused_reprompt", where=guide.where(p.next))
    return Outcome(saved, _say(words("paused")), _say(reprompt), OFFER_NEXT,
                   "paused")


def stop(saved: Saved, ctx: Ctx) -> Outcome:
    """Stop or cancel mid-workout: save the place, say how to come back, end."""
    if saved.progress is None:
        return Outcome(saved, _say(words("well_done")), None)
    saved, p, guide = _halt(saved, ctx, "stopped")
    return Outcome(saved, _say(words("stopped", where=guide.where(p.next))), None, events=(("quit",),))


def ended(saved: Saved, ctx: Ctx) -> Outcome:
    """The session closed by itself (silence, "exit", an error): save the place."""
    if saved.progress is None or saved.progress.status == "stopped":
        return Outcome(saved, Narration(), None)
    saved, _, _ = _halt(saved, ctx, "stopped")
    return Outcome(saved, Narration(), None, events=(("quit",),))


def _group_name(guide: Guide, index: int) -> str:
    first = guide.group_first(guide.pieces[index].group)
    name = guide.where(first)
    return name if first == index else words("rest_of", where=name)


def skip(saved: Saved, ctx: Ctx) -> Outcome:
    """Skip the set about to start (or the rest of the one under way)."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, _ = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    group = guide.pieces[p.next].group
    said = _say(words("skipping", what=_group_name(guide, p.next)))
    if group + 1 < guide.groups:
        return deliver_piece(saved, p, guide, guide.group_first(group + 1), said, ctx)
    finished = saved.finished + (ctx.now,) if ctx.track else saved.finished
    return Outcome(replace(saved, progress=None, finished=finished), said + guide.finale(), None,
                   events=(("finish",),), finished=True)


def back(saved: Saved, ctx: Ctx) -> Outcome:
    """Go back to the set before the one about to start."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, _ = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    group = guide.pieces[p.next].group
    if group == 0:
        return deliver_piece(saved, p, guide, 0, _say(words("back_at_start")), ctx)
    target = guide.group_first(group - 1)
    return deliver_piece(saved, p, guide, target, _say(words("going_back", where=guide.where(target))), ctx)


def repeat(saved: Saved, ctx: Ctx) -> Outcome:
    """The current piece again (or the question, if none was given yet)."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, note = _guide(saved.progress, ctx)
    if p.last is None:
        question = guide.ask(p.next)
        return Outcome(saved, note + question, reprompt_for(question), OFFER_NEXT, "active")
    return deliver_piece(saved, p, guide, p.last, note, ctx)


def aside(saved: Saved, ctx: Ctx, said: Narration, reprompt: Narration | None = None,
          offer: str | None = None) -> Outcome:
    """Something other than the workout (help, a question, form tips): the
    piece in flight is settled, and the user is told how to carry on."""
    if saved.progress is None:
        return Outcome(saved, said, reprompt or _say(words("no_workout_reprompt")), offer)
    p, guide, _ = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    saved = replace(saved, progress=p)
    if offer is None or offer == OFFER_NEXT:
        question = guide.ask(p.next)
        return Outcome(saved, said + question, reprompt_for(question), OFFER_NEXT, "active")
    back_to = words("carry_on_with", where=guide.where(p.next))
    return Outcome(saved, said + back_to, (reprompt or Narration()) + back_to, offer, "active")


def tell(saved: Saved, ctx: Ctx, told: Callable[[Guide, int], str]) -> Outcome:
    """ "How many sets are left" or "what's next": ``told(guide, next piece)``
    (:data:`skill.workout.telling.TELLS`)."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, _ = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    return aside(replace(saved, progress=p), ctx, _say(told(guide, p.next)))


def not_ready(saved: Saved, ctx: Ctx) -> Outcome:
    """ "No" to "Ready for lunges?": nothing changes."""
    keep = words("keep_place")
    return Outcome(saved, _say(words("no_rush"), keep), _say(keep), OFFER_NEXT, "active")


def begin_workout(saved: Saved, ctx: Ctx, level: str | None, minutes: int | None,
                  exercise: str | None, before: Narration = Narration()) -> Outcome:
    """ "Start a workout": the level asked for, else the last one used, else
    beginner (saying so the first time)."""
    chosen = level or saved.level or DEFAULT_LEVEL
    note = words("first_workout") if level is None and saved.level is None else ""
    return start(saved, ctx, PlanSpec(chosen, minutes, exercise), before + note)


def leave(saved: Saved, ctx: Ctx) -> Outcome:
    """Leaving the workout for the main menu: the place is saved."""
    if saved.progress is None:
        return Outcome(saved, Narration(), None)
    saved, _, _ = _halt(saved, ctx, "stopped")
    return Outcome(saved, _say(words("place_saved")), None, events=(("quit",),))


def current_exercise(saved: Saved, ctx: Ctx) -> str | None:
    """The exercise of the set about to start (or under way), if any."""
    if saved.progress is None:
        return None
    p, guide, _ = _guide(saved.progress, ctx)
    return guide.block(_settled(p, guide, ctx).next).exercise_id


def form_text(exercise_id: str) -> str:
    """The timer's own form cues for an exercise, the three most important."""
    ex = get_exercise(exercise_id)
    return f"{ex.name}. " + " ".join(ex.form_cues[:3])


def more_rest(saved: Saved, ctx: Ctx, seconds: int = 10) -> Outcome:
    """ "Ten more seconds": that much more rest, then the question again."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, note = _guide(saved.progress, ctx)
    p = _settled(p, guide, ctx)
    question = guide.ask(p.next)
    said = Narration.of(note, words("more_rest", seconds=number_words(seconds)), Pause(float(seconds)), question)
    return Outcome(replace(saved, progress=p), said, reprompt_for(question), OFFER_NEXT, "active")


def skip_rest(saved: Saved, ctx: Ctx) -> Outcome:
    """ "Skip the rest": the set just done counts and the next one starts now."""
    if saved.progress is None:
        return nothing(saved)
    if not ctx.in_workout:
        return resume(saved, ctx)
    p, guide, note = _guide(saved.progress, ctx)
    p = _past_rest(p, guide, ctx)
    return deliver_piece(saved, p, guide, p.next, note + _say(words("skipping_rest")), ctx)


def restart_set(saved: Saved, ctx: Ctx) -> Outcome:
    """ "Restart this set": the set under way (else the one about to start)
    again from its start; "back" is the set before."""
    if saved.progress is None:
        return nothing(saved)
    p, guide, note = _guide(saved.progress, ctx)
    current = p.last if p.last is not None and p.last < len(guide.pieces) else p.next
    target = guide.group_first(guide.pieces[current].group)
    return deliver_piece(saved, p, guide, target, note + _say(words("restarting", where=guide.where(target))), ctx)
