"""The self-hosted endpoint: ``POST /alexa`` runs the skill, ``GET /healthz`` answers ok.

Every request is verified as coming from Alexa (signature, certificate
chain, timestamp, skill id) before anything else reads it; a request that
fails, or that is not an Alexa envelope, gets HTTP 400 with the reason as
JSON (``{"error": ...}``), and the reason is logged. Config keys (defaults):

- ``VERIFY`` (True): verification can be switched off only here, for tests
  and for ``python -m skill serve --dev`` on a loopback address;
- ``SKILL_ID`` ($LEGCOACH_SKILL_ID): reject other skills' requests;
- ``TRUSTED_ROOTS`` (system CAs), ``FETCH`` (HTTPS download): for tests;
- ``MAX_CONTENT_LENGTH`` (128 KiB): larger bodies get 413;
- ``STORE`` ($LEGCOACH_STORE) or ``ADAPTER``: where user state lives;
- ``SKILL``: a ready skill object (default: ``build_skill``);
- ``WARM`` (True): load topics, matcher and workout machinery when the app
  is made (``skill.builder.warm_up``), not on the first request that needs them.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from skill.core.sdk import make_serializer
from skill.endpoint.verify import RequestVerifier, VerificationError

SKILL_ID_ENV = "LEGCOACH_SKILL_ID"
MAX_BODY = 128 * 1024
JSON_TYPE = "application/json;charset=UTF-8"
SIGNATURE_HEADERS = ("SignatureCertChainUrl", "Signature-256")

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
    skill = settings["SKILL"]
    if skill is None:
        from skill.builder import build_skill

        skill = build_skill(settings["ADAPTER"], {"STORE": settings["STORE"]}, warm=settings["WARM"])
    verifier = _verifier(settings)
    serializer = make_serializer()

    @app.post("/alexa")
    def alexa() -> Response:
        body = request.get_data(cache=False)
        if verifier is not None:
            try:  # the verifier parses the body once, for everyone
                value = verifier.verify(_signature_headers(request.headers), body)
            except VerificationError as exc:
                return reject(400, f"request verification failed: {exc.reason}")
        else:
            try:
                value = json.loads(body.decode("utf-8"))
            except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
                return reject(400, "request body is not JSON")
        problem = envelope_problem(value)
        if problem:
            return reject(400, problem)
        try:
            envelope = serializer.deserialize_value(value, RequestEnvelope)
        except SerializationException as exc:
            return reject(400, f"request envelope is malformed: {exc}")
        result = skill.invoke(request_envelope=envelope, context=None)
        return json_response(serializer.serialize(result))

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
