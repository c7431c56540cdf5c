"""Throughput and latency of the real endpoint vs a bare Flask route, same run.

Two servers run in their own processes on 127.0.0.1 (werkzeug threaded
server, HTTP/1.1 keep-alive):

- skill: ``create_app`` with verification ON (a local CA chain from
  tests/certs.py, injected as trusted root and served from memory, so the
  certificate is fetched once and cached) and a SQLite store;
- bare: a Flask route that reads the body and returns a fixed Alexa response.

A load generator in a third process (http.client keep-alive, several
threads, bounded by count and time) sends signed in-session question turns
(QuestionIntent). It measures each server's closed-loop throughput, then
open-loop p50/p99 latency (from the scheduled send time) at half the bare
route's throughput and at half the skill's own, and the server-side time per
question turn (inside the WSGI app, one request at a time). Prints figures;
no pass/fail. Targets: skill throughput >= 50% of bare; p99 < 10 ms.

    .venv/bin/python benchmarks/bench_endpoint.py [--seconds 3] [--rounds 3] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUESTIONS = ("why won't my legs slim down", "does salt make my legs puffy",
             "how often should I train", "which exercises help my legs most")
Request = tuple[bytes, dict[str, str]]


# --- servers (child processes) ---------------------------------------------


class Timed:
    """WSGI middleware: records seconds spent in the app; GET /_timings drains them."""

    def __init__(self, app: Any) -> None:
        self.app, self.times = app, []  # type: ignore[var-annotated]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_timings":
            body = json.dumps(self.times).encode()
            self.times = []
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        start = time.perf_counter()
        result = self.app(environ, start_response)
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
        self.times.append(time.perf_counter() - start)
        return [body]


def _serve(app: Any, conn: Any) -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class KeepAlive(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_request(self, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, Timed(app), threaded=True, request_handler=KeepAlive)
    conn.send(server.server_port)
    server.serve_forever()


def skill_server(conn: Any, chain_pem: bytes, root_pem: bytes, skill_id: str, db: str) -> None:
    import logging

    from cryptography import x509

    from skill.app import create_app
    from skill.persistence import SQLiteAdapter

    logging.disable(logging.WARNING)
    app = create_app({
        "SKILL_ID": skill_id,
        "TRUSTED_ROOTS": [x509.load_pem_x509_certificate(root_pem)],
        "FETCH": lambda url: chain_pem,
        "ADAPTER": SQLiteAdapter(db),
    })
    _serve(app, conn)


def bare_server(conn: Any, fixed: bytes) -> None:
    from flask import Flask, Response, request

    app = Flask("bare")

    @app.post("/alexa")
    def alexa() -> Response:
        request.get_data(cache=False)
        return Response(fixed, mimetype="application/json;charset=UTF-8")

    _serve(app, conn)


# --- load generator (child process) ------------------------------------------


def _client(port: int, requests: list[Request], slots: list[float] | None, stop_at: float,
            limit: int, out: list[float]) -> None:
    """Send requests until ``stop_at`` or ``limit``; ``slots``: open-loop send times."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while i < limit and time.perf_counter() < stop_at:
        scheduled = time.perf_counter()
        if slots is not None:
            if i >= len(slots):
                break
            scheduled = slots[i]
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        body, headers = requests[i % len(requests)]
        connection.request("POST", "/alexa", body, headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        out.append(time.perf_counter() - scheduled)
        i += 1
    connection.close()


def load(conn: Any, port: int, requests: list[Request], threads: int, seconds: float,
         limit: int, rate: float | None) -> None:
    """Closed loop (rate None) or open loop at ``rate``; sends (count, elapsed, latencies)."""
    start = time.perf_counter() + 0.05
    stop_at = start + seconds
    results: list[list[float]] = [[] for _ in range(threads)]
    workers = []
    for t in range(threads):
        slots = None
        if rate:
            step = threads / rate
            slots = [start + t / rate + k * step for k in range(int(seconds * rate / threads))]
        per_thread = limit // threads
        workers.append(threading.Thread(
            target=_client, args=(port, requests[t::threads] or requests, slots, stop_at,
                                  per_thread, results[t])))
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies = [x for r in results for x in r]
    conn.send((len(latencies), time.perf_counter() - start, latencies))


# --- the run -------------------------------------------------------------------


def signed_requests(chain: Any, count: int) -> list[Request]:
    import certs
    import envelopes as E

    out = []
    for i in range(count):
        body = E.body(E.question(QUESTIONS[i % len(QUESTIONS)], new=False))
        out.append((body, certs.alexa_headers(body, chain)))
    return out


def start(ctx: Any, target: Any, *args: Any) -> tuple[Any, int]:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(child, *args), daemon=True)
    process.start()
    if not parent.poll(60):
        raise SystemExit("server did not start")
    return process, parent.recv()


