"""Guided workouts: start, next, resume, pause, skip, back, repeat, stop.

Every handler runs one action of :mod:`skill.workout.flow` through the
:class:`~skill.workout.trainer.Trainer`: the action reads the user's saved
workout and returns the new state and what to say; the trainer stores the
state atomically *before* the response is built, logs the session and
renders the speech within the turn limit.

While a workout is under way in a session, the session attribute
``workout`` is set ("active" or "paused"); the built-in intents (stop,
cancel, repeat, help, fallback, questions) then mean workout things. "Yes"
and "no" answer the workout's questions through the offers registered here
(see :mod:`skill.questions.followups`).

This module stays cheap to import and its ``can_handle`` methods read only
the request: the trainer, the flow and the timer behind them are imported
when a workout request is handled, not when the skill starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler, Offer, RequestTypeHandler
from skill.workout.intents import BACK_INTENT, NEXT_INTENT, RESUME_INTENT, SKIP_INTENT, START_INTENT
from skill.workout.state import MARKER, OFFER_NEXT, OFFER_RESTART, OFFER_START, in_workout

if TYPE_CHECKING:
    from skill.workout.trainer import Trainer


def trainer_of(coach: Coach) -> Trainer:
    """The coach's :class:`~skill.workout.trainer.Trainer`. Its module (plans,
    the timer's compiler, history) is imported on the first workout request."""
    from skill.workout.trainer import Trainer

    return Trainer.of(coach)


def add_offers(coach: Coach) -> None:
    """Register the workout's yes/no offers on ``coach``; they reach the
    trainer only when answered."""
    for name in (OFFER_NEXT, OFFER_RESTART, OFFER_START):
        coach.offers[name] = _offer(coach, name)


def _offer(coach: Coach, name: str) -> Offer:
    def yes(handler_input: HandlerInput) -> Response:
        return trainer_of(coach).offers[name].yes(handler_input)

    def no(handler_input: HandlerInput) -> Response:
        return trainer_of(coach).offers[name].no(handler_input)

    return Offer(yes, no)


class _WorkoutHandler(IntentHandler):
    def __init__(self, coach: Coach) -> None:
        super().__init__(coach)
        add_offers(coach)

    @property
    def trainer(self) -> Trainer:
        return trainer_of(self.coach)


class StartWorkoutHandler(_WorkoutHandler):
    """ "Start a workout", "start an advanced workout", "give me a ten minute
    leg workout", "just squats"; one-shot included."""

    intents = (START_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.start(handler_input)


class WorkoutNextHandler(_WorkoutHandler):
    """ "Next", "ready", "let's go": the next set (resumes in a new session)."""

    intents = (NEXT_INTENT, "AMAZON.NextIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import advance

        return self.trainer.run(handler_input, advance)


class WorkoutMoreHandler(_WorkoutHandler):
    """ "Go on" / "keep going" (MoreIntent samples) after "Ready for ...?"."""

    intents = ("MoreIntent",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input) and in_workout(handler_input)
                and context.pending_offer(handler_input) == OFFER_NEXT)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import advance

        return self.trainer.run(handler_input, advance)


class WorkoutResumeHandler(_WorkoutHandler):
    """ "Resume my workout" (also next time, weeks later) and "resume"."""

    intents = (RESUME_INTENT, "AMAZON.ResumeIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import resume

        return self.trainer.run(handler_input, resume)


class WorkoutPauseHandler(_WorkoutHandler):
    intents = ("AMAZON.PauseIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import pause

        return self.trainer.run(handler_input, pause)


class WorkoutSkipHandler(_WorkoutHandler):
    intents = (SKIP_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import skip

        return self.trainer.run(handler_input, skip)


class WorkoutBackHandler(_WorkoutHandler):
    intents = (BACK_INTENT, "AMAZON.PreviousIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import back

        return self.trainer.run(handler_input, back)


class _InWorkout(_WorkoutHandler):
    """A built-in intent that means something else during a workout."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and in_workout(handler_input)


class WorkoutRepeatHandler(_InWorkout):
    """ "Repeat" during a workout: the current turn again."""

    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import repeat

        return self.trainer.run(handler_input, repeat)


class WorkoutStopHandler(_InWorkout):
    """Stop or cancel mid-workout: the place is saved, and how to come back is said."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import stop

        return self.trainer.run(handler_input, stop)


class WorkoutSessionEndedHandler(RequestTypeHandler):
    """The session ended during a workout (silence, "exit"): the place is saved."""

    request_types = ("SessionEndedRequest",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and context.get(handler_input, MARKER) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import ended

        return trainer_of(self.coach).run(handler_input, ended)

