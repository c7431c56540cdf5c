"""Latency of 64 KiB byte-range requests for stream segments on the self-hosted server.

What a deployment runs, as the README's "On your own server" sets it up:
gunicorn with infra/gunicorn.conf.py (its own worker and thread counts) on
loopback, behind nginx with infra/nginx-leg-coach.conf as shipped (TLS; only
ports, certificate and folders changed; ``worker_processes auto`` and
sendfile as in Debian's nginx.conf). The beginner plan's segments are
rendered into the server's audio cache. Four ways to the same bytes, measured
in the same run, interleaved round by round:

- ``app``: gunicorn itself over plain HTTP (the app's audio route; the
  baseline the ratios are against);
- ``nginx -> app``: nginx passing every request to gunicorn, no cache;
- ``nginx shipped``: the shipped site (nginx's own cache of segments, filled
  by one request each through the app);
- ``nginx static``: nginx reading the app's cache folder itself (try_files),
  for comparison;
- ``floor``: nginx answering 204 with no body on the same kind of
  connection: what the machine itself adds (scheduling on shared cores, TLS,
  the client), which no way of serving can go under.

Load: separate client processes (no shared GIL with each other or the
servers), each one keep-alive connection asking for 64 KiB ranges at random
offsets (seeded) of random segments. Closed loop (each sends as soon as it
has its answer): throughput, p50, p99, and the CPU time nginx and gunicorn
spent per request (from /proc: what serving costs, whatever else runs on
the machine). Open loop at one common rate, half of
``app``'s closed-loop throughput: p50 and p99 from each request's scheduled
send time, queueing included. Goal: p99 < 5 ms under load.

    .venv/bin/python benchmarks/bench_audio_serving.py [--seconds 2] [--rounds 3] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from tests.production import NGINX, free_port, gunicorn_on, insecure, nginx_on  # noqa: E402

RANGE = 64 * 1024
IMMUTABLE = 'add_header Cache-Control "public, max-age=31536000, immutable";'


def comparison(cache: Path, upstream: int) -> str:
    """Locations beside the shipped ones: the same segments through nginx
    without its cache, and read by nginx from the app's folder."""
    return f"""
    location ~ "^/proxied(/audio/[0-9a-f]{{64}}\\.mp3)$" {{
        proxy_pass http://127.0.0.1:{upstream}$1;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }}
    location ~ "^/static/audio/(?<digest>[0-9a-f]{{64}})\\.mp3$" {{
        root {cache};
        try_files /s-$digest.mp3 =404;
        types {{ }}
        default_type audio/mpeg;
        {IMMUTABLE}
    }}
    location ~ "^/bare/" {{
        return 204;
    }}
"""


def _client(target: tuple[str, int, str], paths: list[tuple[str, int]], seed: int, seconds: float,
            interval: float | None, start_at: float, out: Any) -> None:
    """One client process: one keep-alive connection, ranges until ``seconds`` pass."""
    scheme, port, prefix = target
    rng = random.Random(seed)
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection("localhost", port, timeout=10,
                                                                        context=insecure())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", prefix + paths[0][0], headers={"Range": "bytes=0-0"})  # connect (and handshake) first
    conn.getresponse().read()
    while time.time() < start_at:
        time.sleep(0.001)
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    due = time.perf_counter()
    while True:
        if interval is not None:
            due += rng.expovariate(1 / interval)
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        began = due if interval is not None else time.perf_counter()
        if began > stop_at:
            break
        path, size = rng.choice(paths)
        first = rng.randrange(0, max(1, size - RANGE))
        conn.request("GET", prefix + path, headers={"Range": f"bytes={first}-{first + RANGE - 1}"})
        response = conn.getresponse()
        body = response.read()
        if prefix == "/bare" and response.status == 204:
            pass
        elif response.status != 206 or len(body) != min(RANGE, size - first):
            raise SystemExit(f"bad answer from {prefix or scheme}: {response.status}, {len(body)} bytes")
        latencies.append(time.perf_counter() - began)
    conn.close()
    out.send(latencies)


