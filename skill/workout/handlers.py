"""Guided workouts: start, next, resume, pause, skip, back, repeat, stop; and
the questions around them: sets left, what's next, form, the week, help,
fallback, questions and "go home" while a workout is under way.

Every handler runs one action of :mod:`skill.workout.flow` through the
:class:`~skill.workout.trainer.Trainer`: the action reads the user's saved
workout and returns the new state and what to say; the trainer stores the
state atomically *before* the response is built, logs the session and
renders the speech within the turn limit. Asked during a workout, each
answer ends by asking whether the user is ready to carry on ("Ready for
lunges, set two of three?"), so "next" or "yes" picks the workout up again.

While a workout is under way in a session, the session attribute
``workout`` is set ("active" or "paused"); the built-in intents (stop,
cancel, repeat, help, fallback, questions) then mean workout things. "Yes"
and "no" answer the workout's questions through the offers registered here
(see :mod:`skill.questions.followups`).

The ``can_handle`` methods read only the request. :func:`trainer_of` is the
one place the workout machinery (the trainer, the flow, plans and the
timer's compiler: about 50 ms of imports) is loaded, on the first workout
request, so opening the skill or answering a question never pays for it.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler, Offer, RequestTypeHandler
from skill.core.prompts import load_words
from skill.core.responses import Reply, prefixed, render
from skill.questions import caution
from skill.questions.handlers import Answer, answer_text, answer_topic, asked, deliver
from skill.questions.intents import QUESTION_INTENT, WHY_QUESTION_INTENT
from skill.workout.intents import (
    BACK_INTENT,
    FORM_INTENT,
    MORE_REST_INTENT,
    NEXT_INTENT,
    RESTART_SET_INTENT,
    RESUME_INTENT,
    SETS_LEFT_INTENT,
    SKIP_INTENT,
    SKIP_REST_INTENT,
    START_INTENT,
    WEEKLY_INTENT,
    WHATS_NEXT_INTENT,
)
from skill.workout.state import (
    MARKER,
    OFFER_CAUTION,
    OFFER_NEXT,
    OFFER_REPLACE,
    OFFER_RESTART,
    OFFER_START,
    in_workout,
)
from speech.model import Narration

if TYPE_CHECKING:
    from skill.workout.trainer import Trainer


def spoken(name: str) -> Narration:
    """The workout's words ``name`` (skill/core/prompts.toml, ``[workout]``)."""
    return Narration.of(load_words("workout").pick(name))

def trainer_of(coach: Coach) -> Trainer:
    """The coach's :class:`~skill.workout.trainer.Trainer`, made on first use."""
    # The workout machinery loads here, on the first workout request: about 50 ms
    # of imports that opening the skill or answering a question never pays.
    from skill.workout.streamer import Streamer
    from skill.workout.trainer import trainer_for

    return trainer_for(coach, Streamer)


def add_workout_offers(coach: Coach) -> None:
    """Register the workout's yes/no offers on ``coach``; they reach the
    trainer only when answered."""
    for name in (OFFER_NEXT, OFFER_RESTART, OFFER_START, OFFER_CAUTION, OFFER_REPLACE):
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
        add_workout_offers(coach)

    @property
    def trainer(self) -> Trainer:
        return trainer_of(self.coach)


class _Action(_WorkoutHandler):
    """Runs the trainer's action named ``action``."""

    action = ""

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.act(handler_input, self.action)


