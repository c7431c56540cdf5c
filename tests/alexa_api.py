"""A real local HTTPS server standing in for the Alexa APIs (the SDK's
DefaultApiClient refuses plain HTTP): the settings API's time zone and the
Reminders API. Tests point a request's ``apiEndpoint`` at :attr:`AlexaApi.url`.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.certs import make_chain


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class AlexaApi:
    """The Alexa API host on 127.0.0.1 over TLS; records every request.

    ``answers`` holds (status, body) for the next reminder calls; once empty,
    creating answers 201 with a new alertToken and deleting answers 200.
    ``time_zone`` is the settings API's answer; with ``stall`` set, that
    call hangs until the server closes (a stalled API).
    """

    def __init__(self, tmp_path: Path) -> None:
        chain = make_chain(tmp_path, san="localhost")
        key_path = tmp_path / "leaf-key.pem"
        key_path.write_bytes(chain.leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.ca_bundle = tmp_path / "root.pem"
        self.calls: list[Call] = []
        self.answers: deque[tuple[int, Any]] = deque()
        self.time_zone: tuple[int, Any] = (200, "Europe/Berlin")
        self.created = 0
        self.stall = False
        self._closing = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(chain.path), str(key_path))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def answer(self, method: str, path: str) -> tuple[int, Any]:
        if path.endswith("/settings/System.timeZone"):
            if self.stall:
                self._closing.wait(30)
            return self.time_zone
        if self.answers:
            return self.answers.popleft()
        if method == "POST":
            self.created += 1
            token = f"token-{self.created}"
            return 201, {"alertToken": token, "createdTime": "2026-11-24T16:00:00.000Z",
                         "updatedTime": "2026-11-24T16:00:00.000Z", "status": "ON", "version": "1",
                         "href": f"/v1/alerts/reminders/{token}"}
        return 200, None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                api.calls.append(Call(self.command, self.path, dict(self.headers.items()),
                                      json.loads(raw) if raw else None))
                status, body = api.answer(self.command, self.path)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlexaApi]:
    server = AlexaApi(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_bundle))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    yield server
    server.close()
