"""The user's week is the device's: the weekly count in the device's time
zone (Alexa settings API, on a real local HTTPS server), the locale's when
that API fails or stalls, and this machine's for the local console."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from skill.devtools.chat import narration_from_ssml
from skill.devtools.envelopes import Conversation
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter
from skill.builder import build_skill
from skill.workout.store import history_user
from speech.text import to_text
from tests import envelopes
from tests.alexa_api import AlexaApi, api  # noqa: F401 (api: a fixture)
from tests.instants import WEEK_EDGES, local
from timer.history import History

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"
NONE_YET = "haven't finished a workout yet this week"
ONE = "finished one workout this week"


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=timezone.utc)  # 1 March 2026 is a Sunday


@pytest.fixture
def skill(tmp_path: Path) -> Any:
    return build_skill(SQLiteAdapter(tmp_path / "skill.db"))


def finished_at(tmp_path: Path, user: str, moment: datetime) -> None:
    """A workout ``user`` finished at ``moment``, in the skill's history (the
    console's user is this machine's: the timer's ``local``)."""
    history = History(tmp_path / "history.db")
    try:
        session = history.start("beginner", user=history_user(user), now=moment)
        history.end(session, "finished", now=moment)
    finally:
        history.close()


def weekly(skill: Any, moment: datetime, *, api_url: str | None, locale: str = "en-US") -> str:
    """Ask "how am I doing this week" from an Alexa device at ``moment``."""
    value = envelopes.intent("WeeklyProgressIntent", timestamp=moment, locale=locale)
    system = value["context"]["System"]
    system["apiAccessToken"] = TOKEN
    if api_url is not None:
        system["apiEndpoint"] = api_url
    return spoken(invoke(skill, value))


def spoken(response: dict[str, Any]) -> str:
    return to_text(narration_from_ssml(response["response"]["outputSpeech"]["ssml"]))


def test_the_week_is_the_devices_week(skill: Any, api: AlexaApi, tmp_path: Path) -> None:
    api.time_zone = (200, "America/Los_Angeles")
    finished_at(tmp_path, envelopes.USER_ID, utc(1, 23))  # Sunday 15:00 in Los Angeles
    # Sunday 17:00 in Los Angeles, already Monday in UTC: still the same week there.
    assert ONE in weekly(skill, utc(2, 1), api_url=api.url)
    # Monday 01:00 in Los Angeles: a new week.
    assert NONE_YET in weekly(skill, utc(2, 9), api_url=api.url)
    asked = [c for c in api.calls if c.path.endswith("/settings/System.timeZone")]
    assert len(asked) == 2
    assert asked[0].method == "GET" and asked[0].path == f"/v2/devices/{envelopes.DEVICE_ID}/settings/System.timeZone"
    assert asked[0].headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("answer", [(500, {"code": "INTERNAL_ERROR"}), (200, "Mars/Olympus_Mons")],
                         ids=["api-error", "unknown-zone"])
def test_without_the_devices_zone_the_locales_is_used(
    skill: Any, api: AlexaApi, tmp_path: Path, answer: tuple[int, Any]
) -> None:
    api.time_zone = answer
    finished_at(tmp_path, envelopes.USER_ID, utc(1, 10))  # Sunday 21:00 in Sydney
    # 14:00 UTC Sunday is 01:00 Monday in Sydney: a new week for an Australian device.
    assert NONE_YET in weekly(skill, utc(1, 14), api_url=api.url, locale="en-AU")
    # The same moment for a US device (New York, 09:00 Sunday): the same week.
    assert ONE in weekly(skill, utc(1, 14), api_url=api.url, locale="en-US")


def test_a_stalled_settings_api_times_out_to_the_locales_zone(skill: Any, api: AlexaApi, tmp_path: Path) -> None:
    api.stall = True
    skill.api_client.timeout = 0.2
    finished_at(tmp_path, envelopes.USER_ID, utc(1, 10))
    assert NONE_YET in weekly(skill, utc(1, 14), api_url=api.url, locale="en-AU")
    assert any(c.path.endswith("/settings/System.timeZone") for c in api.calls)


def test_an_unreachable_api_falls_back_without_failing_the_request(skill: Any, tmp_path: Path) -> None:
    # The tests' proxy setting (conftest.no_internet) refuses the real endpoint at once.
    finished_at(tmp_path, envelopes.USER_ID, utc(1, 10))
    assert NONE_YET in weekly(skill, utc(1, 14), api_url=None, locale="en-AU")


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_the_local_console_counts_in_this_machines_zone(
    skill: Any, api: AlexaApi, tmp_path: Path, machine_zone: Callable[[str], None]
) -> None:
    machine_zone("Asia/Tokyo")
    conversation = Conversation()
    finished_at(tmp_path, conversation.user_id, utc(1, 14))  # Sunday 23:00 in Tokyo
    value = conversation.intent("WeeklyProgressIntent")
    assert "apiAccessToken" not in value["context"]["System"]  # the console is not Alexa
    value["context"]["System"]["apiEndpoint"] = api.url
    value["request"]["timestamp"] = envelopes.stamp(utc(1, 16))  # Monday 01:00 in Tokyo
    assert NONE_YET in spoken(invoke(skill, value))
    value["request"]["timestamp"] = envelopes.stamp(utc(1, 14))
    assert ONE in spoken(invoke(skill, value))
    assert api.calls == []  # no call to an Alexa API for the console


def words(count: int) -> str:
    return {0: NONE_YET, 1: ONE}[count]


@pytest.mark.parametrize("zone, finished, asked, count", list(WEEK_EDGES.values()), ids=list(WEEK_EDGES))
def test_the_devices_week_runs_monday_to_sunday_in_its_zone(
    skill: Any, api: AlexaApi, tmp_path: Path, zone: str, finished: tuple[int, ...],
    asked: tuple[int, ...], count: int
) -> None:
    api.time_zone = (200, zone)
    finished_at(tmp_path, envelopes.USER_ID, local(zone, *finished))
    assert words(count) in weekly(skill, local(zone, *asked).astimezone(timezone.utc), api_url=api.url)


@pytest.mark.parametrize("zone, finished, asked, count", list(WEEK_EDGES.values()), ids=list(WEEK_EDGES))
def test_the_consoles_week_runs_monday_to_sunday_in_this_machines_zone(
    skill: Any, tmp_path: Path, machine_zone: Callable[[str], None], zone: str,
    finished: tuple[int, ...], asked: tuple[int, ...], count: int
) -> None:
    machine_zone(zone)
    conversation = Conversation()
    finished_at(tmp_path, conversation.user_id, local(zone, *finished))
    value = conversation.intent("WeeklyProgressIntent")
    value["request"]["timestamp"] = envelopes.stamp(local(zone, *asked).astimezone(timezone.utc))
    assert words(count) in spoken(invoke(skill, value))