class _InWorkout(_WorkoutHandler):
    """A built-in intent that means something else during a workout."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and in_workout(handler_input)


class StartWorkoutHandler(_WorkoutHandler):
    """ "Start a workout", "start an advanced workout", "give me a ten minute
    leg workout", "just squats"; one-shot included. A question the model
    heard as a start, its words in the level or exercise slot, is answered
    as the question it is (see :func:`asked_as_workout`)."""

    intents = (START_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        trainer = self.trainer
        stray = trainer.stray_words(handler_input)
        if stray is not None:
            answer = answer_words(self.coach, handler_input, stray)
            if asked_as_workout(self.coach, answer, stray):
                if in_workout(handler_input):
                    return answer_aside(trainer, handler_input, answer)
                return deliver(self.coach, handler_input, answer)
        return trainer.start(handler_input)


class WorkoutNextHandler(_Action):
    """ "Next", "ready", "let's go": the next set (resumes in a new session)."""

    intents, action = (NEXT_INTENT, "AMAZON.NextIntent"), "advance"


class WorkoutMoreHandler(_Action):
    """ "Go on" / "keep going" (MoreIntent samples) after "Ready for ...?"."""

    intents, action = ("MoreIntent",), "advance"

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (super().can_handle(handler_input) and in_workout(handler_input)
                and context.pending_offer(handler_input) == OFFER_NEXT)


class WorkoutResumeHandler(_Action):
    """ "Resume my workout" (also next time, weeks later) and "resume"."""

    intents, action = (RESUME_INTENT, "AMAZON.ResumeIntent"), "resume"


class WorkoutPauseHandler(_Action):
    intents, action = ("AMAZON.PauseIntent",), "pause"


class WorkoutSkipHandler(_Action):
    intents, action = (SKIP_INTENT,), "skip"


class WorkoutBackHandler(_Action):
    intents, action = (BACK_INTENT, "AMAZON.PreviousIntent"), "back"


class WorkoutSkipRestHandler(_Action):
    """ "Skip the rest": the next set now."""

    intents, action = (SKIP_REST_INTENT,), "skip_rest"


class WorkoutRestartSetHandler(_Action):
    """ "Restart this set": the set under way from its start ("back" is the set before)."""

    intents, action = (RESTART_SET_INTENT,), "restart_set"


class WorkoutMoreRestHandler(_WorkoutHandler):
    """ "Ten more seconds": more rest before the next set."""

    intents = (MORE_REST_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.more_rest(handler_input)


class WorkoutRepeatHandler(_InWorkout, _Action):
    """ "Repeat" during a workout: the current turn again."""

    intents, action = ("AMAZON.RepeatIntent",), "repeat"


class WorkoutStopHandler(_InWorkout, _Action):
    """Stop or cancel mid-workout: the place is saved, and how to come back is said."""

    intents, action = ("AMAZON.StopIntent", "AMAZON.CancelIntent"), "stop"


class WorkoutSessionEndedHandler(RequestTypeHandler):
    """The session ended during a workout (silence, "exit"): the place is saved."""

    request_types = ("SessionEndedRequest",)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and context.get(handler_input, MARKER) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        return trainer_of(self.coach).act(handler_input, "ended")


class WorkoutSetsLeftHandler(_WorkoutHandler):
    intents = (SETS_LEFT_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.tell(handler_input, "sets_left")


class WorkoutWhatsNextHandler(_WorkoutHandler):
    intents = (WHATS_NEXT_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.tell(handler_input, "whats_next")


def answer_aside(trainer: Trainer, handler_input: HandlerInput, answer: Answer) -> Response:
    """A question's answer during a workout, followed by the way back to it."""
    caution.note_answer(trainer.coach, handler_input, answer.topic_id)
    if answer.topic_id is not None:
        context.set_topic(handler_input, answer.topic_id, "answer")
    return trainer.answer(handler_input, answer.reply, answer.offer)


def answer_words(coach: Coach, handler_input: HandlerInput, text: str) -> Answer:
    """``text`` answered as a question; mid-workout without "shall we start a workout?"."""
    previous = context.last_topic(handler_input)
    one_shot = context.is_new_session(handler_input)
    answer = answer_text(coach, text, one_shot=one_shot, previous=previous)
    if answer.offer == OFFER_START and in_workout(handler_input):
        answer = answer_text(coach, text, one_shot=True, previous=previous)
    return answer


