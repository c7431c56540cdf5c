"""Workout reminders on the device, against a real local HTTPS server standing
in for the Alexa APIs (tests/alexa_api.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from skill.reminders.handlers import CANCEL_INTENT, REMINDER_HANDLERS, SET_INTENT, spoken_days, spoken_time
from skill.model.generator import check_intents
from skill.store.sqlite import SQLiteAdapter
from skill.builder import HANDLERS, build_skill
from skill.reminders.api import PERMISSION, say
from skill.reminders.intents import reminder_intents
from speech.model import Narration
from speech.ssml import to_ssml
from tests import envelopes
from tests.alexa_api import AlexaApi, api  # noqa: F401 (api: a fixture)

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"
#: Tuesday 24 November 2026, 17:00 in Berlin.
NOW = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)
SERIALIZER = DefaultSerializer()


@pytest.fixture
def adapter(tmp_path: Path) -> SQLiteAdapter:
    return SQLiteAdapter(tmp_path / "skill.db")


@pytest.fixture
def skill(adapter: SQLiteAdapter) -> CustomSkill:
    """The real skill with the reminder handlers and an API client."""
    handlers = HANDLERS
    if not set(REMINDER_HANDLERS) <= set(HANDLERS):
        handlers = (*HANDLERS[:-1], *REMINDER_HANDLERS, HANDLERS[-1])  # before the unknown-intent catch-all
    built = build_skill(adapter, handlers=handlers)
    if built.api_client is None:
        built.api_client = DefaultApiClient()
    return built


def request(api: AlexaApi | None, intent: str, slots: Mapping[str, str | None] | None = None, *,
            consent: bool = True, locale: str = "en-US", endpoint: str | None = None) -> dict[str, Any]:
    value = envelopes.intent(intent, slots, timestamp=NOW, locale=locale)
    system = value["context"]["System"]
    system["apiEndpoint"] = endpoint or (api.url if api else envelopes.API_ENDPOINT)
    system["apiAccessToken"] = TOKEN
    if consent:
        system["user"]["permissions"] = {"consentToken": TOKEN}
    return value


def ask(skill: CustomSkill, envelope: dict[str, Any]) -> dict[str, Any]:
    parsed = SERIALIZER.deserialize(json.dumps(envelope), RequestEnvelope)
    response = SERIALIZER.serialize(skill.invoke(request_envelope=parsed, context=None))
    assert isinstance(response, dict)
    return response


def speech(response: dict[str, Any]) -> str:
    return str(response["response"]["outputSpeech"]["ssml"])


def spoken(line: str) -> str:
    """The SSML the skill sends for the reminder line ``line``."""
    return to_ssml(Narration.of(say(line)))


def stored(adapter: SQLiteAdapter) -> Any:
    parsed = SERIALIZER.deserialize(json.dumps(envelopes.launch()), RequestEnvelope)
    return adapter.get_attributes(parsed).get("reminders")


MWF = {"dayone": "Monday", "daytwo": "Wednesday", "daythree": "Friday", "time": "18:00"}


def weekly_body(day: str, date: str, locale: str = "en-US", zone: str = "Europe/Berlin",
                request_time: str = "2026-11-24T17:00:00") -> dict[str, Any]:
    start = f"{date}T18:00:00"
    return {
        "requestTime": request_time,
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": start,
            "timeZoneId": zone,
            "recurrence": {
                "startDateTime": start,
                "recurrenceRules": [f"FREQ=WEEKLY;BYDAY={day};BYHOUR=18;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": say("reminder")}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def test_setting_reminders_posts_one_weekly_reminder_per_day(api: AlexaApi, skill: CustomSkill,
                                                              adapter: SQLiteAdapter) -> None:
    response = ask(skill, request(api, SET_INTENT, MWF))
    assert [(c.method, c.path) for c in api.calls] == [
        ("GET", f"/v2/devices/{envelopes.DEVICE_ID}/settings/System.timeZone"),
        ("POST", "/v1/alerts/reminders"),
        ("POST", "/v1/alerts/reminders"),
        ("POST", "/v1/alerts/reminders"),
    ]
    assert {c.headers["Authorization"] for c in api.calls} == {f"Bearer {TOKEN}"}
    posts = api.calls[1:]
    assert all(c.headers["Content-type"] == "application/json" for c in posts)
    assert [c.body for c in posts] == [
        weekly_body("MO", "2026-11-30"), weekly_body("WE", "2026-11-25"), weekly_body("FR", "2026-11-27")]
    assert speech(response) == (
        "<speak>Done. I&apos;ll remind you to do your leg workout every Monday, Wednesday and Friday at 6 pm. "
        "To stop them, say: cancel my reminders.</speak>")
    assert response["response"]["shouldEndSession"] is True
    assert stored(adapter) == {"tokens": ["token-1", "token-2", "token-3"], "days": [0, 2, 4],
                               "time": "18:00", "time_zone": "Europe/Berlin"}


def test_cancel_deletes_exactly_the_reminders_it_created(api: AlexaApi, skill: CustomSkill,
                                                         adapter: SQLiteAdapter) -> None:
    ask(skill, request(api, SET_INTENT, MWF))
    api.calls.clear()
    response = ask(skill, request(api, CANCEL_INTENT))
    assert [(c.method, c.path, c.headers["Authorization"]) for c in api.calls] == [
        ("DELETE", f"/v1/alerts/reminders/token-{n}", f"Bearer {TOKEN}") for n in (1, 2, 3)]
    assert speech(response) == spoken('cancelled')
    assert stored(adapter)["tokens"] == []
    api.calls.clear()
    again = ask(skill, request(api, CANCEL_INTENT))
    assert api.calls == []
    assert speech(again) == spoken('nothing_to_cancel')


def test_setting_reminders_again_replaces_the_old_ones(api: AlexaApi, skill: CustomSkill,
                                                       adapter: SQLiteAdapter) -> None:
    ask(skill, request(api, SET_INTENT, MWF))
    api.calls.clear()
    ask(skill, request(api, SET_INTENT, {"dayone": "tuesday", "time": "EV"}))
    assert [(c.method, c.path) for c in api.calls][1:] == [
        ("DELETE", "/v1/alerts/reminders/token-1"), ("DELETE", "/v1/alerts/reminders/token-2"),
        ("DELETE", "/v1/alerts/reminders/token-3"), ("POST", "/v1/alerts/reminders")]
    assert api.calls[-1].body == weekly_body("TU", "2026-11-24")  # later today
    assert stored(adapter)["tokens"] == ["token-4"]


def test_without_permission_it_sends_a_consent_card_and_calls_nothing(api: AlexaApi, skill: CustomSkill) -> None:
    response = ask(skill, request(api, SET_INTENT, MWF, consent=False))
    assert api.calls == []
    assert response["response"]["card"] == {"type": "AskForPermissionsConsent", "permissions": [PERMISSION]}
    assert speech(response) == spoken('permission')


@pytest.mark.parametrize(("status", "line", "card"), [
    (401, "permission", True),
    (403, "permission", True),
    (429, "rate_limited", False),
    (500, "unavailable", False),
], ids=["401", "403", "429", "500"])
def test_api_errors_are_answered_with_a_way_forward(api: AlexaApi, skill: CustomSkill, adapter: SQLiteAdapter,
                                                    status: int, line: str, card: bool) -> None:
    api.answers.append((status, {"code": "ERROR", "message": f"status {status}"}))
    response = ask(skill, request(api, SET_INTENT, MWF))
    assert speech(response) == spoken(line)
    assert ("card" in response["response"]) is card
    if card:
        assert response["response"]["card"]["permissions"] == [PERMISSION]
    assert [c.method for c in api.calls] == ["GET", "POST"]  # stops at the first failure
    assert stored(adapter) is None


def test_spoken_error_lines_say_what_to_do() -> None:
    assert "in a minute" in say("rate_limited")
    assert "couldn't reach your reminders" in say("unavailable") and "later" in say("unavailable")


def test_reminders_created_before_a_failure_are_kept_for_cancel(api: AlexaApi, skill: CustomSkill,
                                                                adapter: SQLiteAdapter) -> None:
    api.answers.extend([(201, {"alertToken": "first", "status": "ON"}), (429, {"code": "RATE_EXCEEDED"})])
    response = ask(skill, request(api, SET_INTENT, MWF))
    assert speech(response) == spoken('rate_limited')
    assert stored(adapter)["tokens"] == ["first"]
    api.calls.clear()
    ask(skill, request(api, CANCEL_INTENT))
    assert [(c.method, c.path) for c in api.calls] == [("DELETE", "/v1/alerts/reminders/first")]


def test_cancel_failure_keeps_the_reminders_not_deleted(api: AlexaApi, skill: CustomSkill,
                                                        adapter: SQLiteAdapter) -> None:
    ask(skill, request(api, SET_INTENT, MWF))
    api.answers.extend([(200, None), (500, {"code": "INTERNAL_ERROR"})])
    response = ask(skill, request(api, CANCEL_INTENT))
    assert speech(response) == spoken('unavailable')
    assert stored(adapter)["tokens"] == ["token-2", "token-3"]


def test_reminder_already_deleted_in_the_app_counts_as_cancelled(api: AlexaApi, skill: CustomSkill,
                                                                 adapter: SQLiteAdapter) -> None:
    ask(skill, request(api, SET_INTENT, {"dayone": "friday", "time": "07:30"}))
    api.answers.append((404, {"code": "NOT_FOUND"}))
    response = ask(skill, request(api, CANCEL_INTENT))
    assert speech(response) == spoken('cancelled')
    assert stored(adapter)["tokens"] == []


def test_unreachable_api_is_answered_not_crashed(api: AlexaApi, skill: CustomSkill) -> None:
    closed = "https://localhost:9"  # discard port: nothing listens there
    response = ask(skill, request(None, SET_INTENT, MWF, endpoint=closed))
    assert speech(response) == spoken('unavailable')


def test_time_zone_falls_back_to_the_locale(api: AlexaApi, skill: CustomSkill) -> None:
    api.time_zone = (500, {"code": "INTERNAL_ERROR"})
    ask(skill, request(api, SET_INTENT, {"dayone": "Monday", "time": "18:00"}, locale="en-GB"))
    assert api.calls[-1].body == weekly_body("MO", "2026-11-30", locale="en-GB", zone="Europe/London",
                                             request_time="2026-11-24T16:00:00")


def test_days_and_time_left_out_use_monday_wednesday_friday_at_six(api: AlexaApi, skill: CustomSkill) -> None:
    response = ask(skill, request(api, SET_INTENT, {"dayone": None, "time": None}))
    assert [c.body["trigger"]["recurrence"]["recurrenceRules"][0][:20] for c in api.calls[1:]] == [
        "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=WE", "FREQ=WEEKLY;BYDAY=FR"]
    assert "every Monday, Wednesday and Friday at 6 pm" in speech(response)


def test_unclear_day_asks_which_days_and_keeps_listening(api: AlexaApi, skill: CustomSkill) -> None:
    response = ask(skill, request(api, SET_INTENT, {"dayone": "someday", "time": "18:00"}))
    assert api.calls == []
    assert speech(response) == spoken('which_days')
    assert response["response"]["reprompt"]["outputSpeech"]["ssml"] == spoken('which_days_reprompt')
    assert response["response"].get("shouldEndSession") is False


@pytest.mark.parametrize(("days", "words"), [((0,), "Monday"), ((1, 3), "Tuesday and Thursday"),
                                             ((0, 2, 4), "Monday, Wednesday and Friday")])
def test_days_are_spoken_as_a_list(days: tuple[int, ...], words: str) -> None:
    assert spoken_days(days) == words


def test_times_are_spoken_as_on_a_clock() -> None:
    from datetime import time
    assert [spoken_time(t) for t in (time(18), time(6, 30), time(12), time(0, 5))] == [
        "6 pm", "6:30 am", "noon", "12:05 am"]


def test_reminder_intents_are_valid_model_data() -> None:
    specs = list(reminder_intents())
    assert [s.name for s in specs] == [CANCEL_INTENT, SET_INTENT]
    assert check_intents(specs) == []
    set_spec = specs[1]
    assert dict(set_spec.slots) == {"dayone": "AMAZON.DayOfWeek", "daytwo": "AMAZON.DayOfWeek",
                                    "daythree": "AMAZON.DayOfWeek", "time": "AMAZON.TIME"}
    assert "remind me to do my leg workout on {dayone} {daytwo} and {daythree} at {time}" in set_spec.samples
    assert "cancel my reminders" in specs[0].samples
    assert {name for handler in REMINDER_HANDLERS for name in handler.intents} == {SET_INTENT, CANCEL_INTENT}