def load(target: tuple[str, int, str], paths: list[tuple[str, int]], clients: int, seconds: float,
         rate: float | None = None, seed: int = 0) -> tuple[float, list[float]]:
    """(requests per second, sorted latencies) of ``seconds`` of load from ``clients`` processes."""
    ctx = mp.get_context("fork")
    interval = clients / rate if rate else None
    start_at = time.time() + 0.3  # every process connected first
    pipes, procs = [], []
    for i in range(clients):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_client, args=(target, paths, seed * 100 + i, seconds, interval, start_at, send))
        proc.start()
        pipes.append(receive)
        procs.append(proc)
    results = [r.recv() for r in pipes]
    for proc in procs:
        proc.join()
    latencies = sorted(x for r in results for x in r)
    return len(latencies) / seconds, latencies


def cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) used so far by the processes ``roots`` and their
    children, those that exited too (gunicorn replaces a worker after
    ``max_requests``: its time is then its parent's ``cutime``/``cstime``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid in roots or ppid in roots:
            total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid in roots:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: children waited for
    return total / tick


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    if NGINX is None:
        print("nginx is not installed: the deployment cannot be measured (make test installs it)")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    from speech.cache import AudioCache
    from speech.tts import VoiceOptions
    from timer.plans import load_plan
    from timer.segments import SegmentRenderer

    cache = folder / "home" / "audio-cache"
    stream = SegmentRenderer(AudioCache(cache, VoiceOptions())).render(load_plan("beginner"))
    paths = [(f"/audio/{s.digest}.mp3", (cache / s.file_name).stat().st_size) for s in stream.segments]
    upstream, port = free_port(), free_port()
    targets = {"app": ("http", upstream, ""), "nginx -> app": ("https", port, "/proxied"),
               "nginx shipped": ("https", port, ""), "nginx static": ("https", port, "/static"),
               "floor": ("https", port, "/bare")}
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"{len(paths)} segments, {sum(size for _, size in paths) / 1e6:.1f} MB; {args.clients} client"
          f" processes, 64 KiB ranges, {args.rounds} rounds of {args.seconds:g} s per way and loop")
    closed: dict[str, list[float]] = {name: [] for name in targets}
    opened: dict[str, list[float]] = {name: [] for name in targets}
    served: dict[str, int] = dict.fromkeys(targets, 0)
    cpu: dict[str, float] = dict.fromkeys(targets, 0.0)
    try:
        with ExitStack() as stack:
            env = {"LEGCOACH_AUDIO_URL": f"https://localhost:{port}",
                   "LEGCOACH_AUDIO_CACHE_MB": "0"}  # no levels rendered ahead while measuring
            app = stack.enter_context(gunicorn_on(folder, upstream, env, workers=None, threads=None))
            proxy = stack.enter_context(nginx_on(folder, port, upstream, workers="auto",
                                                 extra=comparison(cache, upstream)))
            servers = [app.pid, proxy.pid]
            for target in targets.values():
                load(target, paths, args.clients, 0.5)  # warm-up (and the shipped cache's fill)
            rate = None
            for r in range(args.rounds):
                for name, target in targets.items():
                    used = cpu_seconds(servers)
                    rps, latencies = load(target, paths, args.clients, args.seconds, seed=r)
                    cpu[name] += cpu_seconds(servers) - used
                    closed[name] += latencies
                    served[name] += len(latencies)
                rate = rate or len(closed["app"]) / args.seconds / 2
                for name, target in targets.items():
                    opened[name] += load(target, paths, args.clients, args.seconds, rate, seed=r)[1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base_closed, base_open = sorted(closed["app"]), sorted(opened["app"])
    print(f"\n{'':15s} {'closed loop':>34s}   {'open loop at ' + format(rate or 0, '.0f') + ' req/s':>22s}")
    print(f"{'':15s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'p99/app':>8s}   {'p50 ms':>8s} {'p99 ms':>8s}"
          f" {'p99/app':>8s}   {'server CPU per request':>22s}")
    for name in targets:
        c, o = sorted(closed[name]), sorted(opened[name])
        print(f"{name:15s} {served[name] / (args.rounds * args.seconds):8.0f} {pct(c, 0.5):8.2f} {pct(c, 0.99):8.2f}"
              f" {pct(c, 0.99) / pct(base_closed, 0.99):8.2f}   {pct(o, 0.5):8.2f} {pct(o, 0.99):8.2f}"
              f" {pct(o, 0.99) / pct(base_open, 0.99):8.2f}   {cpu[name] / served[name] * 1e6:8.0f} µs"
              f" ({cpu[name] / served[name] / (cpu['app'] / served['app']):.2f}x app)")
    print(f"goal: p99 < 5 ms under load (the shipped way); load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
