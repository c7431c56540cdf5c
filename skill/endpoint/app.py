"""The self-hosted endpoint: ``POST /alexa`` runs the skill, ``GET /healthz`` answers ok.

Every request is verified as coming from Alexa (signature, certificate
chain, timestamp, skill id) before anything else reads it; a request that
fails, or that is not an Alexa envelope, gets HTTP 400 with the reason as
JSON (``{"error": ...}``), and the reason is logged. Config keys (defaults):

- ``VERIFY`` (True): verification can be switched off only here, for tests
  and for ``python -m skill serve --dev`` on a loopback address;
- ``SKILL_ID`` ($LEGCOACH_SKILL_ID): reject other skills' requests;
- ``TRUSTED_ROOTS`` (system CAs), ``FETCH`` (HTTPS download): for tests;
- ``MAX_CONTENT_LENGTH`` (128 KiB): larger bodies get 413, chunked ones too;
- ``STORE`` ($LEGCOACH_STORE) or ``ADAPTER``: where user state lives;
- ``SKILL``: a ready skill object (default: ``build_skill``);
- ``WARM`` (True): load topics, matcher and workout machinery when the app
  is made (``skill.builder.warm_up``), not on the first request that needs them.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, abort, request
from werkzeug.exceptions import HTTPException

from skill.core.sdk import make_serializer
from skill.endpoint.audio import attach_audio
from skill.endpoint.body import BodyError, dumps_response, parse_body, screen_attributes
from skill.endpoint.verify import RequestVerifier, VerificationError

SKILL_ID_ENV = "LEGCOACH_SKILL_ID"
MAX_BODY = 128 * 1024
JSON_TYPE = "application/json;charset=UTF-8"
SIGNATURE_HEADERS = ("SignatureCertChainUrl", "Signature-256")
#: What Alexa hears should the skill itself fail (its catch-all handler included).
FALLBACK_SPEECH = "<speak>Sorry, something went wrong on my side. Please try again, or say help.</speak>"

log = logging.getLogger("skill.endpoint.app")


def json_response(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, separators=(",", ":")), status=status, mimetype=JSON_TYPE)


def reject(status: int, reason: str) -> Response:
    """A logged refusal with its reason as JSON."""
    log.warning("HTTP %d: %s", status, reason)
    return json_response({"error": reason}, status)


def envelope_problem(value: Any) -> str | None:
    """Why ``value`` is not an Alexa request envelope, or None if it is one."""
    if not isinstance(value, dict):
        return "request body is not a JSON object"
    if not isinstance(value.get("version"), str):
        return "request envelope has no version"
    req = value.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("type"), str) or not req["type"]:
        return "request envelope has no request.type"
    system = value.get("context", {}).get("System") if isinstance(value.get("context"), dict) else None
    if not isinstance(system, dict):
        return "request envelope has no context.System"
    if "session" in value and not isinstance(value["session"], dict):
        return "request envelope session is not an object"
    return None


def fallback_response(value: Any) -> dict[str, Any]:
    """A plain apology (nothing for a SessionEndedRequest), for a request the skill failed on."""
    kind = value.get("request", {}).get("type") if isinstance(value, dict) else None
    if kind == "SessionEndedRequest":
        return {"version": "1.0", "response": {}}
    speech = {"type": "SSML", "ssml": FALLBACK_SPEECH}
    return {"version": "1.0", "response": {
        "outputSpeech": speech, "reprompt": {"outputSpeech": speech}, "shouldEndSession": False}}


def read_body(limit: int) -> bytes:
    """The request body; 413 past ``limit`` bytes, also when it comes chunked
    (Werkzeug would cut a chunked body at the limit and carry on)."""
    if request.content_length is not None or "wsgi.input_terminated" not in request.environ:
        return request.get_data(cache=False)  # Werkzeug answers 413 to a longer Content-Length
    stream = request.environ["wsgi.input"]
    parts, size = [], 0
    try:
        while chunk := stream.read(min(65536, limit + 1 - size)):
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                abort(413)
    except OSError:  # the client stalled (a read deadline) or went away
        abort(408)
    return b"".join(parts)


def envelope_kind(value: dict[str, Any]) -> str:
    return json.dumps(value.get("request", {}).get("type"))


def _signature_headers(headers: Any) -> dict[str, str]:
    """The two headers the verifier reads (Flask's header lookup ignores case)."""
    return {name: headers.get(name, "") for name in SIGNATURE_HEADERS}


def _settings(config: Mapping[str, Any] | None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "VERIFY": True,
        "SKILL_ID": os.environ.get(SKILL_ID_ENV) or None,
        "TRUSTED_ROOTS": None,
        "FETCH": None,
        "MAX_CONTENT_LENGTH": MAX_BODY,
        "STORE": None,
        "ADAPTER": None,
        "SKILL": None,
        "WARM": True,
    }
    settings.update(config or {})
    return settings


def _verifier(settings: Mapping[str, Any]) -> RequestVerifier | None:
    if not settings["VERIFY"]:
        log.warning("request verification is OFF: for local development only")
        return None
    return RequestVerifier(
        settings["SKILL_ID"], trusted_roots=settings["TRUSTED_ROOTS"], fetch=settings["FETCH"]
    )


class _DeadlineReader:
    """A connection's read side that gives up once ``seconds`` have passed
    since :meth:`restart` (each read waits only for what time is left), so a
    client that sends its request slowly cannot hold a thread for long."""

    def __init__(self, raw: Any, sock: Any, seconds: float) -> None:
        self._raw, self._sock, self.seconds = raw, sock, seconds
        self.restart()

    def restart(self) -> None:
        self._deadline = time.monotonic() + self.seconds

    def _wait(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"request not read within {self.seconds:g} s")
        self._sock.settimeout(left)

    def readline(self, size: int = -1) -> bytes:
        self._wait()
        return self._raw.readline(size)  # type: ignore[no-any-return]

    def read(self, size: int = -1) -> bytes:
        self._wait()
        return self._raw.read(size)  # type: ignore[no-any-return]

    def read1(self, size: int = -1) -> bytes:
        self._wait()
        return self._raw.read1(size)  # type: ignore[no-any-return]

    def readinto(self, buffer: Any) -> int:
        self._wait()
        return self._raw.readinto(buffer)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def make_http_server(app: Flask | None, host: str, port: int, *, read_seconds: float = 10.0) -> Any:
    """Werkzeug's threaded server for ``app`` (``python -m skill serve``),
    where reading a request (line, headers and body) must end within
    ``read_seconds`` or the connection is closed. No debugger, no reloader
    and no environment variables read (``FLASK_DEBUG`` has no effect).
    ``app`` None: set ``server.app`` before serving (made once the port is known)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class DeadlineRequestHandler(WSGIRequestHandler):
        def setup(self) -> None:
            super().setup()
            self.rfile = _DeadlineReader(self.rfile, self.connection, read_seconds)  # type: ignore[assignment]

        def handle_one_request(self) -> None:
            self.rfile.restart()  # type: ignore[attr-defined]
            super().handle_one_request()

    return make_server(host, port, app, threaded=True,  # type: ignore[arg-type]  # None: set before serving
                       request_handler=DeadlineRequestHandler)


def freeze_for_serving() -> None:
    """Exempt everything loaded so far from the cyclic garbage collector.

    A warmed-up app holds about 50,000 objects the collector tracks (topics,
    matcher, workout guides, the SDK's models), all living as long as the
    process; each full collection walks them and pauses every request in
    flight by about 20 ms here. A long-lived server calls this once, when
    its app is built (``python -m skill serve``; gunicorn's
    ``post_worker_init`` in infra/gunicorn.conf.py); objects made later are
    collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app serving the skill (see the module docstring for ``config``)."""
    settings = _settings(config)
    app = Flask(__name__)
    app.config.update(settings)
    app.debug = False  # never the debugger, whatever FLASK_DEBUG says
    audio = attach_audio(app, settings)  # GET /audio/<digest>.mp3 when this server renders streams
    skill = settings["SKILL"]
    if skill is None:
        from skill.builder import build_skill

        skill = build_skill(settings["ADAPTER"], {"STORE": settings["STORE"], "AUDIO": audio},
                            warm=settings["WARM"])
    verifier = _verifier(settings)
    serializer = make_serializer()

    @app.post("/alexa")
    def alexa() -> Response:
        body = read_body(app.config["MAX_CONTENT_LENGTH"])
        try:  # the verifier parses the body once, for everyone
            if verifier is not None:
                value = verifier.verify(_signature_headers(request.headers), body)
            else:
                value = parse_body(body)
        except VerificationError as exc:
            return reject(400, f"request verification failed: {exc.reason}")
        except BodyError as exc:
            return reject(400, exc.reason)
        problem = envelope_problem(value)
        if problem:
            return reject(400, problem)
        screen_attributes(value)
        try:
            envelope = serializer.deserialize_value(value, RequestEnvelope)
        except SerializationException as exc:
            return reject(400, f"request envelope is malformed: {exc}")
        try:
            result = skill.invoke(request_envelope=envelope, context=None)
            text = dumps_response(serializer.serialize(result))
        except Exception:  # noqa: BLE001 - the catch-all handler failed too: still an answer
            log.exception("the skill failed on a %s", envelope_kind(value))
            return json_response(fallback_response(value))
        return Response(text, mimetype=JSON_TYPE)

    @app.get("/healthz")
    def healthz() -> Response:
        return json_response({"status": "ok", "verify": verifier is not None})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status == 413:
            return reject(413, f"request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes")
        return reject(status, exc.description or exc.name)

    return app
