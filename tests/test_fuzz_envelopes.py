"""Property-based fuzzing of request envelopes against the endpoint.

Envelopes start as real ones (launch, intents from the interaction model,
questions, session ends, workout turns) and are then bent: fields replaced
by any JSON value, removed, or joined by keys that would break model objects
(``__dict__``, ``to_dict``), session attributes of any shape (NaN, deep
nesting, forged speech), bodies that are not JSON at all. Whatever comes in,
the answer is 200 with a strict JSON Alexa response or 400/413 with a
reason: never a 500, never a traceback. ``derandomize`` makes every run try
the same cases (the count is in README's Reliability table).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import envelopes as E
from skill.endpoint.app import create_app
from skill.store.sqlite import SQLiteAdapter

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "infra" / "skill-package" / "interactionModels" / "custom" / "en-US.json"
INTENTS = sorted({i["name"] for i in json.loads(MODEL.read_text())["interactionModel"]["languageModel"]["intents"]})
SLOTS = ["query", "level", "exercise", "minutes", "days", "time", "topic"]
#: Examples per property; three properties, so the run tries three times this.
EXAMPLES = 1000

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

KEYS = st.sampled_from(["__dict__", "__class__", "to_dict", "attribute_map", "deserialized_types",
                        "_private", "type", "name", "value", "slots", "last", "speech", "workout",
                        "offer", "topic", "stage", "new", "attributes"]) | st.text(max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=25)
SSML_BITS = st.sampled_from([
    "<speak>", "</speak>", "Hello there.", '<audio src="https://evil.example/a.mp3"/>',
    '<audio src="soundbank://soundlibrary/sports/whistles/sports_whistles_02"/>', '<break time="3s"/>',
    '<break time="99999s"/>', "<prosody rate='x-fast'>", "</prosody>", "&amp;", "&bogus;", "<", ">",
    "<amazon:effect name='whispered'>", "</amazon:effect>", "\u0000", "\x1b[31m", "\n",
])
SSML = st.lists(SSML_BITS, max_size=12).map("".join)


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


ATTRIBUTES = st.dictionaries(
    st.sampled_from(["last", "topic", "stage", "offer", "workout", "workout_level", "reminders", "__dict__"])
    | st.text(max_size=8),
    st.one_of(JSON, st.fixed_dictionaries({"speech": SSML, "reprompt": SSML}),
              st.integers(min_value=1, max_value=60).map(nested)),
    max_size=5)

BASES = st.one_of(
    st.builds(lambda: E.launch()),
    st.builds(lambda name, slots, new: E.intent(name, slots, new=new),
              st.sampled_from(INTENTS) | st.text(max_size=30),
              st.none() | st.dictionaries(st.sampled_from(SLOTS), st.none() | st.text(max_size=60), max_size=3),
              st.booleans()),
    st.builds(lambda text: E.question(text), st.text(max_size=120)),
    st.builds(lambda reason: E.session_ended(reason), st.sampled_from(["USER_INITIATED", "ERROR"]) | st.text(max_size=10)),
    st.builds(lambda: E.launch(with_session=False)),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (keys and list indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def mutate(data: st.DataObject, value: dict[str, Any]) -> Any:
    """``value`` with a few fields replaced, removed or joined by odd keys."""
    for _ in range(data.draw(st.integers(min_value=0, max_value=3), label="mutations")):
        path = data.draw(st.sampled_from(paths(value)), label="path")
        if not path:
            continue
        *parent_path, last = path
        parent: Any = value
        for step in parent_path:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "remove", "add"]), label="action")
        if action == "replace":
            parent[last] = data.draw(JSON, label="value")
        elif action == "remove" and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][data.draw(KEYS, label="key")] = data.draw(JSON, label="value")
    return value


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    return create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(path)}).test_client()


def check_answer(client: FlaskClient, body: bytes) -> None:
    response = client.post("/alexa", data=body, headers={"Content-Type": "application/json"})
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 413), (response.status_code, text[:300])
    event(f"HTTP {response.status_code}")
    assert "Traceback" not in text

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a response body")

    answer = json.loads(text, parse_constant=refuse)
    if response.status_code != 200:
        assert isinstance(answer["error"], str) and answer["error"]
        return
    assert answer["version"] == "1.0" and isinstance(answer["response"], dict)
    speech = answer["response"].get("outputSpeech")
    if speech is not None:
        assert speech["type"] == "SSML"
        root = ElementTree.fromstring(speech["ssml"])
        assert root.tag == "speak" and "evil.example" not in speech["ssml"]
    json.dumps(answer.get("sessionAttributes"), allow_nan=False)


@FUZZ
@given(data=st.data(), base=BASES, attributes=ATTRIBUTES)
def test_bent_envelopes_get_a_valid_answer_or_a_reason(
        client: FlaskClient, data: st.DataObject, base: dict[str, Any], attributes: dict[str, Any]) -> None:
    if "session" in base:
        base["session"]["attributes"] = attributes
    value = mutate(data, base)
    check_answer(client, json.dumps(value, allow_nan=True).encode())


@FUZZ
@given(attributes=ATTRIBUTES, name=st.sampled_from(INTENTS))
def test_any_session_attributes_give_a_strict_answer(
        client: FlaskClient, attributes: dict[str, Any], name: str) -> None:
    value = E.intent(name, attributes=attributes)
    check_answer(client, json.dumps(value, allow_nan=True).encode())


@FUZZ
@given(body=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v, allow_nan=True).encode())
       | st.integers(min_value=1, max_value=3000).map(lambda d: b"[" * d + b"]" * d))
def test_bodies_that_are_not_envelopes_get_400(client: FlaskClient, body: bytes) -> None:
    check_answer(client, body)
