"""The endpoint against hostile input: bodies and envelopes built to break it,
certificate URLs used as a lever, forged log lines and forged speech, the
debugger, and calls to hosts that are not Alexa's."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import certs
import envelopes as E
from skill.endpoint.app import MAX_BODY, create_app, make_http_server
from skill.endpoint.logs import configure_logging, escape_handlers
from skill.endpoint.cert_chain import fetch_url
from skill.endpoint import lambda_function
from skill.store.sqlite import SQLiteAdapter
from skill.builder import build_skill, check_api_url
from tests.alexa_api import AlexaApi, api  # noqa: F401 (api: a fixture)


@pytest.fixture
def dev_app(tmp_path: Path) -> Flask:
    return create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db")})


@pytest.fixture
def dev_client(dev_app: Flask) -> FlaskClient:
    return dev_app.test_client()


def post(client: FlaskClient, body: bytes | dict[str, Any]) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/alexa", data=data, headers={"Content-Type": "application/json"})


def strict_json(response: Any) -> Any:
    """The body parsed as strict JSON (no NaN or Infinity accepted)."""
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a response body")
    return json.loads(response.get_data(as_text=True), parse_constant=refuse)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


# -- nested JSON, NaN, keys that break models --

@pytest.mark.parametrize("depth", [41, 300, 1000, 20_000])
def test_a_deeply_nested_body_gets_400(dev_client: FlaskClient, depth: int) -> None:
    response = post(dev_client, b'{"a":' * depth + b"1" + b"}" * depth)
    assert response.status_code == 400
    assert "nested more than 40 levels" in response.get_json()["error"]


def test_deeply_nested_session_attributes_get_400(dev_client: FlaskClient) -> None:
    response = post(dev_client, E.intent("AMAZON.HelpIntent", attributes={"x": nested(300)}))
    assert response.status_code == 400


def test_a_signed_deeply_nested_body_gets_400(tmp_path: Path) -> None:
    chain = certs.make_chain()
    app = create_app({"TRUSTED_ROOTS": [chain.root], "ADAPTER": SQLiteAdapter(tmp_path / "s.db"),
                      "FETCH": certs.RecordingFetch({certs.CERT_URL: chain.pem_chain_bytes})})
    body = b'{"a":' * 2000 + b"1" + b"}" * 2000
    response = app.test_client().post("/alexa", data=body, headers=certs.alexa_headers(body, chain))
    assert response.status_code == 400 and "nested" in response.get_json()["error"]


def test_an_attribute_nested_too_deep_for_the_skill_is_dropped_with_a_log_line(
        dev_client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    attributes = {"deep": nested(20), "topic": "genetics"}
    response = post(dev_client, E.intent("AMAZON.HelpIntent", attributes=attributes))
    assert response.status_code == 200
    kept = strict_json(response)["sessionAttributes"]
    assert "deep" not in kept and kept["topic"] == "genetics"
    assert 'session attribute "deep" dropped: nested more than 8 levels deep' in caplog.text


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_get_400_never_an_echo(dev_client: FlaskClient, constant: str) -> None:
    body = json.dumps(E.intent("AMAZON.HelpIntent", attributes={"x": 1})).replace('"x": 1', f'"x": {constant}')
    response = post(dev_client, body.encode())
    assert response.status_code == 400 and "not strict JSON" in response.get_json()["error"]


def test_lambda_drops_attributes_holding_nan_with_a_log_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # Lambda's runtime parses events with json.loads, which accepts NaN.
    monkeypatch.setattr(lambda_function, "_skill", build_skill(SQLiteAdapter(tmp_path / "l.db")))
    event = E.intent("AMAZON.HelpIntent", attributes={"bad": [1.0, float("nan")], "worse": float("inf"),
                                                       "topic": "genetics"})
    result = lambda_function.handler(event, None)
    json.dumps(result, allow_nan=False)  # strict JSON
    assert set(result["sessionAttributes"]) >= {"topic"}
    assert not {"bad", "worse"} & set(result["sessionAttributes"])
    assert caplog.text.count("holds NaN or an infinity") == 2


@pytest.mark.parametrize("where", ["top", "request", "System", "session", "intent"])
@pytest.mark.parametrize("key", ["__dict__", "__class__", "to_dict", "attribute_map", "_private"])
def test_keys_that_would_overwrite_model_internals_are_ignored(
        dev_client: FlaskClient, where: str, key: str) -> None:
    value = E.intent("AMAZON.HelpIntent")
    target = {"top": value, "request": value["request"], "System": value["context"]["System"],
              "session": value["session"], "intent": value["request"]["intent"]}[where]
    target[key] = {"x": 1} if key != "__class__" else "str"
    response = post(dev_client, value)
    assert response.status_code == 200
    assert "outputSpeech" in strict_json(response)["response"]


class _FailingSkill:
    """A skill whose catch-all handler itself fails: the SDK then raises out
    of invoke(). A fault the real skill is built never to have, so a stub."""

    def invoke(self, **kwargs: Any) -> Any:
        raise AttributeError("'RequestEnvelope' object has no attribute 'context'")


@pytest.mark.parametrize("kind,speaks", [("IntentRequest", True), ("SessionEndedRequest", False)])
def test_a_skill_that_fails_outright_still_gets_a_spoken_apology_not_500(
        tmp_path: Path, kind: str, speaks: bool) -> None:
    client = create_app({"VERIFY": False, "SKILL": _FailingSkill()}).test_client()
    value = E.intent("AMAZON.HelpIntent") if kind == "IntentRequest" else E.session_ended()
    response = post(client, value)
    assert response.status_code == 200
    body = strict_json(response)
    assert ("outputSpeech" in body["response"]) is speaks
    assert "Traceback" not in response.get_data(as_text=True)


# -- bodies over a real loopback server --

@pytest.fixture
def dev_server(dev_app: Flask) -> Iterator[tuple[str, int]]:
    server = make_http_server(dev_app, "127.0.0.1", 0, read_seconds=2.0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def chunked_post(address: tuple[str, int], body: bytes, chunk: int = 8192) -> bytes:
    """POST ``body`` to /alexa in chunks (a sender thread, so a server that
    answers early is heard); the raw answer."""
    conn = socket.create_connection(address, timeout=10)

    def send() -> None:
        try:
            conn.sendall(b"POST /alexa HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            for i in range(0, len(body), chunk):
                part = body[i:i + chunk]
                conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the end: fine

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = bytearray()
    try:
        while data := conn.recv(65536):
            answer += data
    except OSError:
        pass
    finally:
        sender.join(timeout=10)
        conn.close()
    return bytes(answer)


def padded_launch(size: int) -> bytes:
    """A valid launch envelope followed by spaces up to ``size`` bytes: still
    JSON, so a server that cuts it at the limit would answer 200."""
    body = E.body(E.launch())
    return body + b" " * (size - len(body))


def test_a_chunked_body_over_the_limit_gets_413(dev_server: tuple[str, int]) -> None:
    answer = chunked_post(dev_server, padded_launch(MAX_BODY + 10_000))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert b"larger than 131072 bytes" in answer


def test_a_chunked_body_within_the_limit_is_served(dev_server: tuple[str, int]) -> None:
    answer = chunked_post(dev_server, padded_launch(MAX_BODY - 10))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]


def test_a_body_with_a_length_over_the_limit_gets_413(dev_server: tuple[str, int]) -> None:
    body = padded_launch(MAX_BODY + 1)
    request = urllib.request.Request(f"http://{dev_server[0]}:{dev_server[1]}/alexa", data=body,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    caught.value.close()
    assert caught.value.code == 413


# -- certificate URLs as a lever --

def unsigned(url: str, *, timestamp: datetime | None = None, signature: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = E.body(E.launch(timestamp=timestamp))
    headers = {"Content-Type": "application/json", "SignatureCertChainUrl": url,
               "Signature-256": signature if signature is not None else "A" * 344}
    return body, headers


def verified_app(tmp_path: Path, fetch: Any, **config: Any) -> Flask:
    chain = certs.make_chain()
    return create_app({"TRUSTED_ROOTS": [chain.root], "FETCH": fetch, "SKILL_ID": certs.SKILL_ID,
                       "ADAPTER": SQLiteAdapter(tmp_path / "v.db"), **config})


@pytest.mark.parametrize("case", ["stale timestamp", "signature not base64", "signature too short",
                                  "another skill", "not JSON", "nested"])
def test_cheap_checks_come_before_any_certificate_download(tmp_path: Path, case: str) -> None:
    fetch = certs.RecordingFetch()
    client = verified_app(tmp_path, fetch).test_client()
    url = "https://s3.amazonaws.com/echo.api/fresh-1234.pem"
    body, headers = unsigned(url, timestamp=datetime(2020, 1, 1, tzinfo=timezone.utc)
                             if case == "stale timestamp" else None)
    if case == "signature not base64":
        headers["Signature-256"] = "~" * 344
    elif case == "signature too short":
        headers["Signature-256"] = "QUJD"
    elif case == "another skill":
        body = E.body(E.launch(application_id="amzn1.ask.skill.someone-else"))
    elif case == "not JSON":
        body = b"{not json"
    elif case == "nested":
        body = b"[" * 100 + b"]" * 100
    response = client.post("/alexa", data=body, headers=headers)
    assert response.status_code == 400
    assert fetch.calls == []


def test_a_failed_certificate_url_is_not_fetched_again_for_a_while(tmp_path: Path) -> None:
    fetch = certs.RecordingFetch()  # knows no URL: every download fails
    client = verified_app(tmp_path, fetch).test_client()
    body, headers = unsigned("https://s3.amazonaws.com/echo.api/missing.pem")
    first = client.post("/alexa", data=body, headers=headers)
    second = client.post("/alexa", data=body, headers=headers)
    assert first.status_code == second.status_code == 400
    assert "not retried before" in second.get_json()["error"]
    assert len(fetch.calls) == 1


class StallingHost:
    """A real TCP server on loopback that accepts connections and never
    answers: a certificate host that stalls. Counts connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def fetch(self, url: str) -> bytes:
        """What the verifier's fetch does, against this host (plain HTTP, 3 s)."""
        return fetch_url(f"http://127.0.0.1:{self.port}{url.split('amazonaws.com', 1)[1]}", timeout=3.0)

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


