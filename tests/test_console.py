"""The console as a user meets it: a speaker that plays each answer in real
time, can be interrupted, stamps requests with the time they are sent and
stays when a session ends. In process with a scripted keyboard and a fake
clock, and as a real process on a pseudo-terminal and a pipe."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from skill.builder import build_skill, interaction_model
from skill.devtools.chat import Console, InProcess, for_console
from skill.devtools.nlu import LocalNLU
from skill.questions.knowledge import load_knowledge
from skill.store.sqlite import SQLiteAdapter
from speech.live import MuteSpeaker
from speech.model import Narration, Pause

MONDAY = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


class Typist:
    """A fake clock and a keyboard: each line is typed ``after`` seconds of
    silence (counted from when the console starts waiting), or at once when
    the coach is listening; ``None`` as ``after`` means "when asked"."""

    typing = False

    def __init__(self, *lines: tuple[float | None, str]) -> None:
        self.time = MONDAY
        self.lines = list(lines)
        self.keys = 0

    def now(self) -> datetime:
        return self.time

    def line(self, timeout: float | None, on_key: Any = None) -> str | None:
        if not self.lines:
            if timeout is None:
                raise EOFError
            self.time += timedelta(seconds=timeout)
            return None
        after, text = self.lines[0]
        if after is None:  # typed once the coach listens
            if timeout is not None:
                self.time += timedelta(seconds=timeout)
                return None
            after = 0.0
        if timeout is not None and after > timeout:
            self.time += timedelta(seconds=timeout)
            self.lines[0] = (after - timeout, text)
            return None
        self.time += timedelta(seconds=after)
        self.lines.pop(0)
        if timeout is not None and on_key is not None:
            self.keys += 1
            on_key()
        return text


class Recorder(InProcess):
    def __init__(self, skill: Any) -> None:
        super().__init__(skill)
        self.sent: list[dict[str, Any]] = []

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        return super().send(envelope)


@pytest.fixture(scope="module")
def nlu() -> LocalNLU:
    return LocalNLU(interaction_model(load_knowledge()))


def console(tmp_path: Path, nlu: LocalNLU, typist: Typist, fast: bool = False) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    transport = Recorder(build_skill(SQLiteAdapter(tmp_path / "skill.db")))
    return Console(transport, nlu, MuteSpeaker(), out, typist, clock=typist, fast=fast), out


def answers(out: io.StringIO) -> list[str]:
    lines = out.getvalue().splitlines()
    return [line[line.index("coach>"):] for line in lines if "coach>" in line]


def stamps(c: Console) -> list[datetime]:
    sent = c.transport.sent  # type: ignore[attr-defined]
    return [datetime.fromisoformat(e["request"]["timestamp"]) for e in sent]


# -- real time, barge-in, fast mode ------------------------------------------

def test_a_question_after_a_set_was_heard_keeps_the_set(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((None, "start a workout"), (None, "next"), (None, "next"),
                    (None, "how many sets are left"))
    c, out = console(tmp_path, nlu, typist)
    assert c.run() == 0
    said = answers(out)
    assert "Squats. Set 1 of 2" in said[3]
    assert "Ready for squats, set two of two?" in said[4] and said[4].startswith("coach> Five sets left")
    gaps = [(b - a).total_seconds() for a, b in zip(stamps(c), stamps(c)[1:])]
    assert all(gap > 15 for gap in gaps[:4]), gaps  # each request sent when its turn had played


def test_typing_while_a_set_plays_stops_it_there_and_the_set_is_done_again(
        tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((None, "start a workout"), (None, "next"), (None, "next"),
                    (5.0, "how many sets are left"))
    c, out = console(tmp_path, nlu, typist)
    c.run()
    text = out.getvalue()
    assert typist.keys == 1
    squats = next(line for line in text.splitlines() if "Squats. Set 1 of 2" in line)
    assert squats.endswith("…")  # cut off five seconds in, not the whole set
    assert "Ready for squats, set one of two?" in answers(out)[-1]
    assert (stamps(c)[-2] - stamps(c)[-3]).total_seconds() == pytest.approx(5, abs=1)


def test_fast_mode_takes_each_turn_as_heard_without_waiting(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((None, "start a workout"), (None, "next"), (None, "next"),
                    (None, "how many sets are left"))
    c, out = console(tmp_path, nlu, typist, fast=True)
    c.run()
    assert typist.time == MONDAY  # nothing waited
    assert "Ready for squats, set two of two?" in answers(out)[-1]
    assert stamps(c)[-1] - stamps(c)[0] > timedelta(minutes=2)


def test_text_is_paced_by_its_pauses(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist()
    c, out = console(tmp_path, nlu, typist)
    before = typist.time
    assert c.play(Narration.of("One.", Pause(8.0), "Two.")) is None
    assert out.getvalue() == "coach> One. … Two.\n"
    waited = (typist.time - before).total_seconds()
    assert 8.5 < waited < 10.5


# -- sessions end, the console stays -------------------------------------------

def test_a_session_ends_but_the_next_line_opens_a_new_one(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((None, "stop"), (None, "what about diet"), (None, "cancel my reminders"),
                    (None, ""), (None, "quit"))
    c, out = console(tmp_path, nlu, typist, fast=True)
    assert c.run() == 0
    sent = c.transport.sent  # type: ignore[attr-defined]
    kinds = [(e["request"]["type"], e["session"]["new"]) for e in sent]
    # stop ends the session; the question and the cancel are one-shots, each its own session
    assert kinds == [("LaunchRequest", True), ("IntentRequest", False), ("IntentRequest", True),
                     ("IntentRequest", True), ("LaunchRequest", True), ("SessionEndedRequest", False)]
    assert len({e["session"]["sessionId"] for e in sent}) == 4
    assert len({e["context"]["System"]["device"]["deviceId"] for e in sent}) == 1
    assert out.getvalue().count("type to start a new one") == 3
    assert "Welcome back" in answers(out)[-1]


def test_end_of_input_ends_an_open_session(tmp_path: Path, nlu: LocalNLU) -> None:
    c, _ = console(tmp_path, nlu, Typist((None, "what about diet")), fast=True)
    assert c.run() == 0
    assert c.transport.sent[-1]["request"]["type"] == "SessionEndedRequest"  # type: ignore[attr-defined]


def test_device_phrases_become_what_to_type() -> None:
    said = Narration.of("Stopped. To carry on later, say: Alexa, ask leg coach to resume my workout.")
    assert for_console(said).text == "Stopped. To carry on later, type: resume my workout."
    opened = Narration.of("Time for your leg workout. Say: Alexa, open Leg Coach, to start.")
    assert "type: open leg coach" in for_console(opened).text


# -- the real program, on a terminal and a pipe ----------------------------------

class Terminal:
    """A child process on a pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        cwd=ROOT, start_new_session=True)
        os.close(slave)
        self.master = master
        self.seen = ""

    def expect(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(0.0, left))
            if not ready:
                raise AssertionError(f"no {text!r} within {timeout} s; saw {self.seen[-600:]!r}")
            try:
                self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
            except OSError:
                raise AssertionError(f"ended before {text!r}; saw {self.seen[-600:]!r}") from None
        return self.seen

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        try:
            code = self.process.wait(timeout)
        finally:
            os.close(self.master)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def child_env(legcoach_home: Path) -> dict[str, str]:
    return {**os.environ, "LEGCOACH_HOME": str(legcoach_home), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def terminal(child_env: dict[str, str]) -> Iterator[Any]:
    opened: list[Terminal] = []

    def open_(*args: str) -> Terminal:
        opened.append(Terminal([sys.executable, "-m", "skill", *args], child_env))
        return opened[-1]

    yield open_
    for t in opened:
        t.kill()


def test_typing_over_the_welcome_interrupts_it_on_a_terminal(terminal: Any) -> None:
    t = terminal("chat", "--mute")
    t.expect("audio is off (--mute)")
    t.expect("coach> Before we start:")
    t.type("what about diet\r")
    seen = t.expect("you> what about diet")
    assert "What would you like?" not in seen  # the welcome was cut short
    t.expect("Want to know")  # the answer plays
    t.type("quiz\x7fT\x1b[D\r")  # line editing: backspace, an arrow key ignored
    assert t.wait() == 0
    assert "Traceback" not in t.seen


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_and_ctrl_d_leave_the_console_cleanly(terminal: Any, key: str) -> None:
    t = terminal("chat", "--mute", "--fast")
    t.expect("you> ")
    t.type(key)
    assert t.wait() == 0
    assert "Traceback" not in t.seen and "error" not in t.seen.lower()


def test_ctrl_c_leaves_make_run_cleanly(terminal: Any) -> None:
    t = terminal("run", "--mute", "--fast", "--port", str(free_port()))
    t.expect("you> ")
    t.type("stop\r")
    t.expect("type to start a new one")
    t.type("\x03")
    assert t.wait() == 0
    assert "cannot reach" not in t.seen and "Traceback" not in t.seen


def test_piped_lines_are_answered_in_turn_and_the_console_outlives_a_session(
        child_env: dict[str, str]) -> None:
    lines = "start a workout\nstop\nresume my workout\n"
    done = subprocess.run([sys.executable, "-m", "skill", "chat", "--mute", "--fast"], input=lines,
                          capture_output=True, text=True, env=child_env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "type: resume my workout" in done.stdout and "Alexa, ask" not in done.stdout
    assert "Let's pick up there" in done.stdout


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- reminders, as Alexa understands them ------------------------------------------

def test_a_reminder_request_fills_days_and_time_and_asks_for_permission(
        tmp_path: Path, nlu: LocalNLU) -> None:
    typed = "remind me to do my leg workout on Monday, Wednesday and Friday at six pm"
    c, out = console(tmp_path, nlu, Typist((None, typed)), fast=True)
    c.run()
    intent = c.transport.sent[1]["request"]["intent"]  # type: ignore[attr-defined]
    assert {name: slot.get("value") for name, slot in intent["slots"].items()} == {
        "dayone": "monday", "daytwo": "wednesday", "daythree": "friday", "time": "18:00"}
    said = answers(out)[1]
    assert "needs your permission" in said and "Which days" not in said
    assert "card: Alexa app, permission request: allow Leg Coach alexa::alerts:reminders" in out.getvalue()


@pytest.mark.parametrize(("said", "value"), [
    ("six pm", "18:00"), ("6:30am", "06:30"), ("seven thirty pm", "19:30"), ("noon", "12:00"),
    ("in the evening", "EV"), ("twelve am", "00:00"), ("banana", None), ("25 pm", None)])
def test_times_are_sent_as_alexa_sends_them(said: str, value: str | None) -> None:
    from skill.devtools.nlu import normalise, time_value

    assert time_value(normalise(said)) == value


# -- safety memory ------------------------------------------------------------------

SWOLLEN = "one of my legs is suddenly swollen"
ASKED = "Earlier you mentioned a swollen leg. Has a doctor said it's fine to exercise?"


def test_after_a_safety_answer_a_workout_is_asked_about_first(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((None, SWOLLEN), (None, "start a workout"), (None, "no"), (None, "start a workout"),
                    (None, "yes"))
    c, out = console(tmp_path, nlu, typist, fast=True)
    c.run()
    said = answers(out)
    assert said[1].startswith("coach> Please see a doctor urgently")
    assert said[2] == f"coach> {ASKED}"
    assert "leave the workout for today" in said[3] and "start a workout" in said[3]
    assert said[4] == f"coach> {ASKED}"  # still remembered
    assert said[5].startswith("coach> Good, thanks for checking.") and "Let's warm up" in said[5]


@pytest.mark.parametrize(("hours", "asks"), [(2, True), (23, True), (25, False)])
def test_a_safety_answer_is_remembered_for_a_day(tmp_path: Path, nlu: LocalNLU, hours: int,
                                                 asks: bool) -> None:
    typist = Typist((None, SWOLLEN), (None, "stop"), (hours * 3600.0, "start a workout"))
    c, out = console(tmp_path, nlu, typist, fast=True)
    c.run()
    last = answers(out)[-1]
    assert (last == f"coach> {ASKED}") is asks
    assert ("Let's warm up" in last) is not asks


@pytest.mark.parametrize(("text", "intent", "answer"), [
    ("i want to do squats but my left calf is swollen and hot", "StartWorkoutIntent",
     "Please see a doctor urgently"),
    ("my chest felt tight and painful during the workout", "StartWorkoutIntent",
     "Call emergency services now"),
    ("i'm pregnant, can i do the leg workout", "StartWorkoutIntent",
     "Please check with your midwife"),
    ("how do i do a squat when my knee hurts", "WorkoutFormIntent", "Please see a doctor or physio"),
])
def test_a_safety_question_heard_as_a_workout_gets_the_doctor_answer(
        tmp_path: Path, nlu: LocalNLU, text: str, intent: str, answer: str) -> None:
    assert nlu.resolve(text)[0] == intent  # the model hears a workout, slots full of words
    typist = Typist((None, text), (None, "start a workout"))
    c, out = console(tmp_path, nlu, typist, fast=True)
    c.run()
    said = answers(out)
    assert said[1].startswith(f"coach> {answer}")
    assert said[2].startswith("coach> Earlier you mentioned") and "Let's warm up" not in said[2]


@pytest.mark.parametrize(("text", "said"), [
    ("just give me the short version please", "coach> Here's the short version."),
    ("how many days a week should i do the leg workout",
     "coach> Train your legs with strength moves two or three times a week"),
])
def test_a_question_heard_as_a_workout_is_answered_as_the_question(
        tmp_path: Path, nlu: LocalNLU, text: str, said: str) -> None:
    assert nlu.resolve(text)[0] == "StartWorkoutIntent"
    c, out = console(tmp_path, nlu, Typist((None, text)), fast=True)
    c.run()
    assert answers(out)[1].startswith(said)


@pytest.mark.parametrize(("text", "said"), [
    ("how do i do a squat", "coach> Stand with feet shoulder width apart."),
    ("start a workout", "coach> Since this is your first workout"),
    ("let's do lunges", "coach> Since this is your first workout"),
    ("start an advanced workout", "coach> Advanced leg workout."),
    ("start an olympic workout", "coach> I have beginner, intermediate and advanced workouts."),
    ("let's do bulgarian split squats", "coach> I don't know bulgarian split squats yet."),
    ("i want to do single leg calf raises", "coach> I don't know single leg calf raises yet."),
])
def test_workout_words_still_mean_a_workout(tmp_path: Path, nlu: LocalNLU, text: str,
                                            said: str) -> None:
    c, out = console(tmp_path, nlu, Typist((None, text)), fast=True)
    c.run()
    assert answers(out)[1].startswith(said)


class Speaker:
    """An audible speaker that records what it plays and when it is stopped."""

    audible = True

    def __init__(self, typist: Typist) -> None:
        self.typist = typist
        self.events: list[tuple[str, datetime]] = []

    def seconds(self, n: Narration) -> float:
        return 30.0

    def speak(self, n: Narration) -> None:
        self.events.append(("play", self.typist.time))

    def close(self) -> None:
        self.events.append(("stop", self.typist.time))


def test_with_audio_typing_stops_playback_at_the_first_key(tmp_path: Path, nlu: LocalNLU) -> None:
    typist = Typist((5.0, "what about diet"))
    speaker = Speaker(typist)
    transport = Recorder(build_skill(SQLiteAdapter(tmp_path / "skill.db")))
    c = Console(transport, nlu, speaker, io.StringIO(), typist, clock=typist)
    c.run()
    assert speaker.events[:2] == [("play", MONDAY), ("stop", MONDAY + timedelta(seconds=5))]
    assert stamps(c)[1] == MONDAY + timedelta(seconds=5)


def test_the_console_says_once_when_audio_is_off() -> None:
    from skill.devtools.launcher import audio_note

    assert audio_note(Speaker(Typist()), mute=False, fast=False) is None
    assert "audio is off (--mute)" in str(audio_note(MuteSpeaker(), mute=True, fast=False))
    assert "no audio device" in str(audio_note(MuteSpeaker(), mute=False, fast=False))
    assert "fast mode" in str(audio_note(MuteSpeaker(), mute=True, fast=True))
