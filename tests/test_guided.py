"""Guided workouts driven turn by turn through real request envelopes.

A :class:`Device` plays the speaker: it keeps the session attributes, sends
each request with a timestamp, and moves its clock on by the time the
response takes to speak (or by less, when the user interrupts), so the
skill's progress rule sees what a real user would have heard.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from envelopes import USER_ID, envelope, intent, question
from skill.devtools.chat import Console, InProcess, narration_from_ssml
from skill.devtools.keyboard import PipedKeyboard
from skill.questions.knowledge import load_knowledge
from skill.core.sdk import invoke
from skill.devtools.nlu import LocalNLU
from skill.store import make_store
from skill.store.sqlite import SQLiteAdapter
from skill.builder import build_skill, interaction_model
from skill.workout.flow import turn_words
from skill.workout.guide import guide_for
from skill.workout.plan_spec import PlanSpec
from skill.workout.store import history_user
from speech.live import MuteSpeaker
from speech.ssml import check_ssml
from speech.text import to_text
from timer.history import History

MONDAY = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # Monday in every time zone but the far west
THINK = 2.0  # seconds a user takes to answer
BEGINNER = guide_for(PlanSpec("beginner"), turn_words())


@dataclass
class Turn:
    response: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        return self.response.get("response") or {}

    @property
    def ssml(self) -> str:
        return str((self.body.get("outputSpeech") or {}).get("ssml", ""))

    @property
    def text(self) -> str:
        return to_text(narration_from_ssml(self.ssml))

    @property
    def seconds(self) -> float:
        return narration_from_ssml(self.ssml).estimated_seconds() if self.ssml else 0.0

    @property
    def ended(self) -> bool:
        return bool(self.body.get("shouldEndSession"))

    @property
    def reprompt(self) -> str:
        return str(((self.body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", ""))

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(self.response.get("sessionAttributes") or {})


class Device:
    """An Echo seen from the skill: sessions, attributes and a clock."""

    def __init__(self, skill: Any, now: datetime = MONDAY, user_id: str = USER_ID) -> None:
        self.skill, self.now, self.user_id = skill, now, user_id
        self.attributes: dict[str, Any] = {}
        self.new = True
        self.sessions = itertools.count(1)
        self.session_id = self._session_id()

    def _session_id(self) -> str:
        return f"amzn1.echo-api.session.{next(self.sessions):08d}"

    def later(self, **delta: float) -> None:
        """Time passes and the next request opens a new session."""
        self.now += timedelta(**delta)
        self.attributes, self.new, self.session_id = {}, True, self._session_id()

    def send(self, value: dict[str, Any], heard: float | None = None) -> Turn:
        value["session"].update(new=self.new, attributes=dict(self.attributes), sessionId=self.session_id)
        turn = Turn(invoke(self.skill, value))
        self.attributes, self.new = turn.attributes, False
        self.now += timedelta(seconds=(turn.seconds if heard is None else heard) + THINK)
        if turn.ended:
            self.later()
        return turn

    def say(self, name: str, slots: Mapping[str, str | None] | None = None, heard: float | None = None) -> Turn:
        """An intent; ``heard``: the user speaks up after that many seconds of the answer."""
        return self.send(intent(name, slots, user_id=self.user_id, timestamp=self.now), heard)

    def ask(self, text: str, heard: float | None = None) -> Turn:
        return self.send(question(text, user_id=self.user_id, timestamp=self.now), heard)

    def session_ended(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> Turn:
        request = {"type": "SessionEndedRequest", "reason": reason}
        turn = self.send(envelope(request, user_id=self.user_id, timestamp=self.now))
        self.later()
        return turn

    def start(self, level: str | None = "beginner", **slots: str | None) -> Turn:
        return self.say("StartWorkoutIntent", {"level": level, "minutes": slots.get("minutes"),
                                               "exercise": slots.get("exercise")})

    def next_until(self, ending: str, limit: int = 60) -> Turn:
        """Say next until a response ends with ``ending`` (a question)."""
        for _ in range(limit):
            turn = self.say("AMAZON.NextIntent")
            if turn.text.endswith(ending):
                return turn
            assert not turn.ended, turn.text
        raise AssertionError(f"never reached {ending!r}")


@pytest.fixture
def adapter(tmp_path: Path) -> SQLiteAdapter:
    return SQLiteAdapter(tmp_path / "skill.db")


@pytest.fixture
def device(adapter: SQLiteAdapter) -> Device:
    return Device(build_skill(adapter))


def history(adapter: SQLiteAdapter) -> History:
    return History(adapter.path.parent / "history.db")


def until_set(device: Device, turn: Turn, heading: str) -> Turn:
    """The turn that starts the set ``heading``: ``turn`` itself, or, when the
    coach first asked whether the user is ready (the greeting and the set did
    not fit one response), the answer to "yes"."""
    if heading in turn.text:
        return turn
    assert turn.text.endswith("?") and not turn.ended, turn.text
    turn = device.say("AMAZON.YesIntent")
    assert heading in turn.text
    return turn


def assert_fits(turn: Turn, limit: float = 90.0) -> None:
    assert check_ssml(turn.ssml, max_seconds=limit) == [], turn.text
    assert turn.seconds <= limit + 1.0


# -- a whole workout ---------------------------------------------------------------

def test_full_workout_turn_by_turn_records_a_finished_session(device: Device, adapter: SQLiteAdapter) -> None:
    turns = [device.start()]
    while not turns[-1].ended:
        turns.append(device.say("AMAZON.NextIntent"))
    assert len(turns) == len(BEGINNER.pieces)
    assert "Beginner leg workout" in turns[0].text and "medical advice" in turns[0].text
    assert all(t.attributes.get("offer") == "workout_next" and t.reprompt for t in turns[:-1])
    for turn in turns:
        assert_fits(turn)
    spoken = " ".join(t.text for t in turns)
    for name in ("Squats", "Lunges", "Glute bridges"):
        assert f"{name}. Set 2 of 2." in spoken
    assert "Workout complete" in turns[-1].text and "finished one workout this week" in turns[-1].text
    [session] = history(adapter).sessions(user=USER_ID)
    assert session.status == "finished" and session.plan_name == "beginner"
    assert history(adapter).week_count(MONDAY.astimezone(), USER_ID) == 1
    request = DefaultSerializer().deserialize(json.dumps(intent("X")), RequestEnvelope)
    assert "workout" not in adapter.get_attributes(request)


def test_one_shot_start_keeps_the_session_open_and_first_time_says_beginner(device: Device) -> None:
    turn = device.say("StartWorkoutIntent", {"level": None})
    assert not turn.ended
    assert "first workout, we'll start at the beginner level" in turn.text
    assert turn.attributes["workout"] == "active"


def test_no_level_uses_the_last_level(device: Device) -> None:
    device.start("advanced")
    device.say("AMAZON.StopIntent")
    assert "Shall I start a new one instead?" in device.start(None).text  # the stopped one is kept
    turn = device.say("AMAZON.YesIntent")
    assert "Advanced leg workout" in turn.text and "first workout" not in turn.text


def test_level_synonym_and_minutes_and_single_exercise(device: Device) -> None:
    assert "Intermediate leg workout" in device.start("medium").text
    device.say("AMAZON.StopIntent")
    device.start(None, minutes="10")  # asks first: the stopped workout is kept until then
    assert "10-minute leg workout" in device.say("AMAZON.YesIntent").text
    device.say("AMAZON.StopIntent")
    device.start(None, exercise="squats")
    turn = device.say("AMAZON.YesIntent")  # at the last level used: intermediate
    assert "squats only" in turn.text
    while not turn.ended:
        turn = device.say("AMAZON.NextIntent")
        assert "Lunges" not in turn.text
    assert "3 sets and 36 reps" in turn.text


@pytest.mark.parametrize(("slots", "reply"), [
    ({"exercise": "burpees"}, "I don't know burpees yet"),
    ({"minutes": "500"}, "from two to sixty minutes"),
    ({"level": "olympic"}, "beginner, intermediate and advanced"),
])
def test_start_with_words_it_cannot_use_asks_again(device: Device, slots: dict[str, str], reply: str) -> None:
    turn = device.say("StartWorkoutIntent", slots)
    assert reply in turn.text and not turn.ended and turn.reprompt


# -- stop, pause and resume --------------------------------------------------------

def test_stop_in_the_middle_of_a_set_then_resume_next_session_redoes_that_set(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set two of two?")
    turn = device.say("AMAZON.NextIntent", heard=20)  # squats set 2, interrupted 20 s in
    assert "Set 2 of 2" in turn.text
    stopped = device.say("AMAZON.StopIntent")
    assert stopped.ended
    assert "saved your place at squats, set two of two" in stopped.text
    assert "Alexa, ask leg coach to resume my workout" in stopped.text
    device.later(days=2)
    resumed = device.say("WorkoutResumeIntent")
    assert resumed.text.startswith("You stopped two days ago at squats, set two of two.")
    until_set(device, resumed, "Squats. Set 2 of 2.")


def test_opening_the_skill_after_a_stop_mentions_the_unfinished_workout(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set two of two?")
    assert device.say("AMAZON.StopIntent").ended
    device.later(days=1)
    opened = device.send(envelope({"type": "LaunchRequest"}, user_id=device.user_id, timestamp=device.now))
    assert "You have a workout in progress: say resume my workout" in opened.text
    assert not opened.ended


def test_opening_the_skill_after_a_finished_workout_is_a_plain_welcome(device: Device) -> None:
    device.start(exercise="squats")
    for _ in range(40):
        turn = device.say("AMAZON.NextIntent")
        if "Workout complete" in turn.text:
            break
    else:
        raise AssertionError("the workout never finished")
    device.later(days=1)
    opened = device.send(envelope({"type": "LaunchRequest"}, user_id=device.user_id, timestamp=device.now))
    assert "in progress" not in opened.text and not opened.ended


def test_stop_after_hearing_a_set_resumes_at_the_next_one(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")  # squats set 2 and its rest heard
    assert "saved your place at lunges, set one of two" in device.say("AMAZON.StopIntent").text
    device.later(hours=3)
    resumed = device.say("WorkoutResumeIntent")
    assert resumed.text.startswith("You stopped three hours ago at lunges, set one of two.")
    until_set(device, resumed, "Lunges. Set 1 of 2.")


def test_session_that_times_out_saves_the_place(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    device.session_ended("EXCEEDED_MAX_REPROMPTS")
    device.later(minutes=30)
    until_set(device, device.say("AMAZON.NextIntent"), "Lunges. Set 1 of 2.")


def test_a_lost_response_never_loses_the_set_it_carried(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set two of two?")
    device.send(intent("AMAZON.NextIntent", timestamp=device.now))  # answer never reaches the user
    device.later(days=1)
    resumed = device.say("WorkoutResumeIntent")
    assert "at squats, set two of two" in resumed.text
    until_set(device, resumed, "Squats. Set 2 of 2.")


def test_stale_workout_offers_a_restart(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    device.say("AMAZON.StopIntent")
    device.later(days=21)
    offer = device.say("WorkoutResumeIntent")
    assert offer.text.startswith("You stopped three weeks ago at lunges, set one of two.")
    assert "start again from the beginning?" in offer.text and offer.attributes["offer"] == "workout_restart"
    assert "Let's warm up" in device.say("AMAZON.YesIntent").text


def test_stale_workout_no_carries_on_where_it_stopped(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    device.say("AMAZON.StopIntent")
    device.later(days=30)
    device.say("WorkoutResumeIntent")
    turn = device.say("AMAZON.NoIntent")
    assert turn.text.startswith("Okay, picking up at lunges, set one of two.")
    until_set(device, turn, "Lunges. Set 1 of 2.")


def test_pause_keeps_the_session_open_and_resume_carries_on(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set two of two?")
    paused = device.say("AMAZON.PauseIntent")
    assert paused.text == "Paused. Say resume when you're ready." and not paused.ended
    assert "squats, set two of two" in paused.reprompt
    resumed = device.say("AMAZON.ResumeIntent")
    assert resumed.text.startswith("Resuming. Squats. Set 2 of 2.")


def test_resume_with_nothing_saved_says_how_to_start(device: Device) -> None:
    turn = device.say("WorkoutResumeIntent")
    assert "no workout to pick up" in turn.text and not turn.ended


# -- moving around ---------------------------------------------------------------------

def test_skip_and_back_at_the_first_set(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set one of two?")
    skipped = device.say("WorkoutSkipIntent")
    assert skipped.text.startswith("Skipping squats, set one of two. Squats. Set 2 of 2.")
    assert skipped.text.endswith("Ready for lunges, set one of two?")
    back = device.say("WorkoutBackIntent")
    assert back.text.startswith("Going back to squats, set two of two. Squats. Set 2 of 2.")


def test_back_before_the_first_set_goes_to_the_warm_up_and_then_the_top(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set one of two?")
    assert device.say("AMAZON.PreviousIntent").text.startswith("Going back to the warm-up.")
    top = device.say("WorkoutBackIntent")
    assert top.text.startswith("This is the start of the workout, so from the top.")
    assert "Let's warm up" in top.text


def test_skip_at_the_last_set_and_then_the_cool_down_finishes(device: Device, adapter: SQLiteAdapter) -> None:
    device.start()
    device.next_until("Ready for glute bridges, set two of two?")
    cool = device.say("WorkoutSkipIntent")
    assert cool.text.startswith("Skipping glute bridges, set two of two.") and "cool down" in cool.text
    done = device.say("WorkoutSkipIntent")
    assert done.text.startswith("Skipping the rest of the cool-down.") and "Workout complete" in done.text
    assert done.ended and history(adapter).sessions(user=USER_ID)[0].status == "finished"
    assert "no workout going" in device.say("WorkoutSkipIntent").text


def test_repeat_replays_the_current_turn(device: Device) -> None:
    device.start()
    turn = device.next_until("Ready for squats, set two of two?")
    again = device.say("AMAZON.RepeatIntent")
    assert again.ssml == turn.ssml
    assert "Set 2 of 2" in device.say("AMAZON.NextIntent").text


def test_no_to_ready_waits_and_yes_goes_on(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set one of two?")
    wait = device.say("AMAZON.NoIntent")
    assert wait.text.startswith("No rush.") and not wait.ended
    assert "Squats. Set 1 of 2." in device.say("AMAZON.YesIntent").text


def test_go_on_after_ready_means_next(device: Device) -> None:
    device.start()
    device.next_until("Ready for squats, set one of two?")
    assert "Squats. Set 1 of 2." in device.say("MoreIntent").text


# -- questions during a workout ------------------------------------------------------

def test_sets_left_and_whats_next(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    left = device.say("WorkoutSetsLeftIntent")
    assert left.text.startswith("Four sets left: two of lunges and two of glute bridges, then the cool-down.")
    assert left.text.endswith("Ready for lunges, set one of two?")
    nxt = device.say("WorkoutWhatsNextIntent")
    assert nxt.text.startswith("Next up: lunges, set one of two. Six reps each leg.")


def test_form_cues_for_the_current_and_a_named_exercise(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    current = device.say("WorkoutFormIntent", {"exercise": None})
    assert current.text.startswith("Lunges. Step forward and lower")
    named = device.say("WorkoutFormIntent", {"exercise": "wall sits"})
    assert named.text.startswith("Wall sit. Back flat against a wall")
    assert named.text.endswith("Ready for lunges, set one of two?")


def test_a_question_mid_workout_is_answered_then_the_workout_resumes(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    answer = device.ask("why won't my legs slim down")
    assert "stubborn" in answer.text and "say next to carry on with lunges, set one of two" in answer.text
    assert "say next to carry on" in answer.reprompt and not answer.ended
    assert "Lunges. Set 1 of 2." in device.say("WorkoutNextIntent").text


def test_a_safety_question_heard_as_a_start_mid_workout_gets_the_doctor_answer(device: Device) -> None:
    # Alexa's model may hear "my calf went numb halfway through the workout" as
    # "{level} workout": the skill gets StartWorkoutIntent and the level's words.
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    numb = device.say("StartWorkoutIntent", {"level": "my calf went numb halfway through the"})
    assert numb.text.startswith("Please see a doctor if numbness")
    assert "say next to carry on with lunges, set one of two" in numb.text and not numb.ended
    assert numb.attributes["workout"] == "active" and numb.attributes["topic"] == "numbness"
    device.say("AMAZON.StopIntent")
    assert "Shall I start a new one instead?" in device.start(None).text
    assert device.say("AMAZON.YesIntent").text.startswith("Earlier you mentioned numbness in your leg.")


def test_a_question_that_interrupts_a_set_brings_that_set_back(device: Device) -> None:
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    device.say("AMAZON.NextIntent", heard=15)  # lunges set 1, interrupted
    device.ask("why won't my legs slim down")
    assert "Lunges. Set 1 of 2." in device.say("AMAZON.NextIntent").text


def test_help_and_fallback_during_a_workout_explain_workout_commands(device: Device) -> None:
    device.start()
    help_turn = device.say("AMAZON.HelpIntent")
    assert help_turn.text.startswith("You're in a guided workout.") and "pause" in help_turn.text
    fallback = device.say("AMAZON.FallbackIntent")
    assert "In a workout you can say next, repeat, skip, back, pause or stop." in fallback.text
    assert fallback.text.endswith("Ready for the leg swings?")


def test_help_outside_a_workout_is_unchanged(device: Device) -> None:
    assert "guided workout" not in device.say("AMAZON.HelpIntent").text


def test_go_home_mid_workout_saves_the_place(device: Device) -> None:
    device.start()
    home = device.say("AMAZON.NavigateHomeIntent")
    assert home.text.startswith("I've saved your place in the workout.") and "workout" not in home.attributes
    assert "Stopped" not in device.say("AMAZON.StopIntent").text


def test_yes_to_a_topic_offer_starts_a_workout(device: Device) -> None:
    device.send(envelope({"type": "LaunchRequest"}, timestamp=device.now))
    answer = device.ask("how often should I train")
    assert answer.attributes.get("offer") == "workout"
    assert "Let's warm up" in device.say("AMAZON.YesIntent").text


# -- the week ----------------------------------------------------------------------

def finish_one(device: Device) -> Turn:
    turn = device.start(None, exercise="glute bridges")
    while not turn.ended:
        turn = device.say("AMAZON.NextIntent")
    return turn


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The SQLite store, or the DynamoDB store on Amazon's DynamoDB Local."""
    if request.param == "sqlite":
        return SQLiteAdapter(tmp_path / "skill.db")
    return make_store(f"dynamodb:{request.getfixturevalue('dynamodb_table')}")