def test_a_stalled_certificate_host_never_starves_the_server(tmp_path: Path) -> None:
    host = StallingHost()
    app = verified_app(tmp_path, host.fetch)
    server = make_http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    statuses: list[int] = []
    elapsed: list[float] = []

    def attack(n: int) -> None:
        body, headers = unsigned(f"https://s3.amazonaws.com/echo.api/fresh-{n}.pem")
        request = urllib.request.Request(f"{base}/alexa", data=body, headers=headers)
        start = time.monotonic()
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
            exc.close()
        elapsed.append(time.monotonic() - start)

    try:
        attackers = [threading.Thread(target=attack, args=(n,)) for n in range(12)]
        for attacker in attackers:
            attacker.start()
        time.sleep(0.3)  # the downloads are under way and stalled
        start = time.monotonic()
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as health:
            assert health.status == 200
        health_seconds = time.monotonic() - start
        for attacker in attackers:
            attacker.join(timeout=15)
    finally:
        server.shutdown()
        server.server_close()
        host.close()
    assert statuses == [400] * 12
    assert len(host.connections) <= 2  # at most two downloads at once, the rest refused at once
    assert sum(1 for s in elapsed if s < 1.5) >= 10  # not one waited for the 3 s stall
    assert health_seconds < 1.5


# -- the debugger, never --

