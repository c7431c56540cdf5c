"""Opening the skill: a welcome that keeps the session open.

The first time a user ever opens Leg Coach, the welcome starts with the
notice that it is not a substitute for professional medical advice.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler, RequestTypeHandler
from skill.core.responses import prefixed, render
from skill.workout.state import unfinished_workout


class LaunchHandler(RequestTypeHandler):
    """First visit: the notice, then the welcome; later visits: welcome back."""

    request_types = ("LaunchRequest",)

    def handle(self, handler_input: HandlerInput) -> Response:
        first, stored = self.coach.visits.visit(handler_input)
        if first:
            reply = prefixed(self.coach.prompt("disclaimer"), self.coach.welcome())
        elif unfinished_workout(stored):
            reply = self.coach.welcome("welcome_back_workout")
        else:
            reply = self.coach.welcome("welcome_back")
        return render(handler_input, reply)


class NavigateHomeHandler(IntentHandler):
    """"Go home": back to the start of the skill, with a clean slate."""

    intents = ("AMAZON.NavigateHomeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        context.set_topic(handler_input, None, None)
        context.set_offer(handler_input, None)
        return render(handler_input, self.coach.welcome())
