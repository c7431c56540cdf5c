"""Handlers of the stream mode: playback events, device buttons, and the
intents that steer a workout while it plays.

They come before the turn mode's handlers. An intent is the stream's when
the device's player holds one of our tokens (``context.AudioPlayer``);
otherwise the turn mode answers as before. "Start a workout" and "resume my
workout" reach the stream through the trainer (:meth:`Trainer.start`,
:meth:`Trainer.act`), which asks the :class:`Streamer` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.core.coach import Coach, IntentHandler, RequestTypeHandler
from skill.core.prompts import load_words
from skill.workout.intents import BACK_INTENT, NEXT_INTENT, RESUME_INTENT, SKIP_INTENT
from skill.workout.stream import STREAM, TURNS, player_token

if TYPE_CHECKING:
    from skill.workout.trainer import StreamMode

STREAM_MODE_INTENT = "WorkoutStreamModeIntent"
TURN_MODE_INTENT = "WorkoutTurnModeIntent"
LOOP_SHUFFLE = ("AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent",
                "AMAZON.ShuffleOffIntent")
#: What each intent does to a playing workout.
STEERING = {
    "AMAZON.PauseIntent": "pause", "AMAZON.ResumeIntent": "resume", RESUME_INTENT: "resume",
    "AMAZON.NextIntent": "next", NEXT_INTENT: "next", SKIP_INTENT: "next",
    "AMAZON.PreviousIntent": "previous", BACK_INTENT: "previous",
    "AMAZON.StartOverIntent": "restart", "AMAZON.RepeatIntent": "restart",
    "AMAZON.StopIntent": "stop", "AMAZON.CancelIntent": "stop",
}
BUTTONS = {
    "PlaybackController.PlayCommandIssued": "resume", "PlaybackController.PauseCommandIssued": "pause",
    "PlaybackController.NextCommandIssued": "next", "PlaybackController.PreviousCommandIssued": "previous",
}
EVENTS = ("AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished", "AudioPlayer.PlaybackFinished",
          "AudioPlayer.PlaybackStopped", "AudioPlayer.PlaybackFailed")

def streamer_of(coach: Coach) -> StreamMode:
    """The coach's streamer: the trainer's, so both share one store. Loaded on
    the first stream request, as the turn handlers load the trainer."""
    from skill.workout.streamer import Streamer
    from skill.workout.trainer import trainer_for

    return trainer_for(coach, Streamer).streamer


def _intent(handler_input: HandlerInput) -> str:
    request = handler_input.request_envelope.request
    assert isinstance(request, IntentRequest) and request.intent is not None
    return str(request.intent.name)


class StreamEventsHandler(RequestTypeHandler):
    """AudioPlayer.* events: queue the next segment, record progress, finish."""

    request_types = EVENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = str(getattr(handler_input.request_envelope.request, "object_type", "")).split(".", 1)[-1]
        return streamer_of(self.coach).event(handler_input, kind)


class StreamButtonsHandler(RequestTypeHandler):
    """The device's play, pause, next and previous buttons (no speech allowed)."""

    request_types = tuple(BUTTONS)

    def handle(self, handler_input: HandlerInput) -> Response:
        action = BUTTONS[str(getattr(handler_input.request_envelope.request, "object_type", ""))]
        return streamer_of(self.coach).steer(handler_input, action, spoken=False)


class StreamSteeringHandler(IntentHandler):
    """Pause, resume, next, previous, start over, repeat, stop and cancel while
    one of our streams is in the device's player."""

    intents = tuple(STEERING)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and player_token(handler_input)[0] is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        return streamer_of(self.coach).steer(handler_input, STEERING[_intent(handler_input)])


class StreamLoopShuffleHandler(IntentHandler):
    """Loop and shuffle: a workout plays in order, said kindly."""

    intents = LOOP_SHUFFLE

    def handle(self, handler_input: HandlerInput) -> Response:
        said = load_words("workout")["loop_shuffle"]
        builder = handler_input.response_builder
        builder.speak(said).set_should_end_session(True)
        response: Response = builder.response
        return response


class WorkoutModeHandler(IntentHandler):
    """ "Set by set" / "turn by turn" (the turn mode) or "hands-free" (the stream), remembered."""

    intents = (TURN_MODE_INTENT, STREAM_MODE_INTENT)

    def handle(self, handler_input: HandlerInput) -> Response:
        mode = TURNS if _intent(handler_input) == TURN_MODE_INTENT else STREAM
        return streamer_of(self.coach).set_mode(handler_input, mode)


STREAM_HANDLERS = (StreamEventsHandler, StreamButtonsHandler, StreamSteeringHandler,
                   StreamLoopShuffleHandler, WorkoutModeHandler)