def serve_in_child(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    port_sock = socket.socket()
    port_sock.bind(("127.0.0.1", 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    env = {**os.environ, "FLASK_DEBUG": "1", "WERKZEUG_DEBUG_PIN": "off", "LEGCOACH_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "skill", "serve", "--port", str(port), *args],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"server did not start: {process.communicate()[0]}")


@pytest.mark.parametrize("mode", [["--dev"], []], ids=["dev", "verified"])
def test_flask_debug_in_the_environment_never_turns_the_debugger_on(tmp_path: Path, mode: list[str]) -> None:
    process, port = serve_in_child(tmp_path, *mode)
    try:
        with pytest.raises(urllib.error.HTTPError) as console:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/console", timeout=5)
        console.value.close()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/alexa", data=b"[" * 5000,
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(request, timeout=5)
        bad_body = bad.value.read()
        bad.value.close()
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert console.value.code == 404
    assert bad.value.code == 400 and b"Traceback" not in bad_body
    assert "PIN" not in output and "Debugger is active" not in output and "reloader" not in output.lower()


def test_the_app_is_never_in_debug_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "d.db")}).debug is False


# -- outbound calls only to Alexa's API hosts --

@pytest.mark.parametrize("url", [
    "https://api.amazonalexa.com/v2/devices/x/settings/System.timeZone",
    "https://api.eu.amazonalexa.com/v1/alerts/reminders",
    "https://API.FE.AMAZONALEXA.COM:443/v1",
    "https://localhost:8443/v1", "https://127.0.0.1:9/v1", "http://[::1]:8080/v1",
])
def test_alexa_api_hosts_and_loopback_are_allowed(url: str) -> None:
    check_api_url(url)


@pytest.mark.parametrize("url", [
    "https://evil.example.com/v1", "https://api.amazonalexa.com.evil.example/v1",
    "https://api.amazonalexa.com@evil.example/v1", "https://api.amazonalexa.com:8443/v1",
    "http://api.amazonalexa.com/v1", "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/v1", "file:///etc/passwd", "ftp://localhost/x", "https://[::1/x", "",
])
def test_other_hosts_are_refused(url: str) -> None:
    from ask_sdk_core.exceptions import ApiClientException

    with pytest.raises(ApiClientException):
        check_api_url(url)


def test_dev_mode_calls_no_host_an_envelope_names(
        dev_client: FlaskClient, api: AlexaApi, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    for endpoint, calls in ((api.url, 1), ("https://metadata.internal.example", 1)):
        value = E.intent("WeeklyProgressIntent")
        value["context"]["System"]["apiEndpoint"] = endpoint
        response = post(dev_client, value)
        assert response.status_code == 200 and "week" in str(strict_json(response)).lower()
        assert len(api.calls) == calls
    assert "not an Alexa API host: 'metadata.internal.example'" in caplog.text


# -- logs that cannot be forged --

FORGED = "Evil\nCRITICAL skill.app: FORGED\r\x1b[2K\x1b[31mred\u2028"


def test_newlines_and_escape_codes_cannot_forge_application_log_lines(dev_client: FlaskClient) -> None:
    stream = io.StringIO()
    handler = configure_logging(stream=stream)
    try:
        post(dev_client, E.intent(FORGED))
        post(dev_client, E.session_ended("ERROR", error={"type": "INVALID_RESPONSE", "message": FORGED}))
        try:
            raise ValueError(FORGED)
        except ValueError:
            logging.getLogger("skill.app").exception("failed: %s", FORGED)
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "\x1b" not in text and "\u2028" not in text and "\r" not in text
    lines = text.rstrip("\n").split("\n")
    starts = [line for line in lines if not line.startswith((" ", "Traceback", "ValueError: Evil"))]
    assert all(line.split(" ", 1)[0] in {"INFO", "WARNING", "ERROR"} for line in starts), starts
    assert not any(line.startswith("CRITICAL") for line in lines)
    assert sum("Evil\\nCRITICAL skill.app: FORGED\\r\\x1b[2K" in line for line in starts) >= 3


def test_on_lambda_the_runtimes_log_handler_escapes_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # what AWS Lambda's Python runtime does before loading the function: a plain
    # handler on the root logger, writing each record as it is
    stream = io.StringIO()
    runtime = logging.StreamHandler(stream)
    runtime.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    root = logging.getLogger()
    root.addHandler(runtime)
    monkeypatch.setattr(lambda_function, "_skill", None)
    monkeypatch.setenv("LEGCOACH_STORE", f"sqlite:{tmp_path / 'lambda.db'}")
    try:
        lambda_function.handler(E.intent(FORGED), None)
        lambda_function.handler(E.session_ended("ERROR", error={"type": "INVALID_RESPONSE",
                                                                "message": FORGED}), None)
        escape_handlers()  # a warm instance: the filter is not added twice
    finally:
        root.removeHandler(runtime)
    assert sum(isinstance(f, logging.Filter) for f in runtime.filters) == 1
    lines = stream.getvalue().rstrip("\n").split("\n")
    assert "\x1b" not in stream.getvalue() and "\u2028" not in stream.getvalue()
    assert all(line.startswith("[") for line in lines), lines
    assert sum("Evil\\nCRITICAL skill.app: FORGED" in line for line in lines) >= 2


# -- "repeat" never replays forged speech --

def repeat_with(dev_client: FlaskClient, speech: str, reprompt: str = "<speak>Anything else?</speak>") -> str:
    value = E.intent("AMAZON.RepeatIntent", attributes={"last": {"speech": speech, "reprompt": reprompt}})
    response = post(dev_client, value)
    assert response.status_code == 200
    return str(strict_json(response)["response"]["outputSpeech"]["ssml"])


def test_repeat_says_the_remembered_speech_as_it_was(dev_client: FlaskClient) -> None:
    first = strict_json(post(dev_client, E.question("why won't my legs slim down")))
    last = first["sessionAttributes"]["last"]
    assert repeat_with(dev_client, last["speech"], last["reprompt"]) == first["response"]["outputSpeech"]["ssml"]
    whistle = '<speak>Go! <audio src="soundbank://soundlibrary/sports/whistles/sports_whistles_02"/> ' \
              '<break time="10s"/> <break time="2500ms"/> Rest.</speak>'
    assert repeat_with(dev_client, whistle) == whistle


@pytest.mark.parametrize("forged", [
    '<speak>Hi <audio src="https://evil.example/ad.mp3"/> there</speak>',
    '<speak>Hi <prosody volume="x-loud"><audio src="https://evil.example/a.mp3"/>there</prosody></speak>',
    '<speak>Hi <break time="3600s"/> there</speak>',
    '<speak>Hi <amazon:effect name="whispered">there</amazon:effect></speak>',
])
def test_repeat_rebuilds_forged_speech_keeping_only_words_breaks_and_own_sounds(
        dev_client: FlaskClient, forged: str) -> None:
    ssml = repeat_with(dev_client, forged)
    assert "evil" not in ssml and "prosody" not in ssml and "amazon:" not in ssml and "3600" not in ssml
    assert "Hi" in ssml and "there" in ssml


@pytest.mark.parametrize("forged", ["<speak>unclosed", "<speak>" + "word " * 3000 + "</speak>",
                                    "<speak><break time='1s'/></speak>"])
def test_repeat_of_unusable_speech_says_there_is_nothing_to_repeat(dev_client: FlaskClient, forged: str) -> None:
    ssml = repeat_with(dev_client, forged)
    assert "word word" not in ssml and "unclosed" not in ssml
    assert "said anything" in ssml
