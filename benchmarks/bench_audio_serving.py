"""Latency of 64 KiB byte-range requests for stream segments on the self-hosted server.

The beginner plan's segments are rendered into a fresh audio cache; the app
(``create_app`` with a local segment source, as ``LEGCOACH_AUDIO_URL``
gives) runs in its own process under ``--server gunicorn`` (the production
settings of infra/gunicorn.conf.py) or ``werkzeug``. A load generator in this
process (http.client keep-alive, several threads) asks for 64 KiB ranges at
random offsets (seeded) of random segments:

- closed loop (each thread sends as soon as it has its answer): throughput,
  p50/p99 latency under full load;
- open loop at half that throughput (latency from the scheduled send time).

Goal: p99 < 5 ms under load.

    .venv/bin/python benchmarks/bench_audio_serving.py [--server gunicorn|werkzeug] [--seconds 3] [--threads 4]
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
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_endpoint import Server, _serve  # noqa: E402

RANGE = 64 * 1024


class AudioApp:
    """Builds the app serving the segments in ``cache`` (picklable, for the server process)."""

    def __init__(self, cache: str, db: str) -> None:
        self.cache, self.db = cache, db

    def __call__(self) -> Any:
        import logging

        from skill.endpoint.app import create_app
        from skill.store.sqlite import SQLiteAdapter
        from skill.workout.stream_sources import LocalSegments

        logging.getLogger("skill.app").setLevel(logging.ERROR)
        source = LocalSegments("http://127.0.0.1", Path(self.cache))
        return create_app({"VERIFY": False, "AUDIO": source, "ADAPTER": SQLiteAdapter(Path(self.db)),
                           "WARM": False})


def audio_server(conn: Any, server: str, log: str, cache: str, db: str) -> None:
    _serve(server, AudioApp(cache, db), conn, log)


def _client(port: int, paths: list[tuple[str, int]], seed: int, stop_at: float, interval: float | None,
            out: list[float]) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
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
        start = rng.randrange(0, max(1, size - RANGE))
        connection.request("GET", path, headers={"Range": f"bytes={start}-{start + RANGE - 1}"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 206 or len(body) != min(RANGE, size - start):
            raise SystemExit(f"bad answer: {response.status}, {len(body)} bytes")
        out.append(time.perf_counter() - began)
    connection.close()


def load(port: int, paths: list[tuple[str, int]], threads: int, seconds: float,
         rate: float | None = None) -> tuple[float, list[float]]:
    """(requests per second, latencies) for ``seconds`` of load."""
    results: list[list[float]] = [[] for _ in range(threads)]
    stop_at = time.perf_counter() + seconds
    interval = threads / rate if rate else None
    workers = [threading.Thread(target=_client, args=(port, paths, i, stop_at, interval, results[i]))
               for i in range(threads)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    took = time.perf_counter() - began
    latencies = sorted(x for r in results for x in r)
    return len(latencies) / took, latencies


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", choices=["gunicorn", "werkzeug"], default="gunicorn")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="legcoach-bench-"))
    os.environ["LEGCOACH_HOME"] = str(home)
    from speech.cache import AudioCache
    from speech.tts import VoiceOptions
    from timer.plans import load_plan
    from timer.segments import SegmentRenderer

    cache = home / "audio-cache"
    stream = SegmentRenderer(AudioCache(cache, VoiceOptions())).render(load_plan("beginner"))
    paths = [(f"/audio/{s.digest}.mp3", (cache / s.file_name).stat().st_size) for s in stream.segments]
    print(f"{len(paths)} segments, {sum(size for _, size in paths) / 1e6:.1f} MB; server: {args.server},"
          f" {args.threads} client threads, 64 KiB ranges")
    ctx = mp.get_context("spawn")
    server = Server(ctx, audio_server, args.server, str(home / "server.log"), str(cache), str(home / "s.db"))
    try:
        load(server.port, paths, args.threads, 0.5)  # warm-up
        rps, closed = load(server.port, paths, args.threads, args.seconds)
        print(f"closed loop: {rps:7.0f} req/s   p50 {pct(closed, 0.5):5.2f} ms   p99 {pct(closed, 0.99):5.2f} ms"
              f"   ({len(closed)} requests)")
        rate = rps / 2
        _, opened = load(server.port, paths, args.threads, args.seconds, rate)
        print(f"open loop at {rate:5.0f} req/s: p50 {pct(opened, 0.5):5.2f} ms   p99 {pct(opened, 0.99):5.2f} ms"
              f"   (goal p99 < 5 ms)")
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
