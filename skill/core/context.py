"""What a request says once (:class:`RequestFacts`), and what the skill
remembers within a session and across sessions.

Who asks, when, in which locale, on what device and whether a workout is
under way are read from the envelope once per request (:func:`facts`) and
passed on as one frozen value.

Session attributes travel with every request and response, so they hold only
small values under the keys below:

- ``topic``: id of the last topic answered (follow-ups refer to it);
- ``stage``: how far into that topic we went: "answer", "more" or "source";
- ``offer``: the yes/no question the coach just asked (see
  :mod:`skill.questions.followups`), or absent;
- ``last``: the last open response's SSML and reprompt, for "repeat that";
- ``workout``: set while a guided workout runs in this session
  (:mod:`skill.workout.state`).

Other features add their own keys through :func:`get` and :func:`put`.
Persistent attributes (per Alexa user): see :mod:`skill.core.visits` and
:func:`skill.store.attributes.update_stored`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, NamedTuple

from ask_sdk_core.handler_input import HandlerInput

TOPIC = "topic"
STAGE = "stage"
OFFER = "offer"
LAST = "last"
WORKOUT = "workout"
#: The locale assumed when a request names none.
DEFAULT_LOCALE = "en-US"
#: Where :func:`facts` keeps a request's facts (the SDK's per-request attributes).
FACTS = "facts"


class RequestFacts(NamedTuple):
    """What one request says, read from its envelope once.

    A NamedTuple, not a frozen dataclass: it is defined on every Lambda cold
    start, where this frozen dataclass took about 2 ms to create and the
    NamedTuple a twentieth of that."""

    user_id: str        # the Alexa user id ("" if none)
    now: datetime       # when the request was made (its timestamp, UTC), else now
    locale: str         # "en-US", ...
    new_session: bool   # no session, or its first request
    in_workout: bool    # a workout turn was given earlier in this session
    from_alexa: bool    # it carries an API access token, as every request from Alexa does
    device_id: str      # the device's id ("" if none)
    audio_player: bool  # the device plays audio streams (AudioPlayer is supported)


def facts(handler_input: HandlerInput) -> RequestFacts:
    """The request's :class:`RequestFacts`, read on first use and kept for the
    rest of the request."""
    kept = handler_input.attributes_manager.request_attributes
    found = kept.get(FACTS)
    if not isinstance(found, RequestFacts):
        found = kept[FACTS] = _read_facts(handler_input)
    return found


def request_time(handler_input: HandlerInput) -> datetime:
    """When the request was made (its timestamp, UTC), else now."""
    return facts(handler_input).now


def _read_facts(handler_input: HandlerInput) -> RequestFacts:
    envelope = handler_input.request_envelope
    request, current = envelope.request, envelope.session
    system = envelope.context.system if envelope.context is not None else None
    user = system.user if system is not None else None
    device = system.device if system is not None else None
    interfaces = device.supported_interfaces if device is not None else None
    new_session = current is None or bool(current.new)
    return RequestFacts(
        user_id=str(user.user_id) if user is not None else "",
        now=_request_time(request),
        locale=getattr(request, "locale", None) or DEFAULT_LOCALE,
        new_session=new_session,
        in_workout=get(handler_input, WORKOUT) is not None and not new_session,
        from_alexa=bool(system is not None and system.api_access_token),
        device_id=(device.device_id or "") if device is not None else "",
        audio_player=interfaces is not None and interfaces.audio_player is not None,
    )


def _request_time(request: Any) -> datetime:
    stamp = getattr(request, "timestamp", None)
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


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
    return facts(handler_input).new_session
