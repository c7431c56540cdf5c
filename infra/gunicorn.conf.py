"""Gunicorn settings for the self-hosted Leg Coach endpoint.

    .venv/bin/gunicorn -c infra/gunicorn.conf.py

Listens on loopback only: a reverse proxy terminates TLS on port 443 and
forwards to it. It must also read each request whole before forwarding it
(infra/nginx-leg-coach.conf does): a gunicorn thread reads headers and body
itself, so clients that send slowly would otherwise hold every thread
(tests/test_slow_clients.py). Environment overrides: LEGCOACH_BIND,
LEGCOACH_WORKERS, LEGCOACH_THREADS, FORWARDED_ALLOW_IPS, LEGCOACH_CONTROL_SOCKET. Access logs are one
JSON object per line on stdout (journald under systemd).
"""

from __future__ import annotations

import json
import os

from gunicorn.glogging import Logger, SafeAtoms

wsgi_app = "skill.endpoint.app:create_app()"
bind = [os.environ.get("LEGCOACH_BIND", "127.0.0.1:8000")]

# Alexa gives up after 8 s: a worker silent for 7 s is restarted.
timeout = 7
graceful_timeout = 10
keepalive = 5

workers = int(os.environ.get("LEGCOACH_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9)))
threads = int(os.environ.get("LEGCOACH_THREADS", 4))
worker_class = "gthread"
max_requests = 2000
max_requests_jitter = 200

# Trust X-Forwarded-* only from the local reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Alexa's envelopes are small; refuse oversized request lines and headers early.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# gunicorn >= 25.1 opens a control socket for gunicornc, by default under
# $HOME: off unless LEGCOACH_CONTROL_SOCKET names a path for it.
control_socket_disable = not os.environ.get("LEGCOACH_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["LEGCOACH_CONTROL_SOCKET"]

accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = json.dumps({
    "time": "%(t)s", "remote": "%(h)s", "forwarded_for": "%({x-forwarded-for}i)s",
    "method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(b)s",
    "ms": "%(M)s", "agent": "%(a)s",
})


class JsonAtoms(SafeAtoms):
    """Log atoms escaped for a JSON string (quotes, backslashes, control chars)."""

    def __init__(self, atoms: dict[str, object]) -> None:
        dict.__init__(self, {key: json.dumps(value)[1:-1] if isinstance(value, str) else value
                             for key, value in atoms.items()})


class JsonAccessLogger(Logger):
    atoms_wrapper_class = JsonAtoms


logger_class = JsonAccessLogger


def post_worker_init(worker: object) -> None:
    """Once a worker has built the app: the application log escaped, one
    line per record (skill.endpoint.logs.configure_logging), its
    long-lived objects out of the cyclic garbage collector's way
    (skill.endpoint.app.freeze_for_serving), and, in the first worker only,
    every workout stream mode can start rendered in the background within
    the audio cache's limit (skill.endpoint.audio.render_ahead)."""
    from skill.endpoint.app import freeze_for_serving
    from skill.endpoint.audio import render_ahead
    from skill.endpoint.logs import configure_logging

    configure_logging()
    freeze_for_serving()
    render_ahead(getattr(worker, "wsgi", None))
