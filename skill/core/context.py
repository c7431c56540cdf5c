"""What the skill remembers: within a session, and across sessions.

Session attributes travel with every request and response, so they hold only
small values under the keys below:

- ``topic``: id of the last topic answered (follow-ups refer to it);
- ``stage``: how far into that topic we went: "answer", "more" or "source";
- ``offer``: the yes/no question the coach just asked (see
  :mod:`skill.questions.followups`), or absent;
- ``last``: the last open response's SSML and reprompt, for "repeat that".

Other features add their own keys through :func:`get` and :func:`put`.
Persistent attributes (per Alexa user): see :mod:`skill.core.visits` and
:func:`skill.store.attributes.update_stored`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ask_sdk_core.handler_input import HandlerInput

TOPIC = "topic"
STAGE = "stage"
OFFER = "offer"
LAST = "last"


def session(handler_input: HandlerInput) -> dict[str, Any]:
    """The session attributes, a dict changed in place (empty without a session)."""
    if handler_input.request_envelope.session is None:
        return {}
    attributes = handler_input.attributes_manager.session_attributes
    if attributes is None:
        attributes = handler_input.attributes_manager.session_attributes = {}
    return attributes


def get(handler_input: HandlerInput, key: str, default: Any = None) -> Any:
    return session(handler_input).get(key, default)


def put(handler_input: HandlerInput, key: str, value: Any) -> None:
    """Set ``key``; ``None`` removes it, so attributes stay small."""
    attributes = session(handler_input)
    if value is None:
        attributes.pop(key, None)
    else:
        attributes[key] = value


def last_topic(handler_input: HandlerInput) -> str | None:
    value = get(handler_input, TOPIC)
    return value if isinstance(value, str) else None


def stage(handler_input: HandlerInput) -> str | None:
    value = get(handler_input, STAGE)
    return value if isinstance(value, str) else None


def set_topic(handler_input: HandlerInput, topic_id: str | None, stage_name: str | None) -> None:
    put(handler_input, TOPIC, topic_id)
    put(handler_input, STAGE, stage_name if topic_id else None)


def pending_offer(handler_input: HandlerInput) -> str | None:
    value = get(handler_input, OFFER)
    return value if isinstance(value, str) else None


def set_offer(handler_input: HandlerInput, offer: str | None) -> None:
    put(handler_input, OFFER, offer)


class Remembered(NamedTuple):
    """The last open response, as sent (SSML)."""

    speech: str
    reprompt: str


def remember(handler_input: HandlerInput, speech: str, reprompt: str) -> None:
    put(handler_input, LAST, {"speech": speech, "reprompt": reprompt})


def remembered(handler_input: HandlerInput) -> Remembered | None:
    value = get(handler_input, LAST)
    if not isinstance(value, dict):
        return None
    speech, reprompt = value.get("speech"), value.get("reprompt")
    if isinstance(speech, str) and isinstance(reprompt, str):
        return Remembered(speech, reprompt)
    return None


def is_new_session(handler_input: HandlerInput) -> bool:
    current = handler_input.request_envelope.session
    return current is None or bool(current.new)
