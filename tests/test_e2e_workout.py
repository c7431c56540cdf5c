"""End to end: virtual-alexa (npm) runs a short guided workout on the running server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import serving
from virtual_alexa import drive as drive_script
from virtual_alexa import needs_virtual_alexa

from skill.endpoint.app import create_app
from skill.store.sqlite import SQLiteAdapter
from speech.ssml import check_ssml
from timer.history import History

pytestmark = needs_virtual_alexa


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    # virtual-alexa cannot sign requests: this server runs with verification off.
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "e2e.db")})
    with serving(app) as base:
        yield f"{base}/alexa", tmp_path / "history.db"


def drive(url: str, *utterances: str) -> dict[str, Any]:
    return drive_script("workout.js", url, *utterances)


def test_virtual_alexa_runs_just_squats_pauses_stops_and_resumes(server: tuple[str, Path]) -> None:
    url, history_path = server
    transcript = drive(url, "just squats", "next", "how many sets are left", "pause", "resume", "stop",
                       "resume my workout", "skip this set", "stop")
    turns, requests = transcript["turns"], transcript["requests"]
    assert [r["intent"] for r in requests] == [
        "StartWorkoutIntent", "AMAZON.NextIntent", "WorkoutSetsLeftIntent", "AMAZON.PauseIntent",
        "AMAZON.ResumeIntent", "AMAZON.StopIntent", "WorkoutResumeIntent", "WorkoutSkipIntent",
        "AMAZON.StopIntent"]
    assert requests[0]["slots"]["exercise"]["value"] == "squats"
    start, swings, left, paused, resumed, stopped, again, skipped, last = turns
    assert "squats only" in start["ssml"] and start["sessionAttributes"]["workout"] == "active"
    assert "Leg swings" in swings["ssml"] and swings["reprompt"]
    assert "Two sets left: two of squats" in left["ssml"] and left["shouldEndSession"] is False
    assert "Paused." in paused["ssml"] and paused["shouldEndSession"] is False
    assert "Resuming." in resumed["ssml"] and resumed["shouldEndSession"] is False
    assert stopped["shouldEndSession"] is True and "resume my workout" in stopped["ssml"]
    assert requests[6]["newSession"] is True
    assert "You stopped a moment ago at the warm-up." in again["ssml"]
    assert "Skipping" in skipped["ssml"] and "Squats. Set 1 of 2." in skipped["ssml"]
    # stopped straight after the set was sent: it was not heard, so it is kept for next time
    assert last["shouldEndSession"] is True and "at squats, set one of two" in last["ssml"]
    for t in turns:
        assert check_ssml(t["ssml"], max_seconds=90.0) == []
    [session] = History(history_path).sessions(user=requests[0]["userId"])
    assert session.status == "quit" and session.plan_name == "beginner-only-squat"


def test_a_question_alexa_heard_as_a_workout_gets_the_doctor_answer_then_the_workout_asks(
        server: tuple[str, Path]) -> None:
    # What Alexa sends when its model hears "my calf went numb halfway through the
    # workout" as "{level} workout": the intent, and the level slot's words unresolved.
    heard = json.dumps({"intent": "StartWorkoutIntent",
                        "slots": {"level": "my calf went numb halfway through the"}})
    url, _ = server
    transcript = drive(url, heard, "start a workout", "how do i do a squat")
    turns, requests = transcript["turns"], transcript["requests"]
    level = requests[0]["slots"]["level"]
    assert level["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    numb, start, form = turns
    assert "Please see a doctor if numbness" in numb["ssml"] and numb["shouldEndSession"] is True
    assert "workout" not in numb["sessionAttributes"]
    assert "Earlier you mentioned numbness in your leg." in start["ssml"]
    assert "workout" not in start["sessionAttributes"]
    # the form question is still a form question
    assert requests[2]["intent"] == "WorkoutFormIntent" and "Push your hips back" in form["ssml"]
