"""Alexa request envelopes as plain JSON values, the way a speaker sends them.

Used by the console (`python -m skill chat`), `python -m skill ask` and the
benchmarks. A :class:`Conversation` keeps what a device keeps between turns:
the session id, ``new`` for the first request only, and the session
attributes the skill returned last time. A device with a player (``player``
set) declares AudioPlayer, reports the player's state in every request's
``context.AudioPlayer``, and sends playback events (:meth:`Conversation.playback`)
outside any session, as Alexa does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from skill.workout.store import CONSOLE_DEMO_USER_ID, CONSOLE_USER_ID as LOCAL_USER_ID

LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-00000000c0ac"
API_ENDPOINT = "https://api.amazonalexa.com"

Envelope = dict[str, Any]


def _id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


def timestamp(moment: datetime | None = None) -> str:
    """``moment`` (default now) as Alexa writes it: ``2026-01-15T12:00:00Z``."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot_values(slots: Mapping[str, str | None]) -> dict[str, Any]:
    """Intent slots as Alexa sends them (a slot with no value has no ``value``)."""
    out: dict[str, Any] = {}
    for name, value in slots.items():
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if value is not None:
            slot["value"] = value
            slot["source"] = "USER"
        out[name] = slot
    return out


@dataclass
class Conversation:
    """One Alexa session seen from the device's side."""

    skill_id: str = LOCAL_SKILL_ID
    user_id: str = LOCAL_USER_ID
    locale: str = "en-US"
    session_id: str = field(default_factory=lambda: _id("amzn1.echo-api.session"))
    device_id: str = field(default_factory=lambda: _id("amzn1.ask.device"))
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True
    ended: bool = False
    #: When a request is sent (default: now); the console passes its own clock.
    clock: Callable[[], datetime] | None = None
    #: The device's AudioPlayer state (``context.AudioPlayer``, None when idle);
    #: set on a device that plays streams.
    player: Callable[[], dict[str, Any] | None] | None = None

    def launch(self) -> Envelope:
        return self._envelope({"type": "LaunchRequest"})

    def intent(self, name: str, slots: Mapping[str, str | None] | None = None) -> Envelope:
        intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if slots:
            intent["slots"] = slot_values(slots)
        return self._envelope({"type": "IntentRequest", "dialogState": "STARTED", "intent": intent})

    def session_ended(self, reason: str = "USER_INITIATED") -> Envelope:
        return self._envelope({"type": "SessionEndedRequest", "reason": reason})

    def button(self, kind: str) -> Envelope:
        """A device button pressed (``PlaybackController.PlayCommandIssued``,
        ...): no session, no token of its own (the player's is in
        ``context.AudioPlayer``), as Alexa sends it."""
        envelope = self._envelope({"type": kind})
        del envelope["session"]
        return envelope

    def playback(self, kind: str, token: str, offset_ms: int, **fields: Any) -> Envelope:
        """A playback request (``AudioPlayer.PlaybackStarted``, ...): no session."""
        request = {"type": kind, "token": token, "offsetInMilliseconds": offset_ms, **fields}
        envelope = self._envelope(request)
        del envelope["session"]
        return envelope

    def received(self, response: Mapping[str, Any]) -> None:
        """Take what a response envelope changes: attributes and session end."""
        self.new = False
        attributes = response.get("sessionAttributes")
        self.attributes = dict(attributes) if isinstance(attributes, dict) else {}
        body = response.get("response") or {}
        self.ended = bool(body.get("shouldEndSession", False)) if isinstance(body, dict) else True

    def _envelope(self, request: dict[str, Any]) -> Envelope:
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        request = {
            **request,
            "requestId": _id("amzn1.echo-api.request"),
            "timestamp": timestamp(self.clock() if self.clock is not None else None),
            "locale": self.locale,
        }
        system: dict[str, Any] = {
            "application": application,
            "user": user,
            "device": {"deviceId": self.device_id, "supportedInterfaces": (
                {"AudioPlayer": {}} if self.player is not None else {})},
            # No apiAccessToken: the skill must not call Alexa's APIs
            # for the console (see skill.core.device_time).
            "apiEndpoint": API_ENDPOINT,
        }
        context: dict[str, Any] = {"System": system}
        state = self.player() if self.player is not None else None
        if state is not None:
            context["AudioPlayer"] = state
        return {
            "version": "1.0",
            "session": {
                "new": self.new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": dict(self.attributes),
                "user": user,
            },
            "context": context,
            "request": request,
        }
