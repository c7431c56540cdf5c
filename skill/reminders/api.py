"""Workout reminders on the Alexa device, through the Alexa Reminders API.

One weekly reminder per chosen day (``FREQ=WEEKLY;BYDAY=MO;BYHOUR=18;...``,
the API's ``recurrenceRules`` form; the older ``freq``/``byDay`` fields are
deprecated) in the device's time zone (:mod:`skill.core.device_time`). The ids
(``alertToken``) of the reminders created are kept in the user's persistent
attributes under ``reminders`` so "cancel my reminders" deletes exactly those.

The calls go through ask-sdk-model's service clients, so the skill must be
built with an API client (``build_skill`` gives it ``skill.builder.LazyApiClient``,
the SDK's ``DefaultApiClient`` made on first use).
They need the ``alexa::alerts:reminders:skill:readwrite`` permission: without
it (no consent token, or the API answers 401/403) the skill asks for it with
a consent card.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ServiceException
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)

from skill.core.device_time import local_now, request_locale
from skill.reminders.intents import reminder_data
from timer.reminders_config import DAY_NAMES

PERMISSION = "alexa::alerts:reminders:skill:readwrite"
STORE_KEY = "reminders"
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

log = logging.getLogger("skill.reminders.api")


def say(name: str, **values: str) -> str:
    text: str = reminder_data()["speech"][name]
    return text.format(**values) if values else text


# -- the request --


def first_occurrence(day: int, at: time, now: datetime) -> datetime:
    """The first ``day`` at ``at`` after ``now`` (naive local, as the API wants)."""
    local = now.replace(tzinfo=None, microsecond=0)
    ahead = (day - local.weekday()) % 7
    moment = datetime.combine(local.date() + timedelta(days=ahead), at)
    return moment if moment > local else moment + timedelta(days=7)


def weekly_request(day: int, at: time, zone_id: str, now: datetime, locale: str) -> ReminderRequest:
    """A recurring reminder every ``day`` at ``at`` in ``zone_id``; ``now`` is local."""
    start = first_occurrence(day, at, now)
    rule = f"FREQ=WEEKLY;BYDAY={RRULE_DAYS[day]};BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND=0;INTERVAL=1"
    trigger = Trigger(
        object_type=TriggerType.SCHEDULED_ABSOLUTE,
        scheduled_time=start,
        time_zone_id=zone_id,
        recurrence=Recurrence(start_date_time=start, recurrence_rules=[rule]),
    )
    content = SpokenText(locale=locale, text=say("reminder"))
    return ReminderRequest(
        request_time=now.replace(tzinfo=None, microsecond=0),
        trigger=trigger,
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[content])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


# -- the services --


class RemindersError(Exception):
    """The Reminders API refused or failed; ``kind`` says how to answer."""

    def __init__(self, status: int, done: Sequence[str] = ()) -> None:
        super().__init__(f"Reminders API answered {status}")
        self.status = status
        self.done = list(done)  # tokens created (or deleted) before the failure

    @property
    def kind(self) -> str:
        if self.status in (401, 403):
            return "permission"
        if self.status == 429:
            return "rate_limited"
        return "unavailable"


def has_permission(handler_input: HandlerInput) -> bool:
    """Whether the request carries a consent token (the user granted permissions)."""
    system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
    permissions = system.user.permissions if system is not None and system.user is not None else None
    return bool(permissions is not None and permissions.consent_token)


def _client(handler_input: HandlerInput) -> Any:
    factory = handler_input.service_client_factory
    if factory is None:  # the skill was built without an API client
        raise RemindersError(500)
    return factory.get_reminder_management_service()


def _failed(error: Exception, done: Sequence[str]) -> RemindersError:
    """A RemindersError for a failed call: the API's status, or 500 for anything else."""
    if isinstance(error, ServiceException):
        return RemindersError(int(error.status_code or 500), done)
    log.warning("reminders call failed: %s: %s", type(error).__name__, error)
    return RemindersError(500, done)


def create_weekly(handler_input: HandlerInput, days: Sequence[int], at: time, zone_id: str) -> list[str]:
    """Create one weekly reminder per day; returns their alert tokens.

    On failure raises :class:`RemindersError` with the tokens already created.
    """
    client = _client(handler_input)
    now = local_now(handler_input, zone_id)
    locale = request_locale(handler_input)
    tokens: list[str] = []
    for day in days:
        try:
            response = client.create_reminder(weekly_request(day, at, zone_id, now, locale))
        except Exception as error:
            raise _failed(error, tokens) from error
        if response is None or not getattr(response, "alert_token", None):
            raise RemindersError(500, tokens)
        tokens.append(response.alert_token)
    return tokens


def delete_all(handler_input: HandlerInput, tokens: Sequence[str]) -> list[str]:
    """Delete reminders by token (one already gone counts as deleted); returns the deleted."""
    if not tokens:
        return []
    client = _client(handler_input)
    deleted: list[str] = []
    for token in tokens:
        try:
            client.delete_reminder(token)
        except ServiceException as error:
            if error.status_code != 404:
                raise _failed(error, deleted) from error
        except Exception as error:
            raise _failed(error, deleted) from error
        deleted.append(token)
    return deleted


@dataclass(frozen=True)
class Stored:
    """What the skill remembers about the reminders it created for a user."""

    tokens: tuple[str, ...] = ()
    days: tuple[int, ...] = ()
    time: str = ""
    time_zone: str = ""

    @classmethod
    def of(cls, attributes: Mapping[str, Any]) -> Stored:
        value = attributes.get(STORE_KEY)
        if not isinstance(value, Mapping):
            return cls()
        tokens = tuple(t for t in value.get("tokens", ()) if isinstance(t, str))
        days = tuple(d for d in value.get("days", ()) if isinstance(d, int))
        return cls(tokens, days, str(value.get("time", "")), str(value.get("time_zone", "")))

    def as_json(self) -> dict[str, Any]:
        return {"tokens": list(self.tokens), "days": list(self.days), "time": self.time,
                "time_zone": self.time_zone}
