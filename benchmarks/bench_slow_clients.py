"""/healthz while slow clients hang: gunicorn alone against gunicorn behind nginx.

Both with the shipped configuration (infra/gunicorn.conf.py with 3 workers x
2 threads; infra/nginx-leg-coach.conf), on loopback. Slow clients open a
request (headers, a body or a chunked body never finished) and stall; then
/healthz is asked 10 times, each given at most 10 s.

Run: .venv/bin/python benchmarks/bench_slow_clients.py [--clients 50]
"""

from __future__ import annotations

import argparse
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from test_slow_clients import NGINX, free_port, gunicorn_on, hang, insecure, nginx_on  # noqa: E402


def probe(url: str, tls: ssl.SSLContext | None, count: int = 10, timeout: float = 10.0) -> list[float | None]:
    """Seconds each GET took, None where no answer came within ``timeout``."""
    times: list[float | None] = []
    for _ in range(count):
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=tls) as response:
                response.read()
            times.append(time.monotonic() - start)
        except OSError:
            times.append(None)
    return times


def summary(times: list[float | None]) -> str:
    answered = sorted(t for t in times if t is not None)
    if not answered:
        return f"0/{len(times)} answered within 10 s"
    return (f"{len(answered)}/{len(times)} answered; median {answered[len(answered) // 2] * 1000:.1f} ms, "
            f"slowest {answered[-1] * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    if NGINX is None:
        print("bench_slow_clients: nginx is not installed; skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        upstream, port = free_port(), free_port()
        with gunicorn_on(Path(tmp), upstream):
            slow = hang(upstream, args.clients)
            alone = probe(f"http://127.0.0.1:{upstream}/healthz", None, count=3)
            for conn in slow:
                conn.close()
        with gunicorn_on(Path(tmp), upstream), nginx_on(Path(tmp), port, upstream):
            tls = insecure()
            slow = hang(port, args.clients, tls)
            time.sleep(0.5)
            behind = probe(f"https://localhost:{port}/healthz", tls)
            for conn in slow:
                conn.close()
    print(f"/healthz with {args.clients} slow clients hanging")
    print(f"  gunicorn alone:        {summary(alone)}")
    print(f"  gunicorn behind nginx: {summary(behind)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
