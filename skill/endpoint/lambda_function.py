"""AWS Lambda entry point: ``skill.endpoint.lambda_function.handler``.

Serves the same skill as the Flask endpoint, without Flask. The skill is
built on the first call and reused while the Lambda instance stays warm;
importing this module costs little beyond ask-sdk-core itself. Alexa's
Lambda trigger checks the skill id; ``LEGCOACH_SKILL_ID`` adds a check here.
The runtime's log handler gets the escaping filter of the other servers, so
a request cannot forge a log line here either.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from skill.core.sdk import invoke
from skill.endpoint.body import screen_attributes
from skill.endpoint.logs import escape_handlers

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill

_skill: CustomSkill | None = None
_lock = threading.Lock()


def get_skill() -> CustomSkill:
    """The skill, built once (store from LEGCOACH_STORE)."""
    global _skill
    if _skill is None:
        with _lock:
            if _skill is None:
                from skill.builder import build_skill

                escape_handlers()  # the handler Lambda's runtime put on the root logger
                _skill = build_skill(config={"SKILL_ID": os.environ.get("LEGCOACH_SKILL_ID") or None})
    return _skill


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda handler: an Alexa request envelope in, a response envelope out."""
    screen_attributes(event)  # Lambda's runtime reads NaN and Infinity into events
    return invoke(get_skill(), event, context)
