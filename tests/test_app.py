"""The HTTP endpoint: verification at the door, 400s with reasons, the skill behind it."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import certs
import envelopes as E
from servers import serving
from skill.endpoint.app import MAX_BODY, create_app
from skill.store.sqlite import SQLiteAdapter

NOW = datetime.now(timezone.utc)


@pytest.fixture(scope="module")
def chain() -> certs.Chain:
    return certs.make_chain()


@pytest.fixture
def fetch(chain: certs.Chain) -> certs.RecordingFetch:
    return certs.RecordingFetch({certs.CERT_URL: chain.pem_chain_bytes})


@pytest.fixture
def app(tmp_path: Path, chain: certs.Chain, fetch: certs.RecordingFetch) -> Flask:
    return create_app({
        "SKILL_ID": certs.SKILL_ID,
        "TRUSTED_ROOTS": [chain.root],
        "FETCH": fetch,
        "ADAPTER": SQLiteAdapter(tmp_path / "skill.db"),
    })


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def dev_client(tmp_path: Path) -> FlaskClient:
    return create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db")}).test_client()


def signed(body: bytes, chain: certs.Chain, url: str = certs.CERT_URL) -> dict[str, str]:
    return certs.alexa_headers(body, chain, url)


def post(client: FlaskClient, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return client.post("/alexa", data=body, headers=headers or {"Content-Type": "application/json"})


def error_of(response: Any) -> str:
    return str(response.get_json()["error"])


def launch_body(**kwargs: Any) -> bytes:
    return E.body(E.launch(**kwargs))


def test_signed_launch_gets_the_skill_response(client: FlaskClient, chain: certs.Chain) -> None:
    body = launch_body()
    response = post(client, body, signed(body, chain))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    envelope = response.get_json()
    assert envelope["version"] == "1.0"
    assert envelope["response"]["shouldEndSession"] is False


def test_certificate_chain_is_fetched_once_and_cached(client: FlaskClient, chain: certs.Chain,
                                                       fetch: certs.RecordingFetch) -> None:
    for _ in range(3):
        body = launch_body()
        assert post(client, body, signed(body, chain)).status_code == 200
    assert fetch.calls == [certs.CERT_URL]


def _expired_chain() -> certs.Chain:
    return certs.make_chain(not_before=NOW - timedelta(days=60), not_after=NOW - timedelta(days=1))


def _case(name: str) -> tuple[bytes, dict[str, str], certs.RecordingFetch | None]:
    """(body, headers, fetch override) for one failing case."""
    good = certs.make_chain()
    body = launch_body()
    headers = signed(body, good)
    if name == "missing chain url":
        headers.pop("SignatureCertChainUrl")
    elif name == "missing signature":
        headers.pop("Signature-256")
    elif name == "wrong url":
        headers["SignatureCertChainUrl"] = "https://evil.example.com/echo.api/cert.pem"
    elif name == "untrusted chain":
        rogue = certs.make_chain(authority=certs.make_authority("Rogue"))
        url = "https://s3.amazonaws.com/echo.api/rogue.pem"
        return body, signed(body, rogue, url), certs.RecordingFetch({url: rogue.pem_chain_bytes})
    elif name in ("expired certificate", "missing SAN"):
        bad = _expired_chain() if name == "expired certificate" else certs.make_chain(san=None)
        url = f"https://s3.amazonaws.com/echo.api/{name.replace(' ', '-')}.pem"
        return body, signed(body, bad, url), certs.RecordingFetch({url: bad.pem_chain_bytes})
    elif name == "bad signature":
        headers.update(certs.sign_request(body, certs.rsa_key("someone else")))
    elif name == "tampered body":
        body = body.replace(b"LaunchRequest", b"IntentRequest")
    elif name == "stale timestamp":
        body = launch_body(timestamp=NOW - timedelta(minutes=10))
        headers = signed(body, good)
    elif name == "wrong skill id":
        body = launch_body(application_id="amzn1.ask.skill.someone-elses")
        headers = signed(body, good)
    return body, headers, None


@pytest.mark.parametrize("name,reason", [
    ("missing chain url", "SignatureCertChainUrl"),
    ("missing signature", "Signature-256"),
    ("wrong url", "host"),
    ("untrusted chain", "not trusted"),
    ("expired certificate", "expired"),
    ("missing SAN", "subject alternative"),
    ("bad signature", "signature does not match"),
    ("tampered body", "signature does not match"),
    ("stale timestamp", "old"),
    ("wrong skill id", "application id"),
])
def test_requests_failing_verification_get_400_with_the_reason(
    tmp_path: Path, chain: certs.Chain, fetch: certs.RecordingFetch, name: str, reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body, headers, override = _case(name)
    if override is not None:
        fetch.chains.update(override.chains)
    app = create_app({"SKILL_ID": certs.SKILL_ID, "TRUSTED_ROOTS": [chain.root], "FETCH": fetch,
                      "ADAPTER": SQLiteAdapter(tmp_path / "skill.db")})
    response = post(app.test_client(), body, headers)
    assert response.status_code == 400
    assert "request verification failed" in error_of(response)
    assert reason in error_of(response)
    assert any(reason in record.getMessage() for record in caplog.records)


def test_verification_is_on_by_default(tmp_path: Path) -> None:
    app = create_app({"ADAPTER": SQLiteAdapter(tmp_path / "skill.db")})
    response = post(app.test_client(), launch_body())
    assert response.status_code == 400
    assert "SignatureCertChainUrl" in error_of(response)


def test_skill_id_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             chain: certs.Chain, fetch: certs.RecordingFetch) -> None:
    monkeypatch.setenv("LEGCOACH_SKILL_ID", "amzn1.ask.skill.from-env")
    app = create_app({"TRUSTED_ROOTS": [chain.root], "FETCH": fetch,
                      "ADAPTER": SQLiteAdapter(tmp_path / "skill.db")})
    body = launch_body()
    response = post(app.test_client(), body, signed(body, chain))
    assert response.status_code == 400 and "application id" in error_of(response)


@pytest.mark.parametrize("body,reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe\x00", "not JSON"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b'{"hello": "world"}', "no version"),
    (b'{"version": "1.0", "request": {}}', "request.type"),
    (b'{"version": "1.0", "request": {"type": "LaunchRequest"}}', "context.System"),
])
def test_bad_bodies_get_400_with_a_reason(dev_client: FlaskClient, body: bytes, reason: str) -> None:
    response = post(dev_client, body)
    assert response.status_code == 400
    assert reason in error_of(response)


def test_signed_non_alexa_json_gets_400(client: FlaskClient, chain: certs.Chain) -> None:
    body = b'{"hello": "world"}'
    response = post(client, body, signed(body, chain))
    assert response.status_code == 400


def test_oversized_body_gets_413(dev_client: FlaskClient) -> None:
    body = b'{"pad": "' + b"x" * MAX_BODY + b'"}'
    response = post(dev_client, body)
    assert response.status_code == 413
    assert "larger than" in error_of(response)


def test_unknown_fields_are_tolerated_over_http(client: FlaskClient, chain: certs.Chain) -> None:
    envelope = E.launch()
    envelope["somethingNew"] = {"nested": [1, 2]}
    envelope["request"]["newFlag"] = True
    body = E.body(envelope)
    assert post(client, body, signed(body, chain)).status_code == 200


def test_health_check_answers_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "verify": True}


def test_wrong_method_gets_json_error(client: FlaskClient) -> None:
    response = client.get("/alexa")
    assert response.status_code == 405
    assert error_of(response)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    with serving(app) as base:
        yield base.removeprefix("http://")


def test_a_real_server_on_loopback_serves_signed_requests(live_server: str, chain: certs.Chain) -> None:
    host, port = live_server.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for make in (E.launch, lambda: E.question("why won't my legs slim down", new=True)):
            body = E.body(make())
            connection.request("POST", "/alexa", body, signed(body, chain))
            response = connection.getresponse()
            data = json.loads(response.read())
            assert response.status == 200
            assert data["response"]["outputSpeech"]["ssml"].startswith("<speak>")
        connection.request("POST", "/alexa", b"{}", {"Content-Type": "application/json"})
        rejected = connection.getresponse()
        assert rejected.status == 400
        assert "error" in json.loads(rejected.read())
    finally:
        connection.close()


# --- the Lambda entry point ---------------------------------------------------


@pytest.fixture
def fresh_lambda(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    import skill.endpoint.lambda_function as entry

    monkeypatch.setattr(entry, "_skill", None)
    monkeypatch.setenv("LEGCOACH_STORE", f"sqlite:{tmp_path / 'lambda.db'}")
    monkeypatch.delenv("LEGCOACH_SKILL_ID", raising=False)
    return entry


def test_lambda_handler_serves_the_same_skill(fresh_lambda: Any, tmp_path: Path) -> None:
    launch = fresh_lambda.handler(E.launch(), None)
    assert launch["response"]["shouldEndSession"] is False
    answer = fresh_lambda.handler(E.question("why won't my legs slim down", new=True), None)
    assert answer["response"]["shouldEndSession"] is True
    assert (tmp_path / "lambda.db").exists()


def test_lambda_handler_rejects_another_skills_requests(fresh_lambda: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from ask_sdk_core.exceptions import AskSdkException

    monkeypatch.setenv("LEGCOACH_SKILL_ID", certs.SKILL_ID)
    assert fresh_lambda.handler(E.launch(), None)["version"] == "1.0"
    with pytest.raises(AskSdkException):
        fresh_lambda.handler(E.launch(application_id="amzn1.ask.skill.other"), None)


def in_child(code: str, tmp_path: Path) -> str:
    """What ``code`` prints in a new interpreter (SQLite store under ``tmp_path``)."""
    env = {**os.environ, "LEGCOACH_STORE": f"sqlite:{tmp_path / 'child.db'}"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_lambda_entry_point_does_not_load_the_web_stack(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "import skill.endpoint.lambda_function as entry\n"
        f"entry.handler(json.loads({json.dumps(json.dumps(E.launch()))}), None)\n"
        "print(sorted(m for m in ('flask', 'werkzeug', 'cryptography', 'boto3') if m in sys.modules))\n"
    )
    assert in_child(code, tmp_path) == "[]"


def test_a_served_app_keeps_its_long_lived_objects_out_of_the_collector(tmp_path: Path) -> None:
    # In a child process: freezing is for the whole process.
    code = (
        "import gc, json\n"
        "from skill.endpoint.app import create_app, freeze_for_serving\n"
        "app = create_app({'VERIFY': False})\n"
        "before = gc.get_freeze_count()\n"
        "freeze_for_serving()\n"
        f"reply = app.test_client().post('/alexa', data={json.dumps(json.dumps(E.launch()))})\n"
        "print(json.dumps([before, gc.get_freeze_count(), reply.status_code]))\n"
    )
    before, frozen, status = json.loads(in_child(code, tmp_path))
    assert before == 0 and frozen > 10_000 and status == 200
