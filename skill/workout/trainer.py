"""The trainer: runs one action of :mod:`skill.workout.flow` for a workout
handler, stores the new state atomically *before* the response is built,
logs the session in the history, and renders the speech within the turn
limit (LEGCOACH_TURN_SECONDS, default 90 s), with sound-library clips unless
LEGCOACH_WORKOUT_SOUNDS=off.

The trainer knows the stream mode only as a :class:`StreamMode` (the
:class:`~skill.workout.streamer.Streamer`, given to :func:`trainer_for`), so
the turn mode does not stand on the stream mode, nor the stream handlers on
the turn handlers: both find the one trainer of a coach here.

This module pulls in plans, the timer's compiler and the history database;
the workout handlers import it on the first workout request, so opening the
skill or answering a question never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.core import context
from skill.core.coach import Coach, Offer
from skill.core.context import RequestFacts
from skill.core.responses import Card, Reply, render, render_ssml, silent, ssml
from skill.core.device_time import local_now
from skill.workout import flow
from skill.workout.flow import Ctx, Outcome, words
from skill.workout.guide import guide_for, sounds_from_env, turn_seconds_from_env
from skill.workout.intents import (
    EXERCISE_SLOT,
    LEVEL_SLOT,
    MINUTES_SLOT,
    SECONDS_SLOT,
    level_named,
    parse_number,
)
from skill.workout.plan_spec import LEVELS, PlanSpec
from skill.workout.progress import STALE_AFTER, Event, Saved
from skill.questions import caution
from skill.workout.state import (
    MARKER,
    OFFER_CAUTION,
    OFFER_NEXT,
    OFFER_REPLACE,
    OFFER_RESTART,
    OFFER_START,
    PENDING_START,
)
from skill.workout.store import WorkoutStore
from skill.workout.stream import STREAM_KEY
from skill.workout.telling import TELLS, weekly_line
from speech.model import Narration
from timer.exercises import find_exercise, get_exercise, load_exercises
from timer.history import WEEKLY_GOAL

Action = Callable[..., Outcome]


class StreamMode(Protocol):
    """The workout played as one stream: what the trainer and the stream
    handlers ask of it (:class:`skill.workout.streamer.Streamer` is one)."""

    def start(self, handler_input: HandlerInput, level: str | None, minutes: int | None,
              exercise: str | None, before: Narration) -> Response | Narration: ...

    def can_resume(self, handler_input: HandlerInput) -> bool: ...

    def left_off(self, handler_input: HandlerInput) -> tuple[PlanSpec, int] | None: ...

    def steer(self, handler_input: HandlerInput, action: str, *, spoken: bool = True) -> Response: ...

    def event(self, handler_input: HandlerInput, kind: str) -> Response: ...

    def set_mode(self, handler_input: HandlerInput, mode: str) -> Response: ...


#: Makes the stream mode from the trainer's store and the coach's audio source.
StreamFactory = Callable[[WorkoutStore, Any], StreamMode]


class Trainer:
    """Runs workout actions for the handlers of one skill (one per coach)."""

    def __init__(self, coach: Coach, stream: StreamFactory, limit: float | None = None,
                 sounds: bool | None = None) -> None:
        self.coach = coach
        self.store = WorkoutStore(coach.visits.adapter)
        self.streamer = stream(self.store, coach.audio)  # the stream mode, beside the turns
        self.limit = limit if limit is not None else turn_seconds_from_env()
        self.sounds = sounds if sounds is not None else sounds_from_env()
        self.offers = {
            OFFER_NEXT: Offer(lambda hi: self.run(hi, flow.advance), lambda hi: self.run(hi, flow.not_ready)),
            OFFER_RESTART: Offer(lambda hi: self.run(hi, flow.restart),
                                 lambda hi: self.run(hi, flow.keep_place)),
            OFFER_START: Offer(lambda hi: self.begin(hi, None, None, None), self._declined),
            OFFER_CAUTION: Offer(self._cleared, self._not_cleared),
            OFFER_REPLACE: Offer(self._replace, self._keep),
        }

    def warm_up(self) -> None:
        """Compile each level's guide now (they are cached) rather than on a request."""
        for level in LEVELS:
            guide_for(PlanSpec(level), flow.turn_words(), self.limit, self.sounds)

    def _declined(self, handler_input: HandlerInput) -> Response:
        context.set_offer(handler_input, None)
        return render(handler_input, Reply(self.coach.prompt("offer_declined"), self.coach.prompt("reprompt")))

    def ctx(self, said: RequestFacts) -> Ctx:
        """What the flow's actions know of the request and of this skill."""
        return Ctx(said.now, self.limit, self.sounds, said.in_workout, self.store.tracks_finished)

    def run(self, handler_input: HandlerInput, action: Action, *args: Any) -> Response:
        """Run ``action``, store its state, log it, and answer."""
        said = context.facts(handler_input)
        ctx = self.ctx(said)
        envelope = handler_input.request_envelope
        outcome: Outcome = self.store.update(envelope, lambda saved: action(saved, ctx, *args),
                                             said.user_id, said.now)
        return self.respond(handler_input, outcome)

    def weekly(self, handler_input: HandlerInput, outcome: Outcome) -> str:
        said = context.facts(handler_input)
        count = self.store.week_count(said.user_id, outcome.saved, local_now(handler_input))
        return weekly_line(count, WEEKLY_GOAL)

    def respond(self, handler_input: HandlerInput, outcome: Outcome, card: Card | None = None) -> Response:
        """The response for ``outcome``; its speech is checked against the turn limit."""
        speech = outcome.speech
        if outcome.finished:
            speech += self.weekly(handler_input, outcome)
        context.put(handler_input, MARKER, outcome.marker)
        context.set_offer(handler_input, outcome.offer)
        context.put(handler_input, context.LAST, None)
        if not speech and outcome.reprompt is None:
            return silent(handler_input)
        reprompt = ssml(outcome.reprompt) if outcome.reprompt is not None else None
        return render_ssml(handler_input, ssml(speech, max_seconds=self.limit), reprompt, card)

    def start(self, handler_input: HandlerInput) -> Response:
        """ "Start a workout" with its level, length and exercise slots, any of them said."""
        level_id, level_said = slot(handler_input, LEVEL_SLOT)
        exercise, exercise_said = exercise_from(handler_input)
        level = level_id if level_id in LEVELS else level_named(level_said)
        if level_said and level is None:
            found = find_exercise(level_said)  # "start a squats workout"
            if found is None:
                return ask_again(handler_input, words("ask_level"))
            exercise = exercise or found.id
        if exercise_said and exercise is None:
            return ask_again(handler_input, unknown_exercise(exercise_said))
        minutes_said = slot(handler_input, MINUTES_SLOT)[1]
        minutes = parse_number(minutes_said)
        if minutes_said and (minutes is None or not 2 <= minutes <= 60):
            return ask_again(handler_input, words("ask_minutes"))
        before = Narration()
        if context.is_new_session(handler_input) and self.coach.visits.first_visit(handler_input):
            before = self.coach.prompt("disclaimer")
        return self.begin(handler_input, level, minutes, exercise, before)

    def begin(self, handler_input: HandlerInput, level: str | None, minutes: int | None,
              exercise: str | None, before: Narration = Narration(), *, replacing: bool = False
              ) -> Response:
        """A new workout; first asks whether to replace one in progress, and
        whether a doctor has said it's fine after a safety answer today."""
        context.put(handler_input, PENDING_START, [level, minutes, exercise])
        if not replacing:
            where = self._in_progress(handler_input)
            if where is not None:
                context.set_offer(handler_input, OFFER_REPLACE)
                question = Narration.of(words("replace_question", where=where))
                reprompt = Narration.of(words("replace_reprompt"))
                return render(handler_input, Reply(before + question, reprompt))
        said = caution.mentioned(handler_input, self.coach.visits.adapter)
        if said is None:
            context.put(handler_input, PENDING_START, None)
            return self._launch(handler_input, level, minutes, exercise, before)
        context.set_offer(handler_input, OFFER_CAUTION)
        question = Narration.of(words("doctor_question", mentioned=said))
        return render(handler_input, Reply(before + question, question))

    def _launch(self, handler_input: HandlerInput, level: str | None, minutes: int | None,
                exercise: str | None, before: Narration) -> Response:
        """The workout: as one stream where the device plays audio, else set by set."""
        streamed = self.streamer.start(handler_input, level, minutes, exercise, before)
        if isinstance(streamed, Response):
            return streamed
        return self.run(handler_input, flow.begin_workout, level, minutes, exercise, streamed)

    def _in_progress(self, handler_input: HandlerInput) -> str | None:
        """Where an unfinished, recent workout is, in words; None if there is none."""
        progress = self.store.load(handler_input.request_envelope).progress
        if progress is None or context.facts(handler_input).now - progress.updated_at >= STALE_AFTER:
            return None
        return progress.at or words("where_you_stopped")

    def _pending(self, handler_input: HandlerInput) -> list[Any]:
        asked = context.get(handler_input, PENDING_START)
        return asked if isinstance(asked, list) and len(asked) == 3 else [None, None, None]

    def _replace(self, handler_input: HandlerInput) -> Response:
        """ "Yes", start a new workout instead of the one in progress."""
        return self.begin(handler_input, *self._pending(handler_input), replacing=True)

    def _keep(self, handler_input: HandlerInput) -> Response:
        """ "No": carry on with the workout in progress."""
        context.put(handler_input, PENDING_START, None)
        return self.act(handler_input, "resume")

    def more_rest(self, handler_input: HandlerInput) -> Response:
        """ "Ten more seconds" (any number said, within limits)."""
        said = parse_number(slot(handler_input, SECONDS_SLOT)[1]) or 10
        low, high = MORE_REST_RANGE
        high = min(high, int(self.limit) - 15)  # room for the words around the rest
        return self.run(handler_input, flow.more_rest, max(low, min(high, said)))

    def _cleared(self, handler_input: HandlerInput) -> Response:
        """ "Yes", a doctor said it's fine: the workout asked for."""
        caution.forget(handler_input, self.coach.visits.adapter)
        level, minutes, exercise = self._pending(handler_input)
        context.put(handler_input, PENDING_START, None)
        return self._launch(handler_input, level, minutes, exercise, Narration.of(words("doctor_cleared")))

    def _not_cleared(self, handler_input: HandlerInput) -> Response:
        """ "No": no workout today, and what to do instead."""
        context.put(handler_input, PENDING_START, None)
        context.set_offer(handler_input, None)
        return render(handler_input, Reply(Narration.of(words("not_yet")), self.coach.prompt("reprompt")))

    # The workout's actions (skill.workout.flow), one for each handler.

    def act(self, handler_input: HandlerInput, name: str) -> Response:
        """Run the action named ``name``: one of :data:`ACTIONS`. "Resume" plays
        a saved stream on a device that can."""
        if name == "resume":
            if self.streamer.can_resume(handler_input):
                return self.streamer.steer(handler_input, "resume")
            left = self.streamer.left_off(handler_input)
            if left is not None:
                return self._resume_stream_by_turns(handler_input, *left)
        return self.run(handler_input, ACTIONS[name])

    def _resume_stream_by_turns(self, handler_input: HandlerInput, spec: PlanSpec, block: int) -> Response:
        """ "Resume" of a saved stream that cannot play here: set by set from
        its place, the stream forgotten in the same write (unless a turn
        workout is saved too: that one is resumed)."""
        said = context.facts(handler_input)
        ctx = self.ctx(said)

        def change(attributes: dict[str, Any]) -> tuple[Outcome, dict[str, Any], tuple[Event, ...]]:
            saved = Saved.from_attributes(attributes)
            if saved.progress is not None:
                outcome = flow.resume(saved, ctx)
                return outcome, outcome.saved.into(attributes), tuple(outcome.events)
            outcome = flow.from_stream(saved, ctx, spec, block)
            stored = outcome.saved.into(attributes)
            stored.pop(STREAM_KEY, None)
            return outcome, stored, tuple(outcome.events)

        outcome = self.store.write(handler_input.request_envelope, change, said.user_id, said.now)
        return self.respond(handler_input, outcome)

    def tell(self, handler_input: HandlerInput, what: str) -> Response:
        """ "sets_left" or "whats_next", then back to the workout."""
        return self.run(handler_input, flow.tell, TELLS[what])

    def aside(self, handler_input: HandlerInput, said: Narration) -> Response:
        """``said`` mid-workout, then the way back to it."""
        return self.run(handler_input, flow.aside, said)

    def answer(self, handler_input: HandlerInput, reply: Reply, offer: str | None) -> Response:
        """An answer to a question mid-workout, then the way back to it."""
        said = context.facts(handler_input)
        ctx = self.ctx(said)
        outcome = self.store.update(
            handler_input.request_envelope,
            lambda saved: flow.aside(saved, ctx, reply.speech, reply.reprompt, offer), said.user_id, said.now)
        return self.respond(handler_input, outcome, reply.card)

    def form(self, handler_input: HandlerInput, exercise: str | None) -> Response | None:
        """How to do ``exercise`` (else the one under way) mid-workout; None
        when no exercise is known."""
        saved = self.store.load(handler_input.request_envelope)
        exercise = exercise or flow.current_exercise(saved, self.ctx(context.facts(handler_input)))
        if exercise is None:
            return None
        return self.aside(handler_input, Narration.of(flow.form_text(exercise)))

    def stray_words(self, handler_input: HandlerInput) -> str | None:
        """The words of the start's level and exercise slots that name no
        level and no exercise, put back as asked: the level slot's sit before
        "workout" in every sample ("{level} workout", "start the {level} leg
        workout"). None when every word said names one."""
        level_id, level_said = slot(handler_input, LEVEL_SLOT)
        exercise, exercise_said = exercise_from(handler_input)
        stray = []
        if (level_said and level_id not in LEVELS and level_named(level_said) is None
                and find_exercise(level_said) is None):
            stray.append(f"{level_said} workout")
        if exercise_said and exercise is None:
            stray.append(exercise_said)
        return " ".join(stray) or None

    def exercise_said(self, handler_input: HandlerInput) -> tuple[str | None, str | None]:
        """(exercise id, spoken words) of the request's exercise slot."""
        return exercise_from(handler_input)

    def how_to(self, exercise_id: str) -> tuple[str, str]:
        """(the exercise's name as in "how do I do a squat", its form cues)."""
        return get_exercise(exercise_id).singular, flow.form_text(exercise_id)

    def week(self, handler_input: HandlerInput) -> Narration:
        """ "Two workouts this week, ..." in the user's own week (their time zone)."""
        user = context.facts(handler_input).user_id
        saved = self.store.load(handler_input.request_envelope, user)
        count = self.store.week_count(user, saved, local_now(handler_input))
        return Narration.of(weekly_line(count, WEEKLY_GOAL))

    def leave(self, handler_input: HandlerInput) -> Narration:
        """ "Go home" mid-workout: the place saved; what to say before the welcome."""
        said = context.facts(handler_input)
        ctx = self.ctx(said)
        outcome = self.store.update(handler_input.request_envelope, lambda saved: flow.leave(saved, ctx),
                                    said.user_id, said.now)
        return outcome.speech