def test_weekly_progress_counts_this_weeks_finished_workouts(any_adapter: Any) -> None:
    device = Device(build_skill(any_adapter))
    assert "haven't finished a workout yet this week" in device.say("WeeklyProgressIntent").text
    assert "finished one workout this week. Two more" in finish_one(device).text
    device.later(days=1)
    assert "finished two workouts this week. One more" in finish_one(device).text
    device.later(days=1)
    finish_one(device)
    device.later(hours=1)
    assert "three workouts this week. That's your goal of three reached" in device.say("WeeklyProgressIntent").text
    device.later(days=5)  # the next Monday
    assert "haven't finished a workout yet this week" in device.say("WeeklyProgressIntent").text


def test_stop_and_resume_work_the_same_on_dynamodb(any_adapter: Any) -> None:
    device = Device(build_skill(any_adapter))
    device.start()
    device.next_until("Ready for squats, set two of two?")
    device.say("AMAZON.NextIntent", heard=10)
    device.say("AMAZON.StopIntent")
    device.later(days=1)
    resumed = device.say("WorkoutResumeIntent")
    assert resumed.text.startswith("You stopped yesterday at squats, set two of two.")


# -- the console -------------------------------------------------------------------

def test_the_chat_console_runs_a_whole_workout(adapter: SQLiteAdapter) -> None:
    lines = io.StringIO("".join(f"{line}\n" for line in ["start a beginner workout", "what's next",
                                                         *["next"] * 20]))
    out = io.StringIO()
    console = Console(InProcess(build_skill(adapter)), LocalNLU(interaction_model(load_knowledge())),
                      MuteSpeaker(), out, PipedKeyboard(lines), fast=True)
    assert console.run() == 0
    text = out.getvalue()
    assert "Beginner leg workout" in text and "Next up:" in text and "Workout complete" in text
    # the console is this machine's user: its workouts are the timer's own
    assert history(adapter).sessions(user=history_user(console.conversation.user_id))[0].status == "finished"


