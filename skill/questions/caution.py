"""Safety memory: after a see-a-doctor answer, a workout is asked about first.

A safety answer ("one of my legs is suddenly swollen") is remembered for
the rest of the session (session attribute ``caution``) and for a day
(persistent attribute ``caution``, with the request's time), so "start a
workout" that day first asks "Earlier you mentioned a swollen leg. Has a
doctor said it's fine to exercise?" (the workout's words, ``doctor_question``
in skill/core/prompts.toml). A yes forgets it; a no keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.core import context
from skill.core.device_time import request_time
from skill.store.attributes import update_stored

KEY = "caution"
REMEMBER_FOR = timedelta(days=1)

#: What the user mentioned, by safety topic id, as "Earlier you mentioned ...".
MENTIONED: Mapping[str, str] = {
    "blood_clot": "a swollen leg",
    "lipoedema": "signs of lipoedema",
    "leg_pain": "pain in your leg",
    "emergency": "symptoms that need urgent help",
    "numbness": "numbness in your leg",
    "pregnancy": "being pregnant",
    "after_surgery": "a recent operation",
    "varicose_veins": "varicose veins",
    "medicine": "your medicine",
    "eating_problems": "worries about eating",
    "stroke_signs": "signs of a stroke",
    "cold_leg": "a cold, painful leg",
}
DEFAULT_MENTIONED = "a health worry"


def note_answer(coach: Any, handler_input: HandlerInput, topic_id: str | None) -> None:
    """Remember the answer ``topic_id`` if it is a safety answer."""
    topic = coach.knowledge.get(topic_id) if topic_id is not None else None
    if topic is not None and topic.safety:
        remember(handler_input, getattr(coach.visits, "adapter", None), topic.id)


def remember(handler_input: HandlerInput, adapter: Any, topic_id: str) -> None:
    """Keep the safety answer ``topic_id`` for this session and for a day."""
    value = {"topic": topic_id, "at": request_time(handler_input).isoformat(timespec="seconds")}
    context.put(handler_input, KEY, value)
    _store(handler_input, adapter, lambda attributes: {**attributes, KEY: value})


def forget(handler_input: HandlerInput, adapter: Any) -> None:
    context.put(handler_input, KEY, None)
    _store(handler_input, adapter, lambda attributes: {k: v for k, v in attributes.items() if k != KEY})


def mentioned(handler_input: HandlerInput, adapter: Any) -> str | None:
    """What the user mentioned in a safety answer today, in words; None if nothing."""
    value = context.get(handler_input, KEY)
    if not isinstance(value, dict) and adapter is not None:
        value = (adapter.get_attributes(handler_input.request_envelope) or {}).get(KEY)
        if not _recent(value, request_time(handler_input)):
            return None
    if not isinstance(value, dict):
        return None
    return MENTIONED.get(str(value.get("topic")), DEFAULT_MENTIONED)


def _recent(value: Any, now: datetime) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("at"), str):
        return False
    try:
        at = datetime.fromisoformat(value["at"])
    except ValueError:
        return False
    at = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    return timedelta(0) <= now - at < REMEMBER_FOR


def _store(handler_input: HandlerInput, adapter: Any,
           change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    if adapter is not None:
        update_stored(adapter, handler_input.request_envelope, change)
