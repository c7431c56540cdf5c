"""Workout reminders on the device: "remind me to do my leg workout on Monday,
Wednesday and Friday at six pm", and "cancel my reminders".

Setting reminders replaces the ones Leg Coach set before (deleted first, so
a user never gets two of the same). Every API answer is spoken as a way
forward: 401/403 ask for the permission with a consent card, 429 asks to
try again in a minute, anything else says the reminders could not be
reached. Tokens are stored as soon as they exist, even after a partial
failure, so "cancel my reminders" can always delete what was created.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.core.device_time import time_zone
from skill.core.coach import IntentHandler, log
from skill.reminders.api import (
    PERMISSION,
    STORE_KEY,
    RemindersError,
    Stored,
    create_weekly,
    delete_all,
    has_permission,
    say,
)
from skill.core.responses import Reply, render
from skill.reminders.intents import CANCEL_INTENT, SET_INTENT, reminder_data
from skill.store.attributes import update_stored
from speech.model import Narration
from timer.reminders_config import DAY_NAMES, day_index

DAY_SLOTS = ("dayone", "daytwo", "daythree")
TIME_SLOT = "time"
#: AMAZON.TIME sends these for "morning", "afternoon", "evening", "night".
PARTS_OF_DAY = {"MO": time(8, 0), "AF": time(13, 0), "EV": time(18, 0), "NI": time(20, 0)}


def parse_days(values: Iterable[str]) -> tuple[int, ...] | None:
    """Sorted distinct days; None if any value is not a day."""
    days = set()
    for value in values:
        index = day_index(value.strip().rstrip("."))  # "Mon." too
        if index is None:
            return None
        days.add(index)
    return tuple(sorted(days))


def parse_time(value: str | None) -> time | None:
    """An AMAZON.TIME value ("18:00", "06:30", "EV") as a time; None if unusable."""
    if not value:
        return None
    value = value.strip().upper()
    if value in PARTS_OF_DAY:
        return PARTS_OF_DAY[value]
    try:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def spoken_days(days: Sequence[int]) -> str:
    """(0, 2, 4) -> "Monday, Wednesday and Friday"."""
    names = [DAY_NAMES[d].capitalize() for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def spoken_time(at: time) -> str:
    """18:00 -> "6 pm", 06:30 -> "6:30 am", 12:00 -> "noon"."""
    if at == time(12, 0):
        return "noon"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


def slot_values(handler_input: HandlerInput, name: str) -> list[str]:
    """The words a slot holds: one value, or each value of a multiple-value slot."""
    slot = get_slot(handler_input, name)
    if slot is None:
        return []
    values = getattr(getattr(slot, "slot_value", None), "values", None)
    if values:
        return [v.value for v in values if getattr(v, "value", None)]
    return [slot.value] if slot.value else []


def requested_days(handler_input: HandlerInput) -> tuple[int, ...] | None:
    """The days asked for (the default three when none were said); None if unclear."""
    words = [word for name in DAY_SLOTS for word in slot_values(handler_input, name)]
    return parse_days(words or reminder_data()["defaults"]["days"])


def requested_time(handler_input: HandlerInput) -> time | None:
    said = slot_values(handler_input, TIME_SLOT)
    return parse_time(said[0] if said else reminder_data()["defaults"]["time"])


def stored(handler_input: HandlerInput, adapter: Any) -> Stored:
    return Stored.of(adapter.get_attributes(handler_input.request_envelope) or {})


def remember(handler_input: HandlerInput, adapter: Any, value: Stored) -> None:
    """Store ``value`` beside the user's other attributes."""
    update_stored(adapter, handler_input.request_envelope,
                  lambda current: {**current, STORE_KEY: value.as_json()})


def speak(handler_input: HandlerInput, name: str, **values: str) -> Response:
    return render(handler_input, Reply(Narration.of(say(name, **values))))


def ask_permission(handler_input: HandlerInput) -> Response:
    response = speak(handler_input, "permission")
    response.card = AskForPermissionsConsentCard(permissions=[PERMISSION])
    return response


def failure(handler_input: HandlerInput, error: RemindersError) -> Response:
    log.warning("reminders: %s (%s)", error, error.kind)
    if error.kind == "permission":
        return ask_permission(handler_input)
    return speak(handler_input, error.kind)


class _RemindersHandler(IntentHandler):
    @property
    def adapter(self) -> Any:
        return getattr(self.coach.visits, "adapter", None)


class SetWorkoutRemindersHandler(_RemindersHandler):
    """Creates one weekly reminder per day asked, replacing the previous ones."""

    intents = (SET_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        days, at = requested_days(handler_input), requested_time(handler_input)
        if not days or at is None:
            reply = Reply(Narration.of(say("which_days")), Narration.of(say("which_days_reprompt")))
            return render(handler_input, reply)
        if not has_permission(handler_input):
            return ask_permission(handler_input)
        before = stored(handler_input, self.adapter)
        zone = time_zone(handler_input)
        try:
            delete_all(handler_input, before.tokens)  # replace, never duplicate
        except RemindersError as error:
            left = tuple(t for t in before.tokens if t not in error.done)
            remember(handler_input, self.adapter, Stored(left, before.days, before.time, before.time_zone))
            return failure(handler_input, error)
        try:
            tokens = create_weekly(handler_input, days, at, zone)
        except RemindersError as error:
            if error.done or before.tokens:  # what exists now: only those created
                remember(handler_input, self.adapter, Stored(tuple(error.done), days, f"{at:%H:%M}", zone))
            return failure(handler_input, error)
        remember(handler_input, self.adapter, Stored(tuple(tokens), days, f"{at:%H:%M}", zone))
        return speak(handler_input, "created", days=spoken_days(days), time=spoken_time(at))


class CancelRemindersHandler(_RemindersHandler):
    """Deletes exactly the reminders Leg Coach created for this user."""

    intents = (CANCEL_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        before = stored(handler_input, self.adapter)
        if not before.tokens:
            return speak(handler_input, "nothing_to_cancel")
        try:
            delete_all(handler_input, before.tokens)
        except RemindersError as error:
            left = tuple(t for t in before.tokens if t not in error.done)
            remember(handler_input, self.adapter, Stored(left, before.days, before.time, before.time_zone))
            return failure(handler_input, error)
        remember(handler_input, self.adapter, Stored())
        return speak(handler_input, "cancelled")


#: For skill.builder.HANDLERS (before UnknownIntentHandler).
REMINDER_HANDLERS = (SetWorkoutRemindersHandler, CancelRemindersHandler)