def test_form_question_about_something_else_is_answered_as_a_question(device: Device) -> None:
    device.send(envelope({"type": "LaunchRequest"}, timestamp=device.now))
    outside = device.say("WorkoutFormIntent", {"exercise": "a healthy diet"})
    assert "don't know" not in outside.text and not outside.ended and outside.reprompt
    device.start()
    inside = device.say("WorkoutFormIntent", {"exercise": "a healthy diet"})
    assert inside.attributes["workout"] == "active" and "don't know" not in inside.text
    # answered as the question about eating it is, with the way back to the workout
    assert inside.attributes["topic"] == "diet"
    assert inside.text.endswith("say next to carry on with the warm-up.") and "say next" in inside.reprompt


@pytest.mark.parametrize(("setting", "clips"), [("on", True), ("off", False)])
def test_sounds_can_be_turned_off_and_the_limit_set(adapter: SQLiteAdapter, monkeypatch: pytest.MonkeyPatch,
                                                     setting: str, clips: bool) -> None:
    monkeypatch.setenv("LEGCOACH_WORKOUT_SOUNDS", setting)
    monkeypatch.setenv("LEGCOACH_TURN_SECONDS", "60")
    device = Device(build_skill(adapter))
    turns = [device.start()]
    while not turns[-1].ended:
        turns.append(device.say("AMAZON.NextIntent"))
    assert len(turns) > len(BEGINNER.pieces)
    assert any("<audio" in t.ssml for t in turns) is clips
    for turn in turns:
        assert_fits(turn, 60.0)


