"""The user's local time: what "today" and "this week" mean for them.

Alexa stamps every request in UTC; the device's time zone comes from the
Alexa settings API (``/v2/devices/{deviceId}/settings/System.timeZone``,
which needs no permission beyond the request's API access token). Where
that cannot be read (the skill has no API client, the call fails) the
locale's usual zone stands in. A request without an API access token did not
come through Alexa: it is the local console, which runs on the user's own
machine, so this machine's zone is theirs.

Reminders need the zone's name (:func:`time_zone`); the weekly count needs
the request's local time (:func:`local_now`). zoneinfo is imported on
first use: opening the skill needs none of this.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput

from skill.core.context import DEFAULT_LOCALE, facts
from skill.core.context import request_time as request_time  # where it was first looked for

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

log = logging.getLogger("skill.core.device_time")

#: The zone assumed for a locale when the device's cannot be read.
LOCALE_ZONES = {
    "en-US": "America/New_York",
    "en-CA": "America/Toronto",
    "en-GB": "Europe/London",
    "en-AU": "Australia/Sydney",
    "en-IN": "Asia/Kolkata",
}


def request_locale(handler_input: HandlerInput) -> str:
    return facts(handler_input).locale


def from_alexa(handler_input: HandlerInput) -> bool:
    """The request carries an API access token, as every request from Alexa does."""
    return facts(handler_input).from_alexa


def time_zone(handler_input: HandlerInput) -> str:
    """The device's time zone (an IANA name) from the Alexa settings API,
    else the locale's."""
    said = facts(handler_input)
    factory = handler_input.service_client_factory
    if factory is not None and said.device_id and said.from_alexa:
        try:
            name = factory.get_ups_service().get_system_time_zone(said.device_id)
        except Exception as error:  # the locale's zone is a fine fallback
            log.info("time zone not available: %s: %s", type(error).__name__, error)
        else:
            if isinstance(name, str) and zone(name) is not None:
                return name
            log.info("time zone not usable: %r", name)
    return LOCALE_ZONES.get(said.locale, LOCALE_ZONES[DEFAULT_LOCALE])


def zone(name: str) -> ZoneInfo | None:
    """The zone named ``name``, or None if there is no such zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_now(handler_input: HandlerInput, zone_id: str | None = None) -> datetime:
    """The request's time in ``zone_id``; by default in the user's zone:
    the device's (see :func:`time_zone`) for a request from Alexa, this
    machine's for one from the local console."""
    moment = request_time(handler_input)
    if zone_id is None and not from_alexa(handler_input):
        from timer.reminders_config import local_zone  # with its DST rules, not today's offset

        return moment.astimezone(local_zone())
    found = zone(zone_id or time_zone(handler_input))
    return moment.astimezone(found if found is not None else timezone.utc)
