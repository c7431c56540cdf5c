"""`python -m skill`: ask, model, serve --dev, chat (in process and over HTTP), run."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import serving

from skill import cli
from skill.builder import interaction_model
from skill.devtools import launcher
from skill.endpoint.app import create_app
from skill.devtools.chat import Console, narration_from_ssml
from skill.devtools.keyboard import PipedKeyboard
from skill.model.generator import LOCALES, default_model_dir
from skill.questions.knowledge import load_knowledge
from skill.devtools.nlu import LocalNLU
from skill.store.sqlite import SQLiteAdapter
from speech.model import Narration, Pause, Sound

QUESTION = "why won't my legs slim down"


def scripted(*lines: str) -> PipedKeyboard:
    """A keyboard that types ``lines`` when the coach listens, then hits end of input."""
    return PipedKeyboard(io.StringIO("".join(f"{line}\n" for line in lines)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def nlu() -> LocalNLU:
    return LocalNLU(interaction_model(load_knowledge()))


def test_every_command_has_help_text() -> None:
    parser = cli.build_parser()
    commands: Any = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == {"serve", "ask", "chat", "run", "model"}
    for name, sub in commands.items():
        assert sub.description or sub.format_help().strip(), name
        assert all(a.help for a in sub._actions if a.dest != "help"), name


def test_ask_prints_the_spoken_answer_as_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", QUESTION]) == 0
    out = capsys.readouterr().out.strip()
    assert len(out.split()) > 5
    assert "<" not in out and "&apos;" not in out


def test_ask_with_a_blank_question_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "  "]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err


def test_model_writes_the_same_model_for_every_locale(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["model", "--out", str(tmp_path)]) == 0
    texts = {(tmp_path / f"{loc}.json").read_text(encoding="utf-8") for loc in LOCALES}
    assert len(texts) == 1
    assert json.loads(texts.pop())["interactionModel"]["languageModel"]["invocationName"] == "leg coach"
    assert cli.main(["model", "--check", "--out", str(tmp_path)]) == 0


def test_model_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["model", "--out", str(tmp_path)])
    (tmp_path / "en-GB.json").write_text("{}\n", encoding="utf-8")
    assert cli.main(["model", "--check", "--out", str(tmp_path)]) == 2
    assert "en-GB.json" in capsys.readouterr().err


def test_committed_models_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["model", "--check", "--out", str(default_model_dir())]) == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_serve_dev_refuses_a_non_loopback_host(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--dev", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loopback" in err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts_are_recognised(host: str) -> None:
    assert cli.is_loopback(host)


def test_entry_point_reports_errors_in_one_line_without_traceback() -> None:
    result = subprocess.run([sys.executable, "-m", "skill", "serve", "--dev", "--host", "0.0.0.0"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_narration_from_ssml_keeps_words_pauses_and_sounds() -> None:
    url = "soundbank://soundlibrary/sports/whistles/sports_whistles_02"
    ssml = f'<speak>Ready &amp; set. <break time="1500ms"/> Go! <audio src="{url}"/> Done</speak>'
    narration = narration_from_ssml(ssml)
    assert Pause(1.5) in narration.parts and Sound("whistle") in narration.parts
    assert narration.text == "Ready & set. Go! Done"


@pytest.mark.parametrize("line,intent,slots", [
    ("stop", "AMAZON.StopIntent", {}),
    ("Yes!", "AMAZON.YesIntent", {}),
    ("no thanks", "AMAZON.NoIntent", {}),
    ("help", "AMAZON.HelpIntent", {}),
    ("say that again", "AMAZON.RepeatIntent", {}),
    ("Tell me more.", "MoreIntent", {}),
    ("where is that from?", "SourceIntent", {}),
    ("what about diet", "QuestionIntent", {"query": "diet"}),
    ("purple monkey dishwasher", "QuestionIntent", {"query": "purple monkey dishwasher"}),
])
def test_typed_lines_map_to_intents_like_the_model(nlu: LocalNLU, line: str, intent: str,
                                                   slots: dict[str, str]) -> None:
    assert nlu.resolve(line) == (intent, slots)


def test_topic_samples_map_to_their_topic_intent(nlu: LocalNLU) -> None:
    for topic in load_knowledge().topics.values():
        if topic.intent:
            assert nlu.resolve(topic.samples[0])[0] == topic.intent


class Recorder:
    def __init__(self, inner: Any) -> None:
        self.inner, self.sent = inner, []  # type: ignore[var-annotated]

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        self.sent.append(envelope)
        return self.inner.send(envelope)  # type: ignore[no-any-return]


def test_chat_in_process_holds_a_conversation_and_ends_on_stop() -> None:
    out = io.StringIO()
    assert launcher.chat(None, mute=True, keyboard=scripted(QUESTION, "tell me more", "stop"),
                         out=out, fast=True) == 0
    lines = [line for line in out.getvalue().splitlines() if "coach> " in line]
    assert len(lines) == 4
    assert "medical advice" in lines[0]
    assert "card:" in out.getvalue()


def test_chat_sends_session_ended_at_end_of_input(nlu: LocalNLU) -> None:
    from skill.devtools.chat import InProcess
    from skill.builder import build_skill

    transport = Recorder(InProcess(build_skill()))
    console = Console(transport, nlu, launcher.make_speaker(True), io.StringIO(), scripted(QUESTION),
                      fast=True)
    assert console.run() == 0
    types = [e["request"]["type"] for e in transport.sent]
    assert types == ["LaunchRequest", "IntentRequest", "SessionEndedRequest"]
    assert [e["session"]["new"] for e in transport.sent] == [True, False, False]
    assert transport.sent[2]["session"]["attributes"].get("topic")


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[str]:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db")})
    with serving(app) as base:
        yield f"{base}/alexa"


def test_chat_over_http_talks_to_a_dev_server(dev_server: str) -> None:
    out = io.StringIO()
    read = scripted("what about diet", "where is that from", "stop")
    assert launcher.chat(dev_server, mute=True, keyboard=read, out=out, fast=True) == 0
    assert out.getvalue().count("coach> ") == 4


def test_chat_against_a_verifying_server_says_why_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app({"ADAPTER": SQLiteAdapter(tmp_path / "v.db")})  # verification on
    with serving(app) as base:
        assert cli.main(["chat", "--url", f"{base}/alexa", "--mute"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 400" in err and "verification" in err


def test_chat_to_an_unreachable_url_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/alexa"
    assert cli.main(["chat", "--url", url, "--mute"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach" in err


def test_run_starts_a_dev_server_chats_with_it_and_stops_it() -> None:
    port = free_port()
    out = io.StringIO()
    assert launcher.run(port, mute=True, keyboard=scripted(QUESTION, "stop"), out=out, fast=True) == 0
    assert out.getvalue().count("coach> ") == 3
    assert launcher.port_free(port), "the server is still running"


def test_run_with_dynamodb_local_keeps_users_there_and_stops_it(
        monkeypatch: pytest.MonkeyPatch, legcoach_home: Path) -> None:
    from skill.devtools.dynamodb_local import DynamoDBLocalError, answers, find_home, find_java

    try:
        find_java(), find_home()
    except DynamoDBLocalError as e:
        pytest.skip(str(e))
    monkeypatch.setenv("LEGCOACH_STORE", "dynamodb-local")
    port = free_port()
    out = io.StringIO()
    assert launcher.run(port, mute=True, keyboard=scripted("start a workout", "stop"), out=out,
                        fast=True) == 0
    assert "Let's warm up" in out.getvalue() and "sorry" not in out.getvalue().lower()
    assert not (legcoach_home / "skill.db").exists()  # users went to DynamoDB Local
    log = (legcoach_home / "server.log").read_text()
    db_port = int(re.search(r"Port:\s+(\d+)", log).group(1))  # type: ignore[union-attr]
    assert not answers(db_port), "DynamoDB Local is still running"
    assert launcher.port_free(port)


def test_a_port_whose_server_closed_a_connection_and_stopped_is_free() -> None:
    # The server side closes first, so its end lingers in TIME_WAIT.
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()
            assert client.recv(1) == b""
        assert not launcher.port_free(port)  # still listening
    assert launcher.port_free(port)


def test_run_refuses_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert cli.main(["run", "--port", str(busy.getsockname()[1]), "--mute"]) == 1
    err = capsys.readouterr().err
    assert "in use" in err and "--port" in err and "make run PORT=" in err


def test_speaking_console_waits_for_the_audio(nlu: LocalNLU) -> None:
    class Speaker:
        audible = True

        def __init__(self) -> None:
            self.spoken: list[Narration] = []

        def speak(self, n: Narration) -> None:
            self.spoken.append(n)

        def seconds(self, n: Narration) -> float:
            return 0.01

        def close(self) -> None:
            pass

    from skill.devtools.chat import InProcess
    from skill.builder import build_skill

    speaker = Speaker()
    Console(InProcess(build_skill()), nlu, speaker, io.StringIO(), scripted("stop")).run()
    assert len(speaker.spoken) == 2 and all(isinstance(n, Narration) for n in speaker.spoken)


def test_ask_speak_without_audio_says_once_that_it_printed_instead(legcoach_home: Path) -> None:
    import os

    # No player program on PATH: the machine has no way to play audio.
    env = {**os.environ, "LEGCOACH_HOME": str(legcoach_home), "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([sys.executable, "-m", "skill", "ask", "--speak", QUESTION],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith("Leg fat is stubborn")
    assert done.stderr.count("printed only") == 1 and "Traceback" not in done.stderr
