"""The self-hosted production setup on loopback, for tests and benchmarks:
gunicorn with infra/gunicorn.conf.py behind nginx with
infra/nginx-leg-coach.conf as shipped, only ports, certificate and folders
changed."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.certs import make_chain

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
AUDIO_CACHE = "/var/cache/leg-coach-audio"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def insecure() -> ssl.SSLContext:
    """TLS without checking the (self-made) certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def timed_get(url: str, tls: ssl.SSLContext | None = None) -> float:
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=20, context=tls) as response:
        assert response.status == 200
    return time.monotonic() - start


def site(folder: Path, port: int, upstream: int, *, workers: int | str = 1, extra: str = "") -> Path:
    """A main nginx.conf in ``folder`` around infra/nginx-leg-coach.conf as
    shipped, with only the port, the certificate, the upstream port and the
    audio cache folder changed; ``extra`` goes inside its server block."""
    chain = make_chain(folder, san="localhost")
    key = folder / "key.pem"
    key.write_bytes(chain.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    text = (ROOT / "infra" / "nginx-leg-coach.conf").read_text()
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;\n{extra}"),
                     ("/etc/letsencrypt/live/coach.example.com/fullchain.pem", str(chain.path)),
                     ("/etc/letsencrypt/live/coach.example.com/privkey.pem", str(key)),
                     ("http://127.0.0.1:8000", f"http://127.0.0.1:{upstream}"),
                     (AUDIO_CACHE, str(folder / "audio-cache"))):
        assert old in text, old
        text = text.replace(old, new)
    (folder / "site.conf").write_text(text)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(f"""{user}
daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {folder}/site.conf;
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
def gunicorn_on(folder: Path, port: int, env: Mapping[str, str] | None = None,
                workers: int | None = 3, threads: int | None = 2) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with infra/gunicorn.conf.py on ``port``, ``workers`` x ``threads``
    (None: the configuration's own), $LEGCOACH_HOME in ``folder / "home"``."""
    sizes = {"LEGCOACH_WORKERS": workers, "LEGCOACH_THREADS": threads}
    environ = {**os.environ, "LEGCOACH_BIND": f"127.0.0.1:{port}", "LEGCOACH_HOME": str(folder / "home"),
               **{name: str(n) for name, n in sizes.items() if n is not None}, **(env or {})}
    for name, n in sizes.items():
        if n is None:
            environ.pop(name, None)
    with (folder / "gunicorn.log").open("wb") as logs:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "infra" / "gunicorn.conf.py")],
            cwd=ROOT, env=environ, stdout=logs, stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            yield process
        finally:
            stop(process)


@contextmanager
def nginx_on(folder: Path, port: int, upstream: int, *, workers: int | str = 1,
             extra: str = "") -> Iterator[subprocess.Popen[bytes]]:
    """nginx with infra/nginx-leg-coach.conf on ``port`` (TLS), in front of ``upstream``."""
    assert NGINX is not None
    conf = site(folder, port, upstream, workers=workers, extra=extra)
    with (folder / "nginx.out").open("wb") as logs:
        process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=logs)
        try:
            wait_healthy(f"https://localhost:{port}/healthz", process, insecure())
            yield process
        finally:
            stop(process)
