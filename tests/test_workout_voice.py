"""Rests and sets by voice: "ten more seconds", "skip the rest", "restart this
set" (not "back", the set before), and a new workout asks before it
replaces one in progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_guided import Device

from skill.builder import build_skill
from skill.store.sqlite import SQLiteAdapter


@pytest.fixture
def device(tmp_path: Path) -> Device:
    return Device(build_skill(SQLiteAdapter(tmp_path / "skill.db")))


def at_squats_set_one(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set one of two?")


def test_ten_more_seconds_rests_that_long_then_asks_again(device: Device) -> None:
    at_squats_set_one(device)
    device.say("AMAZON.NextIntent")  # squats set 1 and its rest, heard to the end
    turn = device.say("WorkoutMoreRestIntent", {"seconds": "10"})
    assert turn.text.startswith("Okay, ten more seconds.")
    assert turn.text.endswith("Ready for squats, set two of two?") and not turn.ended
    assert 'time="10s"' in turn.ssml
    assert turn.attributes["workout"] == "active"
    assert "Squats. Set 2 of 2" in device.say("AMAZON.NextIntent").text


@pytest.mark.parametrize(("said", "words", "breaks"), [
    (None, "ten", ['time="10s"']), ("twenty", "twenty", ['time="10s"', 'time="10s"']),
    ("1000", "sixty", ['time="10s"'] * 6)], ids=["default", "words", "capped"])
def test_more_rest_takes_the_number_said_within_limits(device: Device, said: str | None, words: str,
                                                       breaks: list[str]) -> None:
    at_squats_set_one(device)
    device.say("AMAZON.NextIntent")
    turn = device.say("WorkoutMoreRestIntent", {"seconds": said})
    assert turn.text.startswith(f"Okay, {words} more seconds.")
    assert turn.ssml.count('time="10s"') >= len(breaks)


def test_skip_the_rest_starts_the_next_set_at_once(device: Device) -> None:
    at_squats_set_one(device)
    device.say("AMAZON.NextIntent", heard=40)  # the reps are done, the rest has begun
    turn = device.say("WorkoutSkipRestIntent")
    assert turn.text.startswith("Skipping the rest. Squats. Set 2 of 2")


def test_restart_this_set_redoes_the_set_under_way_and_back_goes_to_the_one_before(
        device: Device) -> None:
    at_squats_set_one(device)
    device.say("AMAZON.NextIntent")
    device.say("AMAZON.NextIntent", heard=8)  # squats set 2, a few reps in
    restarted = device.say("WorkoutRestartSetIntent", heard=8)
    assert restarted.text.startswith("Restarting squats, set two of two. Squats. Set 2 of 2")
    back = device.say("WorkoutBackIntent")
    assert back.text.startswith("Going back to squats, set one of two.")


def test_a_new_workout_asks_before_replacing_one_in_progress(device: Device) -> None:
    at_squats_set_one(device)
    asked = device.start("advanced")
    assert asked.text == ("You're partway through a workout, at squats, set one of two. "
                          "Shall I start a new one instead?")
    assert not asked.ended
    kept = device.say("AMAZON.NoIntent")
    assert "Squats. Set 1 of 2" in kept.text
    device.start("advanced")
    replaced = device.say("AMAZON.YesIntent")
    assert "Advanced leg workout" in replaced.text


def test_a_new_workout_does_not_ask_about_one_stopped_long_ago(device: Device) -> None:
    device.start()
    device.later(days=20)
    assert "Advanced leg workout" in device.start("advanced").text
