"""Questions around a guided workout: sets left, what's next, form, the week;
and help, fallback, questions and "go home" while a workout is under way.

Asked during a workout, each answer ends by asking whether the user is
ready to carry on ("Ready for lunges, set two of three?"), so "next" or
"yes" picks the workout up again.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import IntentRequest, Response

from skill.core import context
from skill.core.coach import Coach
from skill.general.launch import welcome
from skill.questions.handlers import Answer, answer_text, answer_topic, deliver
from skill.workout.handlers import _InWorkout, _WorkoutHandler
from skill.questions.intents import QUERY_SLOT, QUESTION_INTENT
from skill.core.responses import Reply, prefixed, render
from skill.workout.intents import FORM_INTENT, SETS_LEFT_INTENT, WEEKLY_INTENT, WHATS_NEXT_INTENT
from skill.workout.state import MARKER, OFFER_START, in_workout, user_id
from speech.model import Narration

if TYPE_CHECKING:
    from skill.workout.trainer import Trainer

WORKOUT_HELP = (
    "You're in a guided workout. Say next when you're ready for the next set, repeat to hear "
    "it again, skip to skip a set, back to go back one, pause to take a break, or stop to save "
    "your place. You can also ask what's next, how many sets are left, or how to do an exercise."
)
WORKOUT_FALLBACK = (
    "Sorry, I didn't catch that. In a workout you can say next, repeat, skip, back, pause or stop."
)


class WorkoutSetsLeftHandler(_WorkoutHandler):
    intents = (SETS_LEFT_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import tell

        return self.trainer.run(handler_input, tell, "sets_left")


class WorkoutWhatsNextHandler(_WorkoutHandler):
    intents = (WHATS_NEXT_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import tell

        return self.trainer.run(handler_input, tell, "whats_next")


def answer_aside(trainer: Trainer, handler_input: HandlerInput, answer: Answer) -> Response:
    """A question's answer during a workout, followed by the way back to it."""
    from skill.workout.flow import aside

    reply = answer.reply
    if answer.topic_id is not None:
        context.set_topic(handler_input, answer.topic_id, "answer")
    ctx = trainer.ctx(handler_input)
    outcome = trainer.store.update(
        handler_input.request_envelope,
        lambda saved: aside(saved, ctx, reply.speech, reply.reprompt, answer.offer))
    return trainer.respond(handler_input, outcome, reply.card)


def answer_words(coach: Coach, handler_input: HandlerInput, text: str) -> Answer:
    """``text`` answered as a question; mid-workout without "shall we start a workout?"."""
    previous = context.last_topic(handler_input)
    one_shot = context.is_new_session(handler_input)
    answer = answer_text(coach, text, one_shot=one_shot, previous=previous)
    if answer.offer == OFFER_START and in_workout(handler_input):
        answer = answer_text(coach, text, one_shot=True, previous=previous)
    return answer


class WorkoutFormHandler(_WorkoutHandler):
    """ "How do I do a lunge?", "how do I do this?": the timer's form cues
    (outside a workout, the content's answer when it has one, with sources)."""

    intents = (FORM_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import aside, current_exercise, form_text
        from skill.workout.trainer import exercise_from
        from timer.exercises import get_exercise

        exercise, said = exercise_from(handler_input)
        if said and exercise is None:  # not an exercise after all: a question
            answer = answer_words(self.coach, handler_input, f"how do i do {said}")
            if in_workout(handler_input):
                return answer_aside(self.trainer, handler_input, answer)
            return deliver(self.coach, handler_input, answer)
        if in_workout(handler_input):
            saved = self.trainer.store.load(handler_input.request_envelope)
            exercise = exercise or current_exercise(saved, self.trainer.ctx(handler_input))
            if exercise is not None:
                return self.trainer.run(handler_input, aside, Narration.of(form_text(exercise)))
        if exercise is None:
            ask = Narration.of("Which exercise? For example: how do I do a squat?")
            return render(handler_input, Reply(ask, ask))
        answer = answer_words(self.coach, handler_input, f"how do i do a {get_exercise(exercise).singular}")
        if answer.topic_id is not None:
            return deliver(self.coach, handler_input, answer)
        offer = Narration.of("Want to start a workout?")
        context.set_offer(handler_input, OFFER_START)
        return render(handler_input, Reply(Narration.of(form_text(exercise)) + offer, offer))


class WeeklyProgressHandler(_WorkoutHandler):
    """ "How am I doing this week?": finished workouts against the weekly goal."""

    intents = (WEEKLY_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.core.device_time import local_now
        from skill.workout.flow import aside
        from skill.workout.progress import weekly_line
        from timer.history import WEEKLY_GOAL

        trainer = self.trainer
        saved = trainer.store.load(handler_input.request_envelope)
        now = local_now(handler_input)  # the week is the user's, in their time zone
        line = Narration.of(weekly_line(trainer.store.week_count(user_id(handler_input), saved, now),
                                        WEEKLY_GOAL))
        if in_workout(handler_input):
            return trainer.run(handler_input, aside, line)
        if context.is_new_session(handler_input):
            return render(handler_input, Reply(line))
        ask = Narration.of("Would you like to start a workout?")
        context.set_offer(handler_input, OFFER_START)
        return render(handler_input, Reply(line + ask, ask))


class WorkoutHelpHandler(_InWorkout):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import aside

        return self.trainer.run(handler_input, aside, Narration.of(WORKOUT_HELP))


class WorkoutFallbackHandler(_InWorkout):
    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import aside

        return self.trainer.run(handler_input, aside, Narration.of(WORKOUT_FALLBACK))


class WorkoutQuestionHandler(_InWorkout):
    """A question asked mid-workout: answered, then back to the workout."""

    @cached_property
    def by_intent(self) -> dict[str | None, Any]:
        return {t.intent: t for t in self.coach.knowledge.topics.values() if t.intent}

    @cached_property  # the class attribute of IntentHandler, computed once
    def intents(self) -> tuple[str, ...]:  # type: ignore[override]
        return (QUESTION_INTENT, *sorted(self.coach.knowledge.intents))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, IntentRequest) and request.intent is not None
        topic = self.by_intent.get(request.intent.name)
        if topic is not None:
            answer = answer_topic(self.coach, topic, one_shot=topic.offer is not None
                                  and topic.offer.action == OFFER_START)
        else:
            found = get_slot(handler_input, QUERY_SLOT)
            answer = answer_words(self.coach, handler_input, (found.value or "") if found else "")
        return answer_aside(self.trainer, handler_input, answer)


class WorkoutHomeHandler(_InWorkout):
    """ "Go home" mid-workout: the place is saved, then the welcome."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.workout.flow import leave

        trainer = self.trainer
        ctx = trainer.ctx(handler_input)
        outcome = trainer.store.update(handler_input.request_envelope, lambda saved: leave(saved, ctx))
        trainer.store.log(user_id(handler_input), outcome.events, ctx.now)
        context.put(handler_input, MARKER, None)
        context.set_offer(handler_input, None)
        context.set_topic(handler_input, None, None)
        return render(handler_input, prefixed(outcome.speech, welcome(self.coach)))

