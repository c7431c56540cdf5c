"""Alexa request envelopes for tests, shaped like the ones Alexa really sends.

Written from Alexa's request JSON reference independently of
skill/devtools/envelopes.py (which the console uses), so the tests do not check the
skill against its own idea of a request. Every builder returns a JSON value
(dict); :func:`body` turns one into bytes for HTTP tests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from itertools import count
from typing import Any

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
USER_ID = "amzn1.ask.account.AGF7EUF4RNORLHSZDNU7KR7W75A2GRGQS4XIRSDZ"
DEVICE_ID = "amzn1.ask.device.AGQ3ZBAYUEBLQIOSVKU7HH7NJZ4D"
SESSION_ID = "amzn1.echo-api.session.0000000-0000-0000-0000-00000000000"
API_ENDPOINT = "https://api.amazonalexa.com"

_ids = count(1)


def stamp(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(
    request: Mapping[str, Any],
    *,
    new: bool = True,
    attributes: Mapping[str, Any] | None = None,
    user_id: str = USER_ID,
    session_id: str = SESSION_ID,
    application_id: str = SKILL_ID,
    locale: str = "en-US",
    timestamp: datetime | str | None = None,
    with_session: bool = True,
) -> dict[str, Any]:
    """A full envelope around ``request`` (type and its own fields)."""
    application = {"applicationId": application_id}
    user = {"userId": user_id}
    when = timestamp if isinstance(timestamp, str) else stamp(timestamp)
    value: dict[str, Any] = {
        "version": "1.0",
        "context": {
            "Viewports": [],
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": DEVICE_ID,
                    "supportedInterfaces": {"AudioPlayer": {}},
                },
                "apiEndpoint": API_ENDPOINT,
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl",
            },
        },
        "request": {
            **request,
            "requestId": f"amzn1.echo-api.request.{next(_ids):08d}",
            "timestamp": when,
            "locale": locale,
        },
    }
    if with_session:
        value["session"] = {
            "new": new,
            "sessionId": session_id,
            "application": application,
            "attributes": dict(attributes or {}),
            "user": user,
        }
    return value


def launch(**kwargs: Any) -> dict[str, Any]:
    return envelope({"type": "LaunchRequest"}, **kwargs)


def intent(name: str, slots: Mapping[str, str | None] | None = None, *, new: bool = False,
           **kwargs: Any) -> dict[str, Any]:
    """An IntentRequest; ``new=False`` by default (a turn inside a session)."""
    body: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots is not None:
        body["slots"] = {
            slot: {"name": slot, "confirmationStatus": "NONE",
                   **({"value": value, "source": "USER"} if value is not None else {})}
            for slot, value in slots.items()
        }
    request = {"type": "IntentRequest", "dialogState": "STARTED", "intent": body}
    return envelope(request, new=new, **kwargs)


def question(text: str | None, **kwargs: Any) -> dict[str, Any]:
    """QuestionIntent with its ``query`` slot as Alexa fills AMAZON.SearchQuery."""
    return intent("QuestionIntent", {"query": text}, **kwargs)


def session_ended(reason: str = "USER_INITIATED", *, error: Mapping[str, str] | None = None,
                  **kwargs: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
    if error is not None:
        request["error"] = dict(error)
    return envelope(request, new=False, **kwargs)


def body(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value).encode("utf-8")


def follow(previous: Mapping[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """``value`` carrying the session attributes a response returned, as Alexa does."""
    attributes = previous.get("sessionAttributes") or {}
    if "session" in value:
        value["session"]["attributes"] = dict(attributes)
        value["session"]["new"] = False
    return value
