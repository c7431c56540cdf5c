"""Slow clients: requests sent slowly, or never finished, must not hold the server.

The dev server (``python -m skill serve``) gives a request 10 s to arrive (2 s
here). In production, gunicorn (infra/gunicorn.conf.py) sits behind nginx
(infra/nginx-leg-coach.conf), which reads each request whole before gunicorn
sees it; both are started for real here, with 50 slow clients hanging on
them while /healthz and /alexa keep answering.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import envelopes as E
from skill.endpoint.app import create_app, make_http_server
from skill.store.sqlite import SQLiteAdapter
from tests.production import NGINX, free_port, gunicorn_on, insecure, nginx_on, timed_get

#: What a slow client sends before it stalls: headers never finished, a
#: body never finished, a chunked body never finished.
OPENINGS = (
    b"POST /alexa HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n",
    b"POST /alexa HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{",
    b"POST /alexa HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n10\r\n{",
)


def hang(port: int, count: int, tls: ssl.SSLContext | None = None) -> list[socket.socket]:
    """``count`` connections to ``port``, each sending an opening and stalling."""
    clients = []
    for n in range(count):
        conn: socket.socket = socket.create_connection(("127.0.0.1", port), timeout=10)
        if tls is not None:
            conn = tls.wrap_socket(conn, server_hostname="localhost")
        conn.sendall(OPENINGS[n % len(OPENINGS)])
        clients.append(conn)
    return clients


# -- the dev server --

def test_the_dev_server_drops_requests_that_do_not_arrive_in_time(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db")})
    server = make_http_server(app, "127.0.0.1", 0, read_seconds=2.0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    baseline = threading.active_count()
    clients = hang(server.server_port, 40)
    try:
        # The server accepts the 40 one by one; on a busy machine that takes a
        # while, so count the most threads held at once, until all are or the
        # first deadline nears.
        held, until = 0, time.monotonic() + 1.5
        while held < 40 and time.monotonic() < until:
            held = max(held, threading.active_count() - baseline)
            time.sleep(0.01)
        assert timed_get(f"http://127.0.0.1:{server.server_port}/healthz") < 0.5
        answers = []
        for conn in clients:  # each is answered (400/408) or closed within the deadline
            conn.settimeout(5)
            try:
                answers.append(conn.recv(200)[:12])
            except OSError as exc:
                answers.append(repr(exc).encode())
        deadline = time.monotonic() + 5
        while threading.active_count() > baseline and time.monotonic() < deadline:
            time.sleep(0.05)
        after = threading.active_count() - baseline
    finally:
        for conn in clients:
            conn.close()
        server.shutdown()
        server.server_close()
    assert held >= 39  # one thread per slow client while it lasts...
    assert after <= 0  # ...and none once the deadline passed
    assert set(answers) <= {b"", b"HTTP/1.1 400", b"HTTP/1.1 408"}, set(answers)


# -- production: gunicorn behind nginx --

@pytest.fixture
def production(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """gunicorn behind nginx, as the README deploys them; yields (nginx port, gunicorn port)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (make test installs it where it can)")
    upstream, port = free_port(), free_port()
    with gunicorn_on(tmp_path, upstream), nginx_on(tmp_path, port, upstream):
        yield port, upstream


def test_behind_nginx_50_slow_clients_do_not_stop_gunicorn(production: tuple[int, int]) -> None:
    port, upstream = production
    tls = insecure()
    clients = hang(port, 50, tls)
    try:
        time.sleep(0.5)  # every slow client is connected and stalled
        health = [timed_get(f"https://localhost:{port}/healthz", tls) for _ in range(10)]
        direct = timed_get(f"http://127.0.0.1:{upstream}/healthz")
        request = urllib.request.Request(f"https://localhost:{port}/alexa", data=E.body(E.launch()),
                                         headers={"Content-Type": "application/json"})
        start = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as refused:  # unsigned: 400 from the app
            urllib.request.urlopen(request, timeout=20, context=tls)
        alexa = time.monotonic() - start
        refused.value.close()
    finally:
        for conn in clients:
            conn.close()
    assert refused.value.code == 400
    assert max(health) < 1.0 and direct < 1.0 and alexa < 1.0, (health, direct, alexa)