def run_load(ctx: Any, port: int, requests: list[Request], threads: int, seconds: float,
             limit: int, rate: float | None = None) -> tuple[int, float, list[float]]:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=load, args=(child, port, requests, threads, seconds, limit, rate))
    process.start()
    result = parent.recv()
    process.join()
    return result  # type: ignore[no-any-return]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def server_times(port: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/_timings")
    times: list[float] = json.loads(connection.getresponse().read())
    connection.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds of each server")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--limit", type=int, default=40000, help="max requests per phase")
    args = parser.parse_args()

    import certs
    from skill.lambda_function import invoke
    from skill.skill import build_skill

    ctx = mp.get_context("spawn")
    chain = certs.make_chain()
    with tempfile.TemporaryDirectory() as home:
        os.environ["LEGCOACH_HOME"] = home
        sample = signed_requests(chain, 1)[0][0]
        fixed = json.dumps(invoke(build_skill(), json.loads(sample))).encode()
        skill_proc, skill_port = start(ctx, skill_server, chain.pem_chain_bytes,
                                       certs.pem_bundle(chain.root), certs.SKILL_ID,
                                       f"{home}/skill.db")
        bare_proc, bare_port = start(ctx, bare_server, fixed)
        try:
            report(ctx, args, chain, skill_port, bare_port)
        finally:
            for process in (skill_proc, bare_proc):
                process.terminate()
                process.join(5)
    return 0


def report(ctx: Any, args: Any, chain: Any, skill_port: int, bare_port: int) -> None:
    requests = signed_requests(chain, 256)
    run_load(ctx, skill_port, requests, 1, 1.0, 200)  # warm up: fetch and cache the chain
    run_load(ctx, bare_port, requests, 1, 1.0, 200)
    server_times(skill_port)
    print(f"endpoint benchmark: {args.threads} client threads, {args.seconds:g} s phases, "
          "werkzeug threaded servers, HTTP/1.1 keep-alive, signed QuestionIntent turns")
    load1, load5, _ = os.getloadavg()
    print(f"  machine: {os.cpu_count()} CPUs, load average {load1:.2f} (1 min) {load5:.2f} (5 min)")
    rounds: dict[str, list[float]] = {"bare": [], "skill": []}
    for _ in range(args.rounds):  # alternate, so both see the same machine load
        for name, port in (("bare", bare_port), ("skill", skill_port)):
            n, elapsed, _ = run_load(ctx, port, requests, args.threads, args.seconds, args.limit)
            rounds[name].append(n / elapsed)
    tput = {name: max(values) for name, values in rounds.items()}
    for name, values in rounds.items():
        print(f"  {name:5} throughput: best {tput[name]:6.0f} req/s, median "
              f"{statistics.median(values):6.0f} req/s  ({args.rounds} rounds of {args.seconds:g} s)")
    print(f"  ratio skill / bare (best): {tput['skill'] / tput['bare']:.2f}   (target >= 0.50)")
    server_times(skill_port)
    for label, rate in (("half the bare route's throughput", tput["bare"] / 2),
                        ("half the skill's throughput", tput["skill"] / 2)):
        print(f"  latency at {rate:.0f} req/s ({label}), from scheduled send time:")
        for name, port in (("bare", bare_port), ("skill", skill_port)):
            n, _, lat = run_load(ctx, port, signed_requests(chain, 256), args.threads,
                                 args.seconds, args.limit, rate)
            print(f"    {name:5} p50 {pct(lat, 0.5):6.2f} ms   p99 {pct(lat, 0.99):7.2f} ms"
                  f"   ({n} requests)   (target p99 < 10 ms)")
    server_times(skill_port)
    run_load(ctx, skill_port, signed_requests(chain, 256), 1, args.seconds, 2000)
    times = server_times(skill_port)
    print(f"  server-side time per question turn (verify + skill + JSON, one at a time): "
          f"p50 {pct(times, 0.5):.2f} ms   p99 {pct(times, 0.99):.2f} ms   ({len(times)} turns)")
    print(f"    mean {statistics.fmean(times) * 1000:.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