_TRAINER = "_workout_trainer"


def trainer_for(coach: Coach, stream: StreamFactory) -> Trainer:
    """The coach's one :class:`Trainer`, made on first use with ``stream``
    (the turn handlers and the stream handlers both give the Streamer).
    Kept on the coach itself: in a table keyed weakly by coach, the trainer
    (which holds its coach) would keep every coach and its store alive."""
    found = vars(coach).get(_TRAINER)
    if isinstance(found, Trainer):
        return found
    trainer = vars(coach)[_TRAINER] = Trainer(coach, stream)
    return trainer


#: The actions a handler runs by name.
ACTIONS: dict[str, Action] = {
    "advance": flow.advance, "resume": flow.resume, "pause": flow.pause, "skip": flow.skip,
    "back": flow.back, "repeat": flow.repeat, "stop": flow.stop, "ended": flow.ended,
    "skip_rest": flow.skip_rest, "restart_set": flow.restart_set,
}
#: "N more seconds" of rest: at least this, at most that (and always within the turn limit).
MORE_REST_RANGE = (5, 60)


def ask_again(handler_input: HandlerInput, text: str) -> Response:
    context.set_offer(handler_input, None)
    said = Narration.of(text)
    return render(handler_input, Reply(said, said))


def slot(handler_input: HandlerInput, name: str) -> tuple[str | None, str | None]:
    """(resolved value id, spoken value) of a slot; either may be None."""
    found = get_slot(handler_input, name)
    if found is None:
        return None, None
    resolved = None
    authorities = found.resolutions.resolutions_per_authority if found.resolutions else None
    for authority in authorities or ():
        value = authority.values[0].value if authority.values else None
        if authority.status and authority.status.code == StatusCode.ER_SUCCESS_MATCH and value:
            resolved = value.id
            break
    return resolved, (found.value or None)


def exercise_from(handler_input: HandlerInput, name: str = EXERCISE_SLOT) -> tuple[str | None, str | None]:
    """(exercise id, spoken words) from a slot; the id is None if unknown."""
    resolved, said = slot(handler_input, name)
    if resolved in load_exercises():
        return resolved, said
    found = find_exercise(said) if said else None
    return (found.id if found else None), said


def unknown_exercise(said: str) -> str:
    return words("unknown_exercise", words=said)
