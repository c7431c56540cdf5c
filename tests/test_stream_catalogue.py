"""Stream mode plays lengths from a grid (what is published and rendered
ahead), says so when it is not the length asked; the turn mode keeps the
exact length. The skill runs in process with a real local segment source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envelopes import intent
from skill.builder import build_skill
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter
from skill.workout.catalogue import STREAM_MINUTES, VOICE_MINUTES, streamed, streamed_minutes
from skill.workout.plan_spec import PlanSpec
from skill.workout.stream import Token
from skill.workout.stream_sources import LocalSegments


def nearest_by_hand(asked: int) -> int:
    return 2 if asked <= 3 else 5 * ((asked + 2) // 5)


@pytest.mark.parametrize("asked", VOICE_MINUTES)
def test_every_length_the_voice_accepts_streams_the_nearest_length_on_the_grid(asked: int) -> None:
    got = streamed_minutes(asked)
    assert got == nearest_by_hand(asked) and got in STREAM_MINUTES
    assert abs(got - asked) <= 2
    assert streamed(PlanSpec("advanced", asked, "lunge")) == PlanSpec("advanced", got, "lunge")


def test_a_workout_as_planned_streams_as_planned() -> None:
    assert streamed_minutes(None) is None
    assert all(streamed_minutes(m) == m for m in STREAM_MINUTES)


@pytest.fixture
def skill(tmp_path: Path) -> Any:
    source = LocalSegments("https://coach.example.com", tmp_path / "cache")
    return build_skill(SQLiteAdapter(tmp_path / "skill.db"), {"AUDIO": source})


def start(skill: Any, minutes: str, audio: bool = True) -> dict[str, Any]:
    value = intent("StartWorkoutIntent", {"minutes": minutes}, new=True)
    if not audio:
        value["context"]["System"]["device"]["supportedInterfaces"] = {}
    response: dict[str, Any] = invoke(skill, value)["response"]
    return response


def test_an_asked_length_off_the_grid_streams_the_nearest_and_the_intro_says_so(skill: Any) -> None:
    response = start(skill, "18")
    (play,) = response["directives"]
    token = Token.parse(play["audioItem"]["stream"]["token"])
    assert token is not None and token.spec == PlanSpec("beginner", 20)
    assert "nearest length I have is twenty minutes" in response["outputSpeech"]["ssml"]
    assert "20-minute leg workout" in response["outputSpeech"]["ssml"]


def test_a_length_on_the_grid_streams_without_a_word_about_it(skill: Any) -> None:
    response = start(skill, "20")
    assert "nearest" not in response["outputSpeech"]["ssml"]
    assert "20-minute leg workout" in response["outputSpeech"]["ssml"]


def test_the_turn_mode_keeps_the_exact_length(skill: Any) -> None:
    response = start(skill, "18", audio=False)
    assert "directives" not in response or not response["directives"]
    assert "nearest" not in response["outputSpeech"]["ssml"]
    assert "18-minute" in response["outputSpeech"]["ssml"]
