"""End to end: virtual-alexa (npm) drives the running server through the committed model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import serving
from virtual_alexa import drive as drive_script
from virtual_alexa import needs_virtual_alexa

from skill.endpoint.app import create_app
from skill.store.sqlite import SQLiteAdapter

pytestmark = needs_virtual_alexa


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    # virtual-alexa cannot sign requests: this server runs with verification off.
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "e2e.db")})
    with serving(app) as base:
        yield f"{base}/alexa"


def drive(url: str, *questions: str) -> dict[str, Any]:
    return drive_script("driver.js", url, *questions)


def test_virtual_alexa_conversation_launch_question_more_stop(server_url: str) -> None:
    transcript = drive(server_url, "why won't my legs slim down", "what about diet")
    turns = {t["step"]: t for t in transcript["turns"]}
    launch, more, stop = turns["launch"], turns["more"], turns["stop"]
    questions = [t for t in transcript["turns"] if t["step"] == "question"]

    assert launch["shouldEndSession"] is False and launch["reprompt"]
    assert "medical advice" in launch["ssml"]

    first, diet = questions
    assert first["shouldEndSession"] is False
    assert "Source:" in first["card"]["content"]
    assert diet["sessionAttributes"]["topic"] != first["sessionAttributes"]["topic"]

    assert more["shouldEndSession"] is False
    assert more["sessionAttributes"]["stage"] == "more"
    assert more["sessionAttributes"]["topic"] == diet["sessionAttributes"]["topic"]

    assert stop["shouldEndSession"] is True

    kinds = [(r["type"], r["intent"]) for r in transcript["requests"]]
    assert kinds[0] == ("LaunchRequest", None)
    assert ("IntentRequest", "MoreIntent") in kinds
    assert kinds[-1] == ("IntentRequest", "AMAZON.StopIntent")


def test_virtual_alexa_fills_the_search_query_slot(server_url: str) -> None:
    transcript = drive(server_url, "what about my poor circulation")
    question = next(r for r in transcript["requests"] if r["intent"] == "QuestionIntent")
    assert question["slots"]["query"]["value"] == "my poor circulation"