#: More words than this are a question: a level or an exercise asked for with
#: its name ("olympic workout", "single leg calf raises") is never more.
QUESTION_WORDS = 4


def asked_as_workout(coach: Coach, answer: Answer, stray: str) -> bool:
    """Whether a start's stray words (:meth:`Trainer.stray_words`) were a
    question the interaction model heard as a workout.

    Alexa sends the skill only an intent and its slots: "my calf went numb
    halfway through the workout" may come as StartWorkoutIntent with the
    level "my calf went numb halfway through the", and those words are all
    the skill ever sees of it. A see-a-doctor answer always goes first, and
    another topic when the words are more than a name; anything else is a
    workout asked for with a level or an exercise the coach does not know."""
    topic = coach.knowledge.get(answer.topic_id) if answer.topic_id is not None else None
    if topic is None:
        return False
    return topic.safety or len(stray.split()) > QUESTION_WORDS


class WorkoutFormHandler(_WorkoutHandler):
    """ "How do I do a lunge?", "how do I do this?": the timer's form cues
    (outside a workout, the content's answer when it has one, with sources)."""

    intents = (FORM_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        trainer = self.trainer
        exercise, said = trainer.exercise_said(handler_input)
        if said and exercise is None:  # not an exercise after all: a question
            answer = answer_words(self.coach, handler_input, f"how do i do {said}")
            if in_workout(handler_input):
                return answer_aside(trainer, handler_input, answer)
            return deliver(self.coach, handler_input, answer)
        if in_workout(handler_input):
            told = trainer.form(handler_input, exercise)
            if told is not None:
                return told
        if exercise is None:
            ask = spoken("which_exercise")
            return render(handler_input, Reply(ask, ask))
        name, form = trainer.how_to(exercise)
        answer = answer_words(self.coach, handler_input, f"how do i do a {name}")
        if answer.topic_id is not None:
            return deliver(self.coach, handler_input, answer)
        offer = spoken("offer_start")
        context.set_offer(handler_input, OFFER_START)
        return render(handler_input, Reply(Narration.of(form) + offer, offer))


class WeeklyProgressHandler(_WorkoutHandler):
    """ "How am I doing this week?": finished workouts against the weekly goal."""

    intents = (WEEKLY_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        line = self.trainer.week(handler_input)
        if in_workout(handler_input):
            return self.trainer.aside(handler_input, line)
        if context.is_new_session(handler_input):
            return render(handler_input, Reply(line))
        ask = spoken("offer_start_after_week")
        context.set_offer(handler_input, OFFER_START)
        return render(handler_input, Reply(line + ask, ask))


class WorkoutHelpHandler(_InWorkout):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.aside(handler_input, spoken("help"))


class WorkoutFallbackHandler(_InWorkout):
    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.trainer.aside(handler_input, spoken("fallback"))


class WorkoutQuestionHandler(_InWorkout):
    """A question asked mid-workout: answered, then back to the workout."""

    @cached_property  # the class attribute of IntentHandler, computed once
    def intents(self) -> tuple[str, ...]:  # type: ignore[override]
        return (QUESTION_INTENT, WHY_QUESTION_INTENT, *sorted(self.coach.knowledge.intents))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, IntentRequest) and request.intent is not None
        topic = self.coach.knowledge.topic_for_intent(request.intent.name or "")
        if topic is not None:
            answer = answer_topic(self.coach, topic, one_shot=topic.offer is not None
                                  and topic.offer.action == OFFER_START)
        else:
            answer = answer_words(self.coach, handler_input, asked(handler_input))
        return answer_aside(self.trainer, handler_input, answer)


class WorkoutHomeHandler(_InWorkout):
    """ "Go home" mid-workout: the place is saved, then the welcome."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = self.trainer.leave(handler_input)
        context.put(handler_input, MARKER, None)
        context.set_offer(handler_input, None)
        context.set_topic(handler_input, None, None)
        return render(handler_input, prefixed(said, self.coach.welcome()))
