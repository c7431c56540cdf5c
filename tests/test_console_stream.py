"""The console as an Echo with AudioPlayer: it plays the skill's streams from
a real loopback server, shows each segment's cues in time, sends the
playback events a device sends, and turns pause, resume, next, previous,
start over and stop into the intents a device sends. In process with a
scripted keyboard and a fake clock over real HTTP, and as a real process on
a pseudo-terminal against the real dev server."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import serving
from test_console import ROOT, Terminal, Typist, child_env, free_port, terminal  # noqa: F401 - fixtures

from skill.builder import interaction_model
from skill.devtools.audioplayer import AudioPlayer, PlaybackEvent
from skill.devtools.chat import Console, HttpTransport
from skill.devtools.nlu import LocalNLU
from skill.devtools.segments import SegmentBook, fetch
from skill.endpoint.app import create_app
from skill.questions.knowledge import load_knowledge
from skill.store.sqlite import SQLiteAdapter
from skill.workout.stream import Token
from skill.workout.stream_sources import LocalSegments
from speech.live import MuteSpeaker

BEGINNER_PARTS = 9


class Recording(HttpTransport):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.sent: list[dict[str, Any]] = []
        self.answered: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        self.answered.append(super().send(envelope))
        return self.answered[-1]


@pytest.fixture(scope="module")
def nlu() -> LocalNLU:
    return LocalNLU(interaction_model(load_knowledge()))


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, LocalSegments]]:
    source = LocalSegments("http://placeholder", tmp_path / "audio-cache")
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db"), "AUDIO": source})
    with serving(app) as url:
        source.base_url = url  # the port is known only now
        yield url, source


def device(live: tuple[str, LocalSegments], nlu: LocalNLU, typist: Typist,
           fast: bool = False) -> tuple[Console, Recording, io.StringIO]:
    url, source = live
    transport, out = Recording(f"{url}/alexa"), io.StringIO()
    c = Console(transport, nlu, MuteSpeaker(), out, typist, clock=typist, fast=fast,
                book=SegmentBook(source.cache_dir))
    return c, transport, out


def kinds(transport: Recording) -> list[str]:
    """What the device sent: request types, intents by name."""
    return [r["request"]["intent"]["name"] if r["request"]["type"] == "IntentRequest" else r["request"]["type"]
            for r in transport.sent]


def plays(transport: Recording) -> list[tuple[str, str, str | None]]:
    """Every Play directive answered: (behavior, token, expectedPreviousToken)."""
    found = []
    for answer in transport.answered:
        for d in answer.get("response", {}).get("directives", ()):
            if d["type"] == "AudioPlayer.Play":
                s = d["audioItem"]["stream"]
                found.append((d["playBehavior"], s["token"], s.get("expectedPreviousToken")))
    return found


def test_a_whole_streamed_workout_plays_in_fast_mode_as_a_demo_that_never_counts(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    c, transport, out = device(live, nlu, Typist((None, "start a workout"), (None, "how am I doing this week")),
                               fast=True)
    assert c.run() == 0
    sent = kinds(transport)
    assert sent[:2] == ["LaunchRequest", "StartWorkoutIntent"]
    events = sent[2:sent.index("WeeklyProgressIntent")]
    each = ["AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished", "AudioPlayer.PlaybackFinished"]
    assert events == each * BEGINNER_PARTS
    assert all("session" not in r for r in transport.sent if r["request"]["type"].startswith("AudioPlayer."))
    played = plays(transport)
    assert played[0][0] == "REPLACE_ALL" and all(p[0] == "ENQUEUE" for p in played[1:])
    assert [p[2] for p in played[1:]] == [p[1] for p in played[:-1]]  # each follows the one before
    text = out.getvalue()
    assert text.count("▶ Beginner leg workout: Part") == BEGINNER_PARTS
    assert "Let's warm up" in text and "Workout complete" in text
    assert "You haven't finished a workout yet this week" in text  # fast mode is a demo
    finished = [r for r in transport.sent if r["request"]["type"] == "AudioPlayer.PlaybackFinished"]
    stamps = [r["request"]["timestamp"] for r in finished]
    assert stamps == sorted(stamps) and stamps[0] < stamps[-1]  # each heard to its end, later


def test_a_whole_streamed_workout_heard_in_real_time_counts_for_the_week(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    # Real time on a fake clock: each segment is waited for to its end.
    c, transport, out = device(live, nlu, Typist((None, "start a workout"), (None, "how am I doing this week")))
    c.run()
    assert kinds(transport).count("AudioPlayer.PlaybackFinished") == BEGINNER_PARTS
    assert "Workout complete" in out.getvalue() and "You've finished one workout this week" in out.getvalue()


def test_a_pause_in_the_middle_stops_at_the_offset_and_resume_plays_that_set_again(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    # The welcome is heard; a minute later (after the intro, in the warm-up) "pause", then
    # "resume", and 5 s into the warm-up played again, "quit".
    typist = Typist((None, "start a workout"), (60.0, "pause"), (None, "resume"), (5.0, "quit"))
    c, transport, out = device(live, nlu, typist)
    c.run()
    sent = kinds(transport)
    pause = transport.sent[sent.index("AMAZON.PauseIntent")]
    assert pause["session"]["new"] is True
    stopped = next(r for r in transport.sent if r["request"]["type"] == "AudioPlayer.PlaybackStopped")
    offset = stopped["request"]["offsetInMilliseconds"]
    assert 0 < offset < 60_000
    assert pause["context"]["AudioPlayer"]["offsetInMilliseconds"] == offset
    assert stopped["request"]["token"] == pause["context"]["AudioPlayer"]["token"]
    assert "paused at" in out.getvalue()
    resume = sent.index("AMAZON.ResumeIntent")
    assert transport.sent[resume]["context"]["AudioPlayer"]["playerActivity"] == "STOPPED"
    after = sent[resume + 1:]
    assert after[:2] == ["AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished"]
    replayed = plays(transport)[-2]  # the resume's Play, then the enqueued next part
    assert replayed[0] == "REPLACE_ALL" and replayed[1] == stopped["request"]["token"]
    assert sent[-1] == "AudioPlayer.PlaybackStopped"  # quit while it played: stopped there
    assert transport.sent[-1]["request"]["offsetInMilliseconds"] == 5000


def test_a_question_while_it_plays_is_answered_and_the_segment_carries_on(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    typist = Typist((None, "start a workout"), (60.0, "what about salt"), (None, "quit"))
    c, transport, out = device(live, nlu, typist)
    c.run()
    sent = kinds(transport)
    question = sent.index("QuestionIntent")
    assert transport.sent[question]["context"]["AudioPlayer"]["playerActivity"] == "PLAYING"
    assert "AudioPlayer.PlaybackStopped" not in sent
    assert "(carries on at 0:" in out.getvalue()
    assert sent.count("AudioPlayer.PlaybackFinished") == BEGINNER_PARTS


def test_set_by_set_still_switches_to_the_turn_mode(live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    c, transport, out = device(live, nlu, Typist((None, "set by set"), (None, "start a workout")), fast=True)
    c.run()
    assert kinds(transport)[:3] == ["LaunchRequest", "WorkoutTurnModeIntent", "StartWorkoutIntent"]
    assert plays(transport) == [] and "Ready for" in out.getvalue()
    assert transport.sent[0]["context"]["System"]["device"]["supportedInterfaces"] == {"AudioPlayer": {}}


def test_a_segment_that_cannot_be_fetched_is_reported_failed(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    url, source = live
    source.base_url = f"{url}/nowhere"  # every segment URL answers 404
    c, transport, out = device(live, nlu, Typist((None, "start a workout"), (None, "start a workout")), fast=True)
    c.run()
    failed = [r["request"] for r in transport.sent if r["request"]["type"] == "AudioPlayer.PlaybackFailed"]
    assert len(failed) == 1 and failed[0]["error"]["type"] == "MEDIA_ERROR_INVALID_REQUEST"
    assert "HTTP 404" in out.getvalue() and "paused at" not in out.getvalue()
    assert "couldn't play on this device" in out.getvalue()  # the next start says so, set by set


class Player:
    """A local player that reads MP3 (as paplay does); keeps what it was given."""

    name = "paplay"

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.stops = 0

    def play(self, path: Path) -> None:
        self.played.append(Path(path).read_bytes())

    def stop(self) -> None:
        self.stops += 1


class AudibleSpeaker:
    audible = True

    def __init__(self) -> None:
        self.player = Player()

    def seconds(self, n: Any) -> float:
        return 2.0

    def speak(self, n: Any) -> None:
        pass

    def close(self) -> None:
        pass


def test_with_an_audio_device_the_fetched_segment_plays_and_a_key_stops_it(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    typist = Typist((None, "start a workout"), (30.0, "pause"), (None, "quit"))
    c, transport, out = device(live, nlu, typist)
    c.speaker = speaker = AudibleSpeaker()
    c.run()
    first = next(p for p in plays(transport))
    url = next(d["audioItem"]["stream"]["url"] for a in transport.answered
               for d in a["response"].get("directives", ()) if d["audioItem"]["stream"]["token"] == first[1])
    assert speaker.player.played == [fetch(url)]  # the segment as served, whole
    assert speaker.player.stops == 1  # at the first key of "pause"
    assert "Let's warm up" in out.getvalue()  # its cues are shown as it plays


# -- the player alone: directives in, events out ----------------------------------------

def play(token: str, behavior: str = "REPLACE_ALL", expected: str | None = None) -> dict[str, Any]:
    stream = {"token": token, "url": f"http://127.0.0.1:9/{token}.mp3", "offsetInMilliseconds": 0,
              **({"expectedPreviousToken": expected} if expected else {})}
    return {"type": "AudioPlayer.Play", "playBehavior": behavior, "audioItem": {"stream": stream}}


def test_enqueue_is_honoured_only_after_the_expected_previous_token() -> None:
    player = AudioPlayer()
    player.apply([play("a")])
    assert player.take_next() is not None
    player.apply([play("c", "ENQUEUE", expected="b")])
    assert player.queue == [] and "expected previous token 'b'" in player.ignored[0]
    player.apply([play("b", "ENQUEUE", expected="a"), play("c", "ENQUEUE", expected="b")])
    assert [i.token for i in player.queue] == ["b", "c"]
    player.offset_ms = 900
    assert player.finished(1000) == PlaybackEvent("AudioPlayer.PlaybackFinished", "a", 1000)
    assert player.take_next().token == "b"  # type: ignore[union-attr]


def test_replace_all_and_stop_stop_what_plays_at_its_offset() -> None:
    player = AudioPlayer()
    player.apply([play("a")])
    player.take_next()
    player.offset_ms = 4200
    assert player.apply([play("b")]) == [PlaybackEvent("AudioPlayer.PlaybackStopped", "a", 4200)]
    assert player.take_next().token == "b"  # type: ignore[union-attr]
    player.offset_ms = 700
    assert player.apply([{"type": "AudioPlayer.Stop"}]) == [PlaybackEvent("AudioPlayer.PlaybackStopped", "b", 700)]
    assert player.context() == {"token": "b", "offsetInMilliseconds": 700, "playerActivity": "STOPPED"}
    assert player.apply([{"type": "AudioPlayer.Stop"}]) == []  # nothing plays: nothing to report


# -- the real program against the real dev server --------------------------------------

def test_make_run_streams_a_whole_workout_in_fast_mode_on_a_terminal(terminal: Any) -> None:
    t = terminal("run", "--mute", "--fast", "--port", str(free_port()))
    t.expect("What would you like?")
    t.type("start a workout\r")
    t.expect("I'll play the whole workout")
    t.expect(f"Part {BEGINNER_PARTS} of {BEGINNER_PARTS}", timeout=120)
    t.expect("Workout complete")
    t.type("how am I doing this week\r")
    t.expect("You haven't finished a workout yet this week")  # --fast is a demo: never counted
    t.type("quit\r")
    assert t.wait() == 0
    assert "Traceback" not in t.seen and "ignored" not in t.seen


def expect_count(t: Terminal, text: str, times: int, timeout: float = 60.0) -> None:
    """Wait until ``text`` has been seen ``times`` times on the terminal."""
    deadline = time.monotonic() + timeout
    while t.seen.count(text) < times:
        ready, _, _ = select.select([t.master], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"{text!r} not seen {times} times within {timeout} s; saw {t.seen[-600:]!r}"
        t.seen += os.read(t.master, 4096).decode("utf-8", "replace")


def test_make_run_pauses_and_resumes_a_stream_on_a_terminal(terminal: Any) -> None:
    t = terminal("run", "--mute", "--port", str(free_port()))
    t.expect("coach> Before we start:")
    t.type("start a workout\r")  # over the welcome, as a wake word would
    t.expect(f"Part 1 of {BEGINNER_PARTS}", timeout=120)
    t.expect("Let's warm up")
    t.type("pause\r")
    t.expect("paused at 0:")
    t.type("resume\r")
    expect_count(t, f"Part 1 of {BEGINNER_PARTS}", 2)  # the warm-up again, from its start
    t.type("stop\r")  # while audio plays, "stop" pauses
    expect_count(t, "paused at 0:", 2)
    t.type("quit\r")
    assert t.wait() == 0
    assert "Traceback" not in t.seen


def test_piped_lines_stream_in_fast_mode_too(child_env: dict[str, str]) -> None:
    port = free_port()
    done = subprocess.run([sys.executable, "-m", "skill", "run", "--mute", "--fast", "--port", str(port)],
                          input="start a workout\nnext\n", capture_output=True, text=True, env=child_env,
                          cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("▶ Beginner leg workout") == BEGINNER_PARTS
    assert "There's no workout playing" in done.stdout  # "next" after the end, said kindly


def test_typed_button_presses_send_what_a_device_sends_and_steer_the_stream(
        live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    # A minute in, the pause button; play (the warm-up again from its start); 5 s later next,
    # 5 s into that part previous, 5 s later quit.
    typist = Typist((None, "start a workout"), (60.0, "press pause"), (None, "press play"), (5.0, "press next"),
                    (5.0, "press previous"), (5.0, "quit"))
    c, transport, out = device(live, nlu, typist)
    c.run()
    pressed = [(r, a) for r, a in zip(transport.sent, transport.answered)
               if r["request"]["type"].startswith("PlaybackController.")]
    assert [r["request"]["type"] for r, _ in pressed] == [
        "PlaybackController.PauseCommandIssued", "PlaybackController.PlayCommandIssued",
        "PlaybackController.NextCommandIssued", "PlaybackController.PreviousCommandIssued"]
    for request, answer in pressed:
        assert "session" not in request and set(request["request"]) == {"type", "requestId", "timestamp", "locale"}
        assert request["context"]["System"]["device"]["supportedInterfaces"] == {"AudioPlayer": {}}
        assert not {"outputSpeech", "card", "reprompt"} & set(answer["response"])
        assert all(d["type"].startswith("AudioPlayer.") for d in answer["response"]["directives"])
    (pause, stop), (play, replay), (nxt, forward), (_, back) = pressed
    held = pause["context"]["AudioPlayer"]
    assert held["playerActivity"] == "PLAYING" and 0 < held["offsetInMilliseconds"] < 60_000
    assert [d["type"] for d in stop["response"]["directives"]] == ["AudioPlayer.Stop"]
    stopped = transport.sent[transport.sent.index(pause) + 1]
    assert stopped["request"]["type"] == "AudioPlayer.PlaybackStopped"
    assert stopped["request"]["offsetInMilliseconds"] == held["offsetInMilliseconds"]
    assert play["context"]["AudioPlayer"]["playerActivity"] == "STOPPED"

    def played(answer: dict[str, Any]) -> Token:
        (d,) = answer["response"]["directives"]
        assert d["type"] == "AudioPlayer.Play" and d["playBehavior"] == "REPLACE_ALL"
        token = Token.parse(d["audioItem"]["stream"]["token"])
        assert token is not None
        return token

    paused = played(replay).segment  # the part paused in, from its start
    assert played(replay).encode() == held["token"]
    assert nxt["context"]["AudioPlayer"]["offsetInMilliseconds"] == 5000
    assert played(forward).segment == paused + 1 and played(back).segment == paused
    assert "press play or resume" in out.getvalue()


def test_a_button_without_workout_audio_sends_nothing(live: tuple[str, LocalSegments], nlu: LocalNLU) -> None:
    typist = Typist((None, "press next"), (None, "quit"))
    c, transport, out = device(live, nlu, typist)
    c.run()
    assert not [r for r in transport.sent if r["request"]["type"].startswith("PlaybackController.")]
    assert "its buttons do nothing" in out.getvalue()
