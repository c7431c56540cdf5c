"""skill.core.sdk: the serializers read envelopes exactly as the SDK does; without the
SDK's private helpers everything falls back to its public API."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.services import ApiClientRequest
from ask_sdk_model.slu.entityresolution import Resolutions

import envelopes as E
from skill.builder import build_skill
from skill.core import sdk
from skill.core.sdk import (
    EnvelopeSerializer,
    FastEnvelopeSerializer,
    invoke,
    make_serializer,
    private_helpers,
    timed_api_client,
)
from skill.store.sqlite import SQLiteAdapter

ALEXA_STAMPS = [
    "2024-05-01T12:00:00Z",
    "2024-05-01T12:00:00.123Z",
    "2019-10-07T08:38:27.0Z",
    "2024-05-01T12:00:00.1234567Z",
    "2024-05-01T12:00:00+00:00",
    "2024-05-01T12:00:00+0530",
    "2024-05-01T12:00:00",
    "2024-05-01 12:00:00",
    "May 1 2024 12:00",
]


def with_resolutions(value: dict[str, Any]) -> dict[str, Any]:
    value["request"]["intent"]["slots"]["level"]["resolutions"] = {"resolutionsPerAuthority": [{
        "authority": "amzn1.er-authority.echo-sdk.skill.level", "status": {"code": "ER_SUCCESS_MATCH"},
        "values": [{"value": {"name": "beginner", "id": "BEGINNER"}}]}]}
    return value


def with_extras(value: dict[str, Any]) -> dict[str, Any]:
    value["request"]["unknownField"] = {"kept": [1, 2]}
    value["context"]["System"]["person"] = {"personId": "amzn1.ask.person.X"}
    value["session"]["attributes"] = {"workout": "active", "nested": {"a": [1, None, "b"]}}
    return value


REAL_ENVELOPES = {
    "launch": E.launch(),
    "question": E.question("does salt make my legs puffy"),
    "empty-slot": E.question(None),
    "workout-repeat": E.intent("AMAZON.RepeatIntent", None, attributes={"workout": "active"}),
    "start-workout": E.intent("StartWorkoutIntent", {"level": "beginner"}, new=True),
    "resolutions": with_resolutions(E.intent("StartWorkoutIntent", {"level": "easy"})),
    "session-ended": E.session_ended("ERROR", error={"type": "INVALID_RESPONSE", "message": "x"}),
    "no-session": E.launch(with_session=False),
    "extra-fields": with_extras(E.launch()),
    **{f"stamp-{i}": E.launch(timestamp=stamp) for i, stamp in enumerate(ALEXA_STAMPS)},
}


def sdk_reads(value: Any, obj_type: Any = RequestEnvelope) -> Any:
    return DefaultSerializer().deserialize(json.dumps(value), obj_type)


@pytest.fixture(params=[FastEnvelopeSerializer, EnvelopeSerializer], ids=["fast", "public"])
def serializer(request: pytest.FixtureRequest) -> EnvelopeSerializer:
    made: EnvelopeSerializer = request.param()
    return made


@pytest.mark.parametrize("name", REAL_ENVELOPES)
def test_parsed_envelope_equals_the_sdks_reading_of_the_text(name: str, serializer: EnvelopeSerializer) -> None:
    value = REAL_ENVELOPES[name]
    expected = sdk_reads(value)
    ours = serializer
    got = ours.deserialize_value(json.loads(json.dumps(value)), RequestEnvelope)
    assert got == expected
    assert ours.serialize(got) == DefaultSerializer().serialize(expected)
    assert type(got.request) is type(expected.request)


@pytest.mark.parametrize("stamp", ALEXA_STAMPS)
def test_timestamps_mean_the_same_instant_as_the_sdks(stamp: str, serializer: EnvelopeSerializer) -> None:
    expected = sdk_reads(E.launch(timestamp=stamp)).request.timestamp
    got = serializer.deserialize_value(E.launch(timestamp=stamp), RequestEnvelope)
    stamp_got = got.request.timestamp
    assert stamp_got == expected
    assert stamp_got.utcoffset() == expected.utcoffset()


def test_dates_and_bare_datetimes_read_as_the_sdk_reads_them(serializer: EnvelopeSerializer) -> None:
    ours = serializer
    for text in ("2024-05-01T12:00:00Z", "2024-05-01"):
        assert ours.deserialize(json.dumps(text), date) == sdk_reads(text, date)
        assert ours.deserialize(json.dumps(text), datetime) == sdk_reads(text, datetime)


def test_nested_model_reads_as_the_sdk_reads_it(serializer: EnvelopeSerializer) -> None:
    value = with_resolutions(E.intent("StartWorkoutIntent", {"level": "easy"}))
    resolutions = value["request"]["intent"]["slots"]["level"]["resolutions"]
    assert serializer.deserialize_value(resolutions, Resolutions) == sdk_reads(resolutions, Resolutions)


@pytest.mark.parametrize("value", [
    {"version": "1.0", "request": {"type": "NoSuchRequest"}, "context": {"System": {}}},
    {"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": "yesterday"},
     "context": {"System": {}}},
    {"version": "1.0", "request": {"type": "IntentRequest", "intent": "not an object"},
     "context": {"System": {}}},
], ids=["unknown-type", "bad-timestamp", "intent-not-object"])
def test_malformed_envelopes_fail_as_they_do_in_the_sdk(value: dict[str, Any],
                                                       serializer: EnvelopeSerializer) -> None:
    try:
        expected: Any = sdk_reads(value)
    except SerializationException:
        expected = SerializationException
    try:
        got: Any = serializer.deserialize_value(value, RequestEnvelope)
    except SerializationException:
        got = SerializationException
    assert got == expected


# --- private helpers and their fallbacks --------------------------------------

def test_the_pinned_sdk_has_every_private_helper_so_the_fast_path_is_used() -> None:
    assert private_helpers() is not None
    assert type(make_serializer()) is FastEnvelopeSerializer


def test_a_missing_private_helper_turns_the_fast_path_off() -> None:
    helpers = private_helpers()
    assert helpers is not None
    # A later SDK, as a stand-in class: one private name renamed.
    renamed = {f"_DefaultSerializer__{name}": helper for name, helper in helpers.items()
               if name != "get_obj_by_discriminator"}
    assert private_helpers(type("LaterSerializer", (), renamed)) is None


def test_without_private_helpers_the_skill_answers_through_the_public_api(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    skill = build_skill(SQLiteAdapter(tmp_path / "skill.db"))
    fast = invoke(skill, E.question("does salt make my legs puffy"))
    monkeypatch.setattr(sdk, "_SDK", {})  # as if this SDK lacked a private helper
    public = make_serializer()
    assert type(public) is EnvelopeSerializer
    for value in (E.launch(), E.question("does salt make my legs puffy")):
        assert public.deserialize_value(value, RequestEnvelope) == sdk_reads(value)
    answered = invoke(skill, E.question("does salt make my legs puffy"), serializer=public)
    assert answered["response"]["outputSpeech"] == fast["response"]["outputSpeech"]
    launched = invoke(skill, E.launch(), serializer=public)
    assert launched["response"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_the_api_client_gets_a_timeout_through_its_private_method_resolver() -> None:
    from ask_sdk_core.api_client import DefaultApiClient

    client = timed_api_client((2.0, 3.0))
    assert isinstance(client, DefaultApiClient)
    request = ApiClientRequest(method="GET", url="https://api.amazonalexa.com/v1/x")
    method = client._resolve_method(request)  # type: ignore[attr-defined]
    assert method.keywords == {"timeout": (2.0, 3.0)}


def test_an_api_client_without_the_private_resolver_is_used_as_it_is() -> None:
    class LaterClient:
        """A later SDK's client: no _resolve_method to hook."""

    client = timed_api_client(1.0, LaterClient)
    assert type(client) is LaterClient
