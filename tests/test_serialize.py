"""skill.endpoint.serialize: the endpoint's serializer reads envelopes exactly as the SDK's does."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.slu.entityresolution import Resolutions

import envelopes as E
from skill.endpoint.serialize import EnvelopeSerializer

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


def sdk(value: Any, obj_type: Any = RequestEnvelope) -> Any:
    return DefaultSerializer().deserialize(json.dumps(value), obj_type)


@pytest.mark.parametrize("name", REAL_ENVELOPES)
def test_parsed_envelope_equals_the_sdks_reading_of_the_text(name: str) -> None:
    value = REAL_ENVELOPES[name]
    expected = sdk(value)
    ours = EnvelopeSerializer()
    got = ours.deserialize_value(json.loads(json.dumps(value)), RequestEnvelope)
    assert got == expected
    assert ours.serialize(got) == DefaultSerializer().serialize(expected)
    assert type(got.request) is type(expected.request)


@pytest.mark.parametrize("stamp", ALEXA_STAMPS)
def test_timestamps_mean_the_same_instant_as_the_sdks(stamp: str) -> None:
    expected = sdk(E.launch(timestamp=stamp)).request.timestamp
    got = EnvelopeSerializer().deserialize_value(E.launch(timestamp=stamp), RequestEnvelope)
    stamp_got = got.request.timestamp
    assert stamp_got == expected
    assert stamp_got.utcoffset() == expected.utcoffset()


def test_dates_and_bare_datetimes_read_as_the_sdk_reads_them() -> None:
    ours = EnvelopeSerializer()
    for text in ("2024-05-01T12:00:00Z", "2024-05-01"):
        assert ours.deserialize(json.dumps(text), date) == sdk(text, date)
        assert ours.deserialize(json.dumps(text), datetime) == sdk(text, datetime)


def test_nested_model_reads_as_the_sdk_reads_it() -> None:
    value = with_resolutions(E.intent("StartWorkoutIntent", {"level": "easy"}))
    resolutions = value["request"]["intent"]["slots"]["level"]["resolutions"]
    assert EnvelopeSerializer().deserialize_value(resolutions, Resolutions) == sdk(resolutions, Resolutions)


@pytest.mark.parametrize("value", [
    {"version": "1.0", "request": {"type": "NoSuchRequest"}, "context": {"System": {}}},
    {"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": "yesterday"},
     "context": {"System": {}}},
    {"version": "1.0", "request": {"type": "IntentRequest", "intent": "not an object"},
     "context": {"System": {}}},
], ids=["unknown-type", "bad-timestamp", "intent-not-object"])
def test_malformed_envelopes_fail_as_they_do_in_the_sdk(value: dict[str, Any]) -> None:
    try:
        expected: Any = sdk(value)
    except SerializationException:
        expected = SerializationException
    try:
        got: Any = EnvelopeSerializer().deserialize_value(value, RequestEnvelope)
    except SerializationException:
        got = SerializationException
    assert got == expected