def test_a_new_turn_limit_between_sessions_picks_up_at_the_same_set(
        adapter: SQLiteAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    device = Device(build_skill(adapter))
    device.start()
    device.next_until("Ready for lunges, set one of two?")
    device.say("AMAZON.StopIntent")
    monkeypatch.setenv("LEGCOACH_TURN_SECONDS", "45")
    device.skill = build_skill(adapter)
    device.later(days=1)
    resumed = device.say("WorkoutResumeIntent")
    assert resumed.text.startswith("Your workout plan has changed since")
    assert "at lunges, set one of two" in resumed.text
    until_set(device, resumed, "Lunges. Set 1 of 2.")


def test_coming_back_another_day_skips_a_rest_left_over(adapter: SQLiteAdapter,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGCOACH_TURN_SECONDS", "45")  # sets and rests in separate turns
    device = Device(build_skill(adapter))
    device.start()
    device.next_until("Say next for your forty second rest.")  # squats set 2 heard
    device.say("AMAZON.StopIntent")
    device.later(days=1)
    resumed = device.say("WorkoutResumeIntent")
    assert resumed.text.startswith("You stopped yesterday at lunges, set one of two.")
    assert "Rest 40 seconds" not in until_set(device, resumed, "Lunges. Set 1 of 2.").text
