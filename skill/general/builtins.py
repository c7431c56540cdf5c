"""Alexa's built-in intents and requests: help, stop, cancel, fallback, session end."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler, RequestTypeHandler, log
from skill.core.responses import Reply, render, silent
from speech.model import Narration


def examples_line(coach: Coach) -> Narration:
    first, second = coach.examples(2)
    return coach.prompt("for_example", first=first, second=second)


class HelpHandler(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        context.set_offer(handler_input, None)
        speech = Narration.of(self.coach.prompt("help"), examples_line(self.coach))
        return render(handler_input, Reply(speech, self.coach.prompt("reprompt")))


class _Exit(IntentHandler):
    def handle(self, handler_input: HandlerInput) -> Response:
        return render(handler_input, Reply(self.coach.prompt("goodbye")))


class StopHandler(_Exit):
    intents = ("AMAZON.StopIntent",)


class CancelHandler(_Exit):
    intents = ("AMAZON.CancelIntent",)


class FallbackHandler(IntentHandler):
    """Alexa heard something outside the model: a spoken way forward."""

    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        context.set_offer(handler_input, None)
        speech = Narration.of(self.coach.prompt("fallback"), examples_line(self.coach))
        return render(handler_input, Reply(speech, self.coach.prompt("reprompt")))


class UnknownIntentHandler(RequestTypeHandler):
    """Any intent no other handler took (a model newer than the code): as fallback.

    Registered last; it names no intents, so the consistency tests ignore it.
    """

    request_types = ("IntentRequest",)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        name = request.intent.name if isinstance(request, IntentRequest) and request.intent else None
        log.warning("no handler for intent %s", name)
        return FallbackHandler(self.coach).handle(handler_input)


class SessionEndedHandler(RequestTypeHandler):
    """The session closed (user left, silence, or an error): log it, say nothing."""

    request_types = ("SessionEndedRequest",)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        error = getattr(request, "error", None)
        if error is not None:
            kind = getattr(getattr(error, "object_type", None), "value", None)
            log.warning("session ended (%s) with error %s: %s", reason, kind, error.message)
        else:
            log.info("session ended: %s", reason)
        return silent(handler_input)


class ExceptionEncounteredHandler(RequestTypeHandler):
    """Alexa reports that a response of ours failed; it accepts no answer, so log it."""

    request_types = ("System.ExceptionEncountered",)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        log.error("Alexa could not use a response: %s: %s",
                  getattr(getattr(error, "object_type", None), "value", None),
                  getattr(error, "message", None))
        return silent(handler_input)
