"""A workout as one stream: the skill's side of Alexa's AudioPlayer.

The skill runs in process with a real SQLite store and a real local segment
source (espeak-ng and LAME render a two-minute plan); requests are the
envelopes a device sends, playback events included."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from envelopes import USER_ID, envelope, intent
from skill.builder import build_skill
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter
from skill.workout.plan_spec import PlanSpec
from skill.workout.stream import MAX_TOKEN, STREAM_KEY, Token
from skill.workout.stream_sources import LocalSegments
from timer.history import History
from timer.plans import loads_plan

BASE = "https://coach.example.com"
SPEC_SLOTS = {"level": None, "minutes": "2", "exercise": "squats"}
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> LocalSegments:
    return LocalSegments(BASE, tmp_path_factory.mktemp("stream-cache"))


class Echo:
    """A device with AudioPlayer: what it sends, and what the skill answered."""

    def __init__(self, skill: Any, audio: bool = True) -> None:
        self.skill, self.audio, self.now = skill, audio, NOW
        self.player: dict[str, Any] | None = None
        self.spoken = 0  # utterances the user had to say

    def _send(self, value: dict[str, Any]) -> dict[str, Any]:
        if not self.audio:
            value["context"]["System"]["device"]["supportedInterfaces"] = {}
        if self.player is not None:
            value["context"]["AudioPlayer"] = dict(self.player)
        self.now += timedelta(seconds=1)
        return invoke(self.skill, value)["response"]

    def say(self, name: str, slots: dict[str, str | None] | None = None) -> dict[str, Any]:
        self.spoken += 1
        return self._send(intent(name, slots, new=True, timestamp=self.now))

    def event(self, kind: str, token: str, offset: int = 0, **extra: Any) -> dict[str, Any]:
        request = {"type": kind, "token": token, "offsetInMilliseconds": offset, **extra}
        return self._send(envelope(request, with_session=False, timestamp=self.now))

    def holding(self, token: str, offset: int = 0, activity: str = "PLAYING") -> None:
        self.player = {"token": token, "offsetInMilliseconds": offset, "playerActivity": activity}


@pytest.fixture
def skill(tmp_path: Path, source: LocalSegments) -> Any:
    return build_skill(SQLiteAdapter(tmp_path / "skill.db"), {"AUDIO": source})


@pytest.fixture
def echo(skill: Any) -> Echo:
    return Echo(skill)


def plays(response: dict[str, Any]) -> dict[str, Any]:
    (directive,) = [d for d in response.get("directives", []) if d["type"] == "AudioPlayer.Play"]
    return directive


def only_audio_player(response: dict[str, Any]) -> bool:
    return (not {"outputSpeech", "card", "reprompt"} & set(response)
            and all(d["type"].startswith("AudioPlayer.") for d in response.get("directives", [])))


def stored(tmp_path: Path) -> dict[str, Any]:
    """The user's persistent attributes, read from the store's file."""
    value = DefaultSerializer().deserialize(json.dumps(envelope({"type": "LaunchRequest"})), RequestEnvelope)
    return dict(SQLiteAdapter(tmp_path / "skill.db").get_attributes(value) or {})


def start(echo: Echo) -> dict[str, Any]:
    response = echo.say("StartWorkoutIntent", SPEC_SLOTS)
    play = plays(response)
    echo.holding(play["audioItem"]["stream"]["token"])
    return response


def test_start_speaks_an_intro_and_plays_the_first_segment_ending_the_session(echo: Echo, tmp_path: Path) -> None:
    response = start(echo)
    assert "play the whole workout" in response["outputSpeech"]["ssml"]
    assert response["shouldEndSession"] is True
    play = plays(response)
    assert play["playBehavior"] == "REPLACE_ALL"
    stream = play["audioItem"]["stream"]
    token = Token.parse(stream["token"])
    assert token is not None and token.segment == 0 and token.spec == PlanSpec("beginner", 2, "squat")
    assert stream["url"].startswith(f"{BASE}/audio/") and stream["url"].endswith(".mp3")
    assert stream["offsetInMilliseconds"] == 0 and "expectedPreviousToken" not in stream
    assert stored(tmp_path)[STREAM_KEY]["status"] == "playing"


def test_a_whole_workout_plays_through_events_with_one_utterance(echo: Echo, tmp_path: Path) -> None:
    token = plays(start(echo))["audioItem"]["stream"]["token"]
    parts = 0
    while True:
        parts += 1
        assert only_audio_player(echo.event("AudioPlayer.PlaybackStarted", token))
        nearly = echo.event("AudioPlayer.PlaybackNearlyFinished", token)
        assert only_audio_player(nearly)
        assert only_audio_player(echo.event("AudioPlayer.PlaybackFinished", token))
        if not nearly.get("directives"):
            break
        play = plays(nearly)
        assert play["playBehavior"] == "ENQUEUE"
        assert play["audioItem"]["stream"]["expectedPreviousToken"] == token
        token = play["audioItem"]["stream"]["token"]
    assert parts == len(LocalSegments(BASE, tmp_path).renderer.stream(PlanSpec("beginner", 2, "squat").plan()).segments)
    assert echo.spoken == 1
    assert STREAM_KEY not in stored(tmp_path)
    (session,) = History(tmp_path / "history.db").sessions(USER_ID)
    assert session.status == "finished"


@pytest.mark.parametrize(("offset_s", "expected"), [(0.5, 1), (3.0, 1), (10_000.0, 2)])
def test_pause_then_resume_plays_from_the_start_of_the_interrupted_set(echo: Echo, offset_s: float,
                                                                       expected: int) -> None:
    token = Token.parse(plays(start(echo))["audioItem"]["stream"]["token"])
    assert token is not None
    second = token.at(1).encode()
    echo.event("AudioPlayer.PlaybackStarted", second)
    echo.holding(second, int(offset_s * 1000))
    paused = echo.say("AMAZON.PauseIntent")
    assert [d["type"] for d in paused["directives"]] == ["AudioPlayer.Stop"]
    echo.event("AudioPlayer.PlaybackStopped", second, int(offset_s * 1000))
    echo.holding(second, int(offset_s * 1000), "STOPPED")
    resumed = plays(echo.say("AMAZON.ResumeIntent"))
    assert resumed["playBehavior"] == "REPLACE_ALL"
    again = Token.parse(resumed["audioItem"]["stream"]["token"])
    assert again is not None and again.segment == min(expected, 2)
    assert resumed["audioItem"]["stream"]["offsetInMilliseconds"] == 0


def test_resume_my_workout_days_later_plays_the_saved_set(skill: Any) -> None:
    echo = Echo(skill)
    token = Token.parse(plays(start(echo))["audioItem"]["stream"]["token"])
    assert token is not None
    echo.event("AudioPlayer.PlaybackStopped", token.at(1).encode(), 1500)
    later = Echo(skill)  # another day: the device's player holds someone else's audio
    later.holding("spotify:track:123")
    resumed = plays(later.say("WorkoutResumeIntent"))
    again = Token.parse(resumed["audioItem"]["stream"]["token"])
    assert again is not None and again.segment == 1


def test_resume_on_a_device_without_audio_player_goes_on_set_by_set_from_the_streams_place(
        skill: Any, tmp_path: Path) -> None:
    echo = Echo(skill)
    first = Token.parse(plays(start(echo))["audioItem"]["stream"]["token"])
    assert first is not None
    echo.event("AudioPlayer.PlaybackFinished", first.at(0).encode())  # the warm-up played through
    echo.event("AudioPlayer.PlaybackStopped", first.at(1).encode(), 4000)  # stopped in the set

    car = Echo(skill, audio=False)  # the same user, on a device that plays no audio
    resumed = car.say("WorkoutResumeIntent")
    said = resumed["outputSpeech"]["ssml"]
    assert "set by set from where you were: squats" in said and "Quad stretch" not in said, said
    assert not resumed.get("directives")
    kept = stored(tmp_path)
    assert STREAM_KEY not in kept and kept["workout"]["plan"] == PlanSpec("beginner", 2, "squat").to_json()
    assert "cool down" in car.say("AMAZON.NextIntent")["outputSpeech"]["ssml"]  # the turns go on


def test_resume_of_a_stream_whose_audio_was_never_published_goes_on_set_by_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    moto = pytest.importorskip("moto")
    import boto3

    from skill.workout.stream import StreamState
    from skill.workout.stream_sources import S3Segments

    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": str(tmp_path / "none"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():  # an S3 bucket without this workout's playlist
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="audio")
        skill = build_skill(SQLiteAdapter(tmp_path / "skill.db"), {"AUDIO": S3Segments("audio", client)})
        spec = PlanSpec("beginner", 18)  # saved before streams came in set lengths: never published
        state = StreamState(Token(spec, spec.plan().digest, 0), "stopped", 2000, NOW)
        value = DefaultSerializer().deserialize(json.dumps(envelope({"type": "LaunchRequest"})), RequestEnvelope)
        SQLiteAdapter(tmp_path / "skill.db").save_attributes(value, {STREAM_KEY: state.to_json()})

        resumed = Echo(skill).say("WorkoutResumeIntent")
    said = resumed["outputSpeech"]["ssml"]
    assert "set by set from where you were: the warm-up" in said, said
    assert "no workout playing" not in said.lower() and not resumed.get("directives")
    assert stored(tmp_path)["workout"]["plan"] == spec.to_json()


def test_next_and_previous_move_by_a_set_and_say_so_at_the_ends(echo: Echo) -> None:
    token = Token.parse(plays(start(echo))["audioItem"]["stream"]["token"])
    assert token is not None
    first = echo.say("AMAZON.PreviousIntent")
    assert "first part" in first["outputSpeech"]["ssml"] and "directives" not in first
    nxt = Token.parse(plays(echo.say("AMAZON.NextIntent"))["audioItem"]["stream"]["token"])
    assert nxt is not None and nxt.segment == 1
    echo.holding(token.at(1).encode())
    back = Token.parse(plays(echo.say("AMAZON.PreviousIntent"))["audioItem"]["stream"]["token"])
    assert back is not None and back.segment == 0
    echo.holding(token.at(99).encode())  # past the end (a device holding an old, longer plan's token)
    echo.event("AudioPlayer.PlaybackStarted", token.at(2).encode())
    echo.holding(token.at(2).encode())
    last = echo.say("AMAZON.NextIntent")
    assert "last part" in last["outputSpeech"]["ssml"]


def test_start_over_and_repeat_play_this_set_again(echo: Echo) -> None:
    token = Token.parse(plays(start(echo))["audioItem"]["stream"]["token"])
    assert token is not None
    echo.holding(token.at(1).encode(), 4000)
    for name in ("AMAZON.StartOverIntent", "AMAZON.RepeatIntent"):
        again = Token.parse(plays(echo.say(name))["audioItem"]["stream"]["token"])
        assert again is not None and again.segment == 1


def test_stop_stops_the_audio_and_says_how_to_resume(echo: Echo, tmp_path: Path) -> None:
    start(echo)
    stopped = echo.say("AMAZON.StopIntent")
    assert [d["type"] for d in stopped["directives"]] == ["AudioPlayer.Stop"]
    assert "resume my workout" in stopped["outputSpeech"]["ssml"]
    assert stored(tmp_path)[STREAM_KEY]["status"] == "stopped"


def test_device_buttons_steer_without_speech(echo: Echo) -> None:
    start(echo)
    nxt = echo.event("PlaybackController.NextCommandIssued", "")
    assert only_audio_player(nxt) and plays(nxt)["playBehavior"] == "REPLACE_ALL"
    paused = echo.event("PlaybackController.PauseCommandIssued", "")
    assert only_audio_player(paused) and paused["directives"][0]["type"] == "AudioPlayer.Stop"


@pytest.mark.parametrize("name", ["AMAZON.LoopOnIntent", "AMAZON.ShuffleOnIntent", "AMAZON.LoopOffIntent"])
def test_loop_and_shuffle_get_a_polite_answer(echo: Echo, name: str) -> None:
    start(echo)
    answer = echo.say(name)
    assert "plays in order" in answer["outputSpeech"]["ssml"] and "directives" not in answer


def start_anew(echo: Echo) -> dict[str, Any]:
    """Start a workout; a set-by-set one left unfinished is replaced ("yes" to the question)."""
    asked = invoke(echo.skill, intent("StartWorkoutIntent", SPEC_SLOTS, new=True, timestamp=echo.now))
    assert "Shall I start a new one instead?" in asked["response"]["outputSpeech"]["ssml"]
    yes = intent("AMAZON.YesIntent", None, new=False, timestamp=echo.now)
    yes["session"]["attributes"] = asked["sessionAttributes"]
    return invoke(echo.skill, yes)["response"]  # type: ignore[no-any-return]


def test_a_failed_stream_falls_back_to_turns_once_with_a_reason(echo: Echo) -> None:
    token = plays(start(echo))["audioItem"]["stream"]["token"]
    failed = echo.event("AudioPlayer.PlaybackFailed", token,
                        error={"type": "MEDIA_ERROR_SERVICE_UNAVAILABLE", "message": "404"})
    assert only_audio_player(failed)
    echo.player = None
    turns = echo.say("StartWorkoutIntent", SPEC_SLOTS)
    assert "play on this device" in turns["outputSpeech"]["ssml"] and "directives" not in turns
    assert plays(start_anew(echo))  # the next start tries the stream again


@pytest.mark.parametrize("raw", ["", "spotify:track:1", "lc1|ffff|0|beginner|-|-", "lc1|x|y|z", "lc2|a|0|beginner|-|-",
                                 "lc1|abc|0|expert|-|-", "lc1|abc|0|beginner|99|-", "x" * 2000])
def test_stale_or_foreign_tokens_are_ignored(echo: Echo, tmp_path: Path, raw: str) -> None:
    start(echo)
    before = stored(tmp_path)
    for kind in ("AudioPlayer.PlaybackNearlyFinished", "AudioPlayer.PlaybackFinished",
                 "AudioPlayer.PlaybackStopped", "AudioPlayer.PlaybackFailed"):
        answer = echo.event(kind, raw)
        assert only_audio_player(answer) and not answer.get("directives")
    assert stored(tmp_path) == before


def test_devices_without_audio_player_keep_the_turns(skill: Any) -> None:
    echo = Echo(skill, audio=False)
    response = echo.say("StartWorkoutIntent", SPEC_SLOTS)
    assert "directives" not in response and response["shouldEndSession"] is False


def test_set_by_set_is_remembered_until_hands_free(echo: Echo) -> None:
    assert "set by set" in echo.say("WorkoutTurnModeIntent")["outputSpeech"]["ssml"]
    assert "directives" not in echo.say("StartWorkoutIntent", SPEC_SLOTS)
    assert "hands-free" in echo.say("WorkoutStreamModeIntent")["outputSpeech"]["ssml"]
    assert plays(start_anew(echo))


def test_tokens_name_content_and_place_and_stay_short() -> None:
    spec = PlanSpec("intermediate", 60, "glute-bridge")
    token = Token(spec, loads_plan('name = "x"\ntitle = "X"\n[[exercises]]\nexercise = "squat"\nsets = 1\nreps = 3\n').digest, 12)
    raw = token.encode()
    assert Token.parse(raw) == token and len(raw) < MAX_TOKEN and USER_ID not in raw
