"""Request bodies in, response bodies out: strict JSON, bounded nesting.

:func:`parse_body` reads a request body as strict JSON (no ``NaN`` or
``Infinity``) nested at most ``MAX_DEPTH`` levels, so no recursive walk
(json's, the SDK's models') comes near Python's recursion limit;
:func:`screen_attributes` drops session attributes the skill cannot use
(nested deeper than ``MAX_ATTRIBUTE_DEPTH``, or holding numbers JSON has no
words for), with a log line; :func:`dumps_response` writes strict JSON only.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

log = logging.getLogger("skill.endpoint.body")

#: Deeper than any envelope Alexa sends (about 12 levels), shallow enough for
#: every recursive walk (json, the SDK's models) to stay far from Python's limit.
MAX_DEPTH = 40
#: The skill's own session attributes are a few levels deep at most.
MAX_ATTRIBUTE_DEPTH = 8


class BodyError(ValueError):
    """A request body that is not an envelope the skill can read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _no_constant(name: str) -> Any:
    raise BodyError(f"request body is not strict JSON ({name})")


def parse_body(body: bytes) -> Any:
    """``body`` as a JSON value, or BodyError: UTF-8, strict JSON, nested at
    most MAX_DEPTH levels."""
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except BodyError:
        raise
    except RecursionError:  # json's own limit, far above MAX_DEPTH
        raise BodyError(f"request body is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        raise BodyError("request body is not JSON") from None
    if depth_over(value, MAX_DEPTH):
        raise BodyError(f"request body is nested more than {MAX_DEPTH} levels deep")
    return value


def depth_over(value: Any, limit: int) -> bool:
    """True if ``value`` has objects or arrays nested more than ``limit`` deep
    (walked without recursion)."""
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _not_finite(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def screen_attributes(envelope: dict[str, Any]) -> None:
    """Drop, in place and with a log line each, the session attributes the
    skill cannot use: too deeply nested, or holding NaN or infinities."""
    session = envelope.get("session")
    if not isinstance(session, dict) or session.get("attributes") is None:
        return
    attributes = session["attributes"]
    if not isinstance(attributes, dict):
        log.warning("session attributes dropped: not an object")
        session["attributes"] = {}
        return
    for key in list(attributes):
        value = attributes[key]
        if isinstance(value, (dict, list)) and depth_over(value, MAX_ATTRIBUTE_DEPTH):
            why = f"nested more than {MAX_ATTRIBUTE_DEPTH} levels deep"
        elif _not_finite(value):
            why = "holds NaN or an infinity"
        else:
            continue
        del attributes[key]
        log.warning("session attribute %s dropped: %s", json.dumps(key), why)


def dumps_response(value: Any) -> str:
    """``value`` (a serialised response envelope) as strict, compact JSON.

    Should the session attributes not be writable as strict JSON, they are
    dropped with a log line rather than sent as something that is not JSON.
    """
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        if not isinstance(value, dict) or "sessionAttributes" not in value:
            raise
        log.warning("session attributes dropped from the response: %s", exc)
        return json.dumps({k: v for k, v in value.items() if k != "sessionAttributes"},
                          separators=(",", ":"), allow_nan=False)
