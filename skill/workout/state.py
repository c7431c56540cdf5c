"""What a guided workout keeps in the Alexa session, and what it reads from
the request: cheap to import (no plans, no timer), so the handlers can ask
"is a workout under way?" without loading the workout machinery.

- session attribute ``workout`` (:data:`MARKER`): "active" or "paused" while
  a workout runs in this session;
- offers (session attribute ``offer``) a workout makes: what "yes" and "no"
  mean next.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.core import context
from skill.core.context import request_time as request_time  # the workout's clock

#: Session attribute set while a workout runs in this session.
MARKER = context.WORKOUT

OFFER_NEXT = "workout_next"        # "Ready for lunges?"
OFFER_RESTART = "workout_restart"  # "Shall we start again from the beginning?"
OFFER_START = "workout"            # a topic's "Shall we start a workout?"
OFFER_CAUTION = "workout_caution"  # "Has a doctor said it's fine to exercise?"
OFFER_REPLACE = "workout_replace"  # "Shall I start a new one instead?"

#: Session attribute: the workout asked for while a question about it is
#: pending, as [level, minutes, exercise].
PENDING_START = "workout_asked"


def unfinished_workout(attributes: dict[str, Any]) -> bool:
    """The stored attributes hold a workout that was started and not finished."""
    progress = attributes.get(MARKER)
    return isinstance(progress, dict) and progress.get("status") in ("active", "paused", "stopped")


def in_workout(handler_input: HandlerInput) -> bool:
    """A workout turn was given earlier in this session."""
    return context.facts(handler_input).in_workout


def user_id(handler_input: HandlerInput) -> str:
    return context.facts(handler_input).user_id
