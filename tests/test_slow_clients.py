"""Slow clients: requests sent slowly, or never finished, must not hold the server.

The dev server (``python -m skill serve``) gives a request 10 s to arrive (1 s
here). In production, gunicorn (infra/gunicorn.conf.py) sits behind nginx
(infra/nginx-leg-coach.conf), which reads each request whole before gunicorn
sees it; both are started for real here, with 50 slow clients hanging on
them while /healthz and /alexa keep answering.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import envelopes as E
from skill.endpoint.app import create_app, make_http_server
from skill.store.sqlite import SQLiteAdapter
from tests.certs import make_chain

ROOT = Path(__file__).resolve().parent.parent

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


def timed_get(url: str, tls: ssl.SSLContext | None = None) -> float:
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=20, context=tls) as response:
        assert response.status == 200
    return time.monotonic() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the dev server --

def test_the_dev_server_drops_requests_that_do_not_arrive_in_time(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "dev.db")})
    server = make_http_server(app, "127.0.0.1", 0, read_seconds=1.0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    baseline = threading.active_count()
    clients = hang(server.server_port, 40)
    try:
        time.sleep(0.2)
        held = threading.active_count() - baseline
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

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_conf(tmp_path: Path, port: int, upstream: int) -> Path:
    """A main nginx.conf around infra/nginx-leg-coach.conf as shipped, with
    only the port, the certificate and the upstream port changed."""
    chain = make_chain(tmp_path, san="localhost")
    key = tmp_path / "key.pem"
    key.write_bytes(chain.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    site = (ROOT / "infra" / "nginx-leg-coach.conf").read_text()
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
                     ("/etc/letsencrypt/live/coach.example.com/fullchain.pem", str(chain.path)),
                     ("/etc/letsencrypt/live/coach.example.com/privkey.pem", str(key)),
                     ("http://127.0.0.1:8000", f"http://127.0.0.1:{upstream}")):
        assert old in site
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    main = tmp_path / "nginx.conf"
    main.write_text(f"""{user}
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {tmp_path}/site.conf;
}}
""")
    return main


def wait_healthy(url: str, process: subprocess.Popen[bytes], tls: ssl.SSLContext | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        try:
            timed_get(url, tls)
            return
        except (OSError, AssertionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn_on(tmp_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with infra/gunicorn.conf.py on ``port``, 3 workers x 2 threads."""
    env = {**os.environ, "LEGCOACH_BIND": f"127.0.0.1:{port}", "LEGCOACH_WORKERS": "3",
           "LEGCOACH_THREADS": "2", "LEGCOACH_HOME": str(tmp_path / "home")}
    with (tmp_path / "gunicorn.log").open("wb") as logs:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "infra" / "gunicorn.conf.py")],
            cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            yield process
        finally:
            stop(process)


@contextmanager
def nginx_on(tmp_path: Path, port: int, upstream: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx with infra/nginx-leg-coach.conf on ``port`` (TLS), in front of ``upstream``."""
    assert NGINX is not None
    conf = nginx_conf(tmp_path, port, upstream)
    with (tmp_path / "nginx.out").open("wb") as logs:
        process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=logs)
        try:
            wait_healthy(f"https://localhost:{port}/healthz", process, insecure())
            yield process
        finally:
            stop(process)


@pytest.fixture
def production(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """gunicorn behind nginx, as the README deploys them; yields (nginx port, gunicorn port)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (make test installs it where it can)")
    upstream, port = free_port(), free_port()
    with gunicorn_on(tmp_path, upstream), nginx_on(tmp_path, port, upstream):
        yield port, upstream


def insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


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
