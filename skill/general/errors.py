"""The last line of defence: any exception becomes a spoken apology with a way forward."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model import Response

from skill.core.coach import Coach, log
from skill.core.responses import Reply, render, silent
from speech.model import Narration

#: Said if even the prompts cannot be loaded.
APOLOGY = "Sorry, something went wrong on my side. Please ask your question again, or say help."
REPROMPT = "What would you like to know about your legs?"
#: Requests Alexa accepts no speech for.
SILENT_REQUESTS = ("SessionEndedRequest", "System.ExceptionEncountered")


class CatchAllExceptionHandler(AbstractExceptionHandler):  # type: ignore[misc]
    """Handles every exception (``can_handle`` is always true)."""

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("request failed: %s: %s", type(exception).__name__, exception, exc_info=exception)
        # Read defensively: a malformed envelope may be what failed.
        request = getattr(handler_input.request_envelope, "request", None)
        if getattr(request, "object_type", None) in SILENT_REQUESTS:
            return silent(handler_input)
        handler_input.response_builder = ResponseFactory()  # drop any half-built response
        return render(handler_input, self._apology())

    def _apology(self) -> Reply:
        try:
            return Reply(self.coach.prompt("error"), self.coach.prompt("reprompt"))
        except Exception:  # the prompts themselves may be what failed
            return Reply(Narration.of(APOLOGY), Narration.of(REPROMPT))
