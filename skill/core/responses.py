"""Turn a :class:`Reply` (narrations + card) into an Alexa response.

Speech goes through :func:`speech.ssml.to_ssml` (every word XML-escaped, so
text from a slot cannot inject tags) and is checked against Alexa's limits
before it leaves. A reply without a reprompt ends the session; a reply that
keeps the session open always has one, so there are no dead ends.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill.core import context
from speech.model import Narration
from speech.ssml import ensure_ssml_ok, from_ssml, to_ssml

#: Alexa's limit for a card's title plus content.
MAX_CARD_CHARS = 8000
CARD_TITLE = "Leg Coach"
#: Distinct checked narrations kept (a few MB at most).
SSML_CACHE_SIZE = 4096

# Card and Reply are NamedTuples rather than frozen dataclasses: both are
# defined on every Lambda cold start, where a frozen dataclass costs about
# 0.25 ms to create and a NamedTuple a fifth of that.


class Card(NamedTuple):
    """A simple card for the Alexa app: plain text."""

    title: str
    content: str

    def clipped(self) -> Card:
        room = MAX_CARD_CHARS - len(self.title)
        if len(self.content) <= room:
            return self
        return Card(self.title, self.content[: room - 1].rstrip() + "…")


class Reply(NamedTuple):
    """What the coach says. No reprompt means the session ends."""

    speech: Narration
    reprompt: Narration | None = None
    card: Card | None = None

    @property
    def ends_session(self) -> bool:
        return self.reprompt is None


def as_narration(value: str | Narration) -> Narration:
    return value if isinstance(value, Narration) else Narration.of(value)


def prefixed(before: Narration, reply: Reply) -> Reply:
    """``reply`` with ``before`` spoken first."""
    return Reply(before + reply.speech, reply.reprompt, reply.card)


def ssml(narration: Narration, *, max_seconds: float | None = None) -> str:
    """SSML for ``narration``; raises speech.ssml.SSMLLimitError past Alexa's limits.

    Narrations are values and rendering is a pure function of them, so each
    distinct (narration, limit) is rendered and checked once, then answered
    from a bounded cache: workout turns and answers repeat word for word.
    A narration that fails the check is never cached and fails every time.
    """
    return _checked_ssml(narration, max_seconds)


@functools.lru_cache(maxsize=SSML_CACHE_SIZE)
def _checked_ssml(narration: Narration, max_seconds: float | None) -> str:
    text = to_ssml(narration)
    ensure_ssml_ok(text, max_seconds=max_seconds)
    return text


def rebuilt_ssml(text: str) -> str:
    """SSML made anew from ``text``, SSML that came back from the client (the
    session attributes): only its words, breaks and the skill's own sounds
    survive, checked against Alexa's limits; "" if no words are left.
    ValueError if ``text`` is not SSML or breaks the limits."""
    narration = from_ssml(text)
    return ssml(narration) if narration.text.strip() else ""


def render(handler_input: HandlerInput, reply: Reply, *, max_seconds: float | None = None) -> Response:
    """Build the response for ``reply``; open replies are remembered for "repeat"."""
    speech = ssml(reply.speech, max_seconds=max_seconds)
    reprompt = ssml(reply.reprompt) if reply.reprompt is not None else None
    if reprompt is not None:
        context.remember(handler_input, speech, reprompt)
    return render_ssml(handler_input, speech, reprompt, reply.card)


def render_ssml(
    handler_input: HandlerInput, speech: str, reprompt: str | None, card: Card | None = None
) -> Response:
    """A response from SSML already checked; ``reprompt=None`` ends the session."""
    builder = handler_input.response_builder
    builder.speak(speech)
    if reprompt is None:
        builder.set_should_end_session(True)
    else:
        builder.ask(reprompt)
    if card is not None:
        clipped = card.clipped()
        builder.set_card(SimpleCard(title=clipped.title, content=clipped.content))
    response: Response = builder.response
    return response


def silent(handler_input: HandlerInput) -> Response:
    """The empty response Alexa expects to a SessionEndedRequest."""
    response: Response = handler_input.response_builder.response
    return response
