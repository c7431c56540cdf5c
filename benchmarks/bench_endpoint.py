"""Throughput and latency of the real endpoint vs a bare Flask route, same run.

Two servers run in their own processes on 127.0.0.1, both under the same
HTTP server, HTTP/1.1 keep-alive: ``--server werkzeug`` (its threaded dev
server; it answers ``Connection: close`` to every request, so each request
comes on a new connection and is served by a new thread) or ``--server
gunicorn`` (the production settings of infra/gunicorn.conf.py: gthread
workers and threads, JSON access log, worker recycling after max_requests;
only the address differs, and the logs go to a file), or ``gunicorn-preload`` (the same plus ``preload_app``):

- skill: ``create_app`` with verification ON (a local CA chain from
  tests/certs.py, injected as trusted root and served from memory, so the
  certificate is fetched once and cached) and a SQLite store;
- bare: a Flask route that reads the body and returns a fixed Alexa response.

A load generator in a third process (http.client keep-alive, several
threads, bounded by count and time) sends signed in-session question turns
(QuestionIntent). It measures each server's closed-loop throughput, then
open-loop p50/p99 latency (from the scheduled send time) at half the bare
route's throughput and at half the skill's own.

Guided workouts: one signed StartWorkoutIntent (beginner, new session)
starts a workout for each of 64 users; then AMAZON.RepeatIntent turns with
the session attributes of a workout under way (``workout: active``,
``offer: workout_next``: the same read-modify-write, history write and
rendering as "next", without finishing the workout) are interleaved 1:1
with question turns, for the mixed throughput and latency. Every phase
also reports the server processes' CPU time per request (from /proc, workers
included) and the load generator's CPU use. Last, the server-side time per
turn type (inside the WSGI app, one request at a time, the two types
interleaved), and the same work stage by stage in this process (verify,
SDK deserialise, handler, serialise). Prints figures; no pass/fail.
Targets: skill throughput >= 50% of bare; p99 < 10 ms at half the skill's
throughput.

    .venv/bin/python benchmarks/bench_endpoint.py
        [--server werkzeug|gunicorn|gunicorn-preload] [--seconds 3] [--rounds 3] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUESTIONS = ("why won't my legs slim down", "does salt make my legs puffy",
             "how often should I train", "which exercises help my legs most")
WORKOUT_USERS = 64
#: Session attributes of a guided workout under way (see skill.workout.state).
IN_WORKOUT = {"workout": "active", "offer": "workout_next"}
#: Header naming a turn's type; only requests that carry it are timed server-side.
TURN_HEADER = "X-Bench-Turn"
Request = tuple[bytes, dict[str, str]]


# --- servers (child processes) ---------------------------------------------


class Timed:
    """WSGI middleware: seconds spent in the app per turn type (requests with
    the X-Bench-Turn header); GET /_timings drains this process's record."""

    def __init__(self, app: Any) -> None:
        self.app, self.times = app, {}  # type: ignore[var-annotated]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_timings":
            body = json.dumps(self.times).encode()
            self.times = {}
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        start = time.perf_counter()
        result = self.app(environ, start_response)
        body = b"".join(result)
        getattr(result, "close", lambda: None)()
        kind = environ.get("HTTP_X_BENCH_TURN")
        if kind:
            self.times.setdefault(kind, []).append(time.perf_counter() - start)
        return [body]


def _werkzeug(make_app: Callable[[], Any], port: int) -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class KeepAlive(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_request(self, *args: Any) -> None:
            pass

    app = Timed(make_app())
    from skill.endpoint.app import freeze_for_serving

    freeze_for_serving()  # as python -m skill serve does (gunicorn: its conf's hook)
    make_server("127.0.0.1", port, app, threaded=True, request_handler=KeepAlive).serve_forever()


def _gunicorn(make_app: Callable[[], Any], port: int, preload: bool) -> None:
    """infra/gunicorn.conf.py as in production; each worker builds its own app
    (unless ``preload``: the master builds it once, workers fork with it)."""
    from gunicorn.app.base import Application

    class Production(Application):  # type: ignore[misc]
        def load_config(self) -> None:
            self.load_config_from_file(str(ROOT / "infra" / "gunicorn.conf.py"))
            self.cfg.set("bind", [f"127.0.0.1:{port}"])
            self.cfg.set("preload_app", preload)

        def load(self) -> Any:
            return Timed(make_app())

    Production().run()


def _serve(server: str, make_app: Callable[[], Any], conn: Any, log: str) -> None:
    with socket.socket() as probe:  # a free port, for both servers alike
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn.send((port, os.getpid()))
    # Access log (stdout) and error log (stderr) to a file, as journald would take them.
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    if server == "werkzeug":
        _werkzeug(make_app, port)
    else:
        _gunicorn(make_app, port, preload=server == "gunicorn-preload")


class SkillApp:
    """Builds the skill's app: a picklable factory for the server process, where
    each gunicorn worker calls it (the master, with preload_app)."""

    def __init__(self, chain_pem: bytes, root_pem: bytes, skill_id: str, db: str) -> None:
        self.chain_pem, self.root_pem, self.skill_id, self.db = chain_pem, root_pem, skill_id, db

    def fetch(self, url: str) -> bytes:
        return self.chain_pem

    def __call__(self) -> Any:
        import logging

        from cryptography import x509

        from skill.endpoint.app import create_app
        from skill.store.sqlite import SQLiteAdapter

        logging.getLogger("skill").setLevel(logging.ERROR)
        return create_app({
            "SKILL_ID": self.skill_id,
            "TRUSTED_ROOTS": [x509.load_pem_x509_certificate(self.root_pem)],
            "FETCH": self.fetch,
            "ADAPTER": SQLiteAdapter(self.db),
        })


class BareApp:
    def __init__(self, fixed: bytes) -> None:
        self.fixed = fixed

    def __call__(self) -> Any:
        from flask import Flask, Response, request

        app = Flask("bare")
        fixed = self.fixed

        @app.post("/alexa")
        def alexa() -> Response:
            request.get_data(cache=False)
            return Response(fixed, mimetype="application/json;charset=UTF-8")

        return app


def skill_server(conn: Any, server: str, log: str, *args: Any) -> None:
    _serve(server, SkillApp(*args), conn, log)


def bare_server(conn: Any, server: str, log: str, fixed: bytes) -> None:
    _serve(server, BareApp(fixed), conn, log)


# --- load generator (child process) ------------------------------------------


def post(connection: http.client.HTTPConnection, body: bytes, headers: dict[str, str]) -> bytes:
    """POST /alexa; a keep-alive connection the server closed (gunicorn recycles
    workers after max_requests) is reopened once, as any client would."""
    for attempt in (1, 2):
        try:
            connection.request("POST", "/alexa", body, headers)
            response = connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionError):
            connection.close()
            if attempt == 2:
                raise
            continue
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}")
        return data
    raise AssertionError("unreachable")


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
        post(connection, body, headers)
        out.append(time.perf_counter() - scheduled)
        i += 1
    connection.close()


def load(conn: Any, port: int, requests: list[Request], threads: int, seconds: float,
         limit: int, rate: float | None) -> None:
    """Closed loop (rate None) or open loop at ``rate``; sends (count, elapsed,
    latencies, this process's CPU seconds)."""
    cpu = time.process_time()
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
    conn.send((len(latencies), time.perf_counter() - start, latencies, time.process_time() - cpu))


# --- requests --------------------------------------------------------------------


def signed(chain: Any, value: dict[str, Any], turn: str | None = None) -> Request:
    import certs
    import envelopes as E

    body = E.body(value)
    headers = certs.alexa_headers(body, chain)
    if turn:
        headers[TURN_HEADER] = turn
    return body, headers


def users() -> list[str]:
    return [f"amzn1.ask.account.BENCH{i:04d}" for i in range(WORKOUT_USERS)]


def signed_requests(chain: Any, count: int, turn: str | None = None) -> list[Request]:
    import envelopes as E

    return [signed(chain, E.question(QUESTIONS[i % len(QUESTIONS)], new=False), turn)
            for i in range(count)]


def repeat_requests(chain: Any, count: int, turn: str | None = None) -> list[Request]:
    """AMAZON.RepeatIntent mid-workout, one user after another."""
    import envelopes as E

    ids = users()
    return [signed(chain, E.intent("AMAZON.RepeatIntent", None, new=False, attributes=IN_WORKOUT,
                                   user_id=ids[i % len(ids)]), turn) for i in range(count)]


def mixed_requests(chain: Any, count: int, threads: int, tag: bool = False) -> list[Request]:
    """Questions and repeats 1:1, ordered so that every client thread
    (``requests[t::threads]``) alternates between the two."""
    questions = iter(signed_requests(chain, count // 2, "question" if tag else None))
    repeats = iter(repeat_requests(chain, count // 2, "repeat" if tag else None))
    return [next(repeats if (k // threads) % 2 else questions) for k in range(count // 2 * 2)]


def start_workouts(port: int, chain: Any) -> None:
    """One StartWorkoutIntent (beginner, new session) per user."""
    import envelopes as E

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for user in users():
        body, headers = signed(chain, E.intent("StartWorkoutIntent", {"level": "beginner"},
                                               new=True, user_id=user))
        answer = json.loads(post(connection, body, headers))
        if answer.get("sessionAttributes") != IN_WORKOUT:
            raise SystemExit(f"workout did not start: {answer}")
    connection.close()


# --- the run -------------------------------------------------------------------


class Server:
    """A server process and the CPU time it (and its workers) used."""

    def __init__(self, ctx: Any, target: Any, *args: Any) -> None:
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()
        if not parent.poll(60):
            raise SystemExit("server did not start")
        self.port, self.pid = parent.recv()
        deadline = time.monotonic() + 60
        while not self._listening():
            if time.monotonic() > deadline:
                raise SystemExit("server did not listen")
            time.sleep(0.05)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def cpu(self) -> float:
        """CPU seconds of the server and its workers, living and reaped."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry.name), int(fields[1])
            if pid == self.pid:  # utime stime cutime cstime
                total += sum(int(x) for x in fields[11:15]) / ticks
            elif ppid == self.pid:
                total += sum(int(x) for x in fields[11:13]) / ticks
        return total

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def run_load(ctx: Any, server: Server, requests: list[Request], threads: int, seconds: float,
             limit: int, rate: float | None = None) -> tuple[int, float, list[float], float, float]:
    """(count, elapsed, latencies, client CPU s, server CPU ms per request)."""
    parent, child = ctx.Pipe()
    before = server.cpu()
    process = ctx.Process(target=load, args=(child, server.port, requests, threads, seconds,
                                             limit, rate))
    process.start()
    n, elapsed, latencies, client_cpu = parent.recv()
    process.join()
    server_ms = (server.cpu() - before) * 1000 / max(n, 1)
    return n, elapsed, latencies, client_cpu, server_ms


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def server_side(port: int, requests: list[Request], batch: int = 100) -> dict[str, list[float]]:
    """Send ``requests`` one at a time on one connection, fetching the timings
    after every ``batch`` on that same connection (so from the gunicorn
    worker that answered; a batch cut by a worker's recycling is dropped)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times: dict[str, list[float]] = {}
    for first in range(0, len(requests), batch):
        try:
            connection.request("GET", "/_timings")  # drain
            connection.getresponse().read()
            for body, headers in requests[first:first + batch]:
                post(connection, body, headers)
            connection.request("GET", "/_timings")
            got: dict[str, list[float]] = json.loads(connection.getresponse().read())
        except (http.client.RemoteDisconnected, ConnectionError):
            connection.close()
            continue
        for kind, values in got.items():
            times.setdefault(kind, []).extend(values)
    connection.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("werkzeug", "gunicorn", "gunicorn-preload"),
                        default="werkzeug", help="HTTP server for both apps (default werkzeug; "
                        "gunicorn-preload: production settings plus preload_app)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds of each server")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--limit", type=int, default=40000, help="max requests per phase")
    args = parser.parse_args()

    import certs
    from skill.core.sdk import invoke
    from skill.builder import build_skill

    ctx = mp.get_context("spawn")
    chain = certs.make_chain()
    with tempfile.TemporaryDirectory() as home:
        os.environ["LEGCOACH_HOME"] = home
        sample = signed_requests(chain, 1)[0][0]
        fixed = json.dumps(invoke(build_skill(), json.loads(sample))).encode()
        skill = Server(ctx, skill_server, args.server, f"{home}/skill.log", chain.pem_chain_bytes,
                       certs.pem_bundle(chain.root), certs.SKILL_ID, f"{home}/skill.db")
        bare = Server(ctx, bare_server, args.server, f"{home}/bare.log", fixed)
        try:
            report(ctx, args, chain, skill, bare)
        finally:
            for server in (skill, bare):
                server.stop()
        if args.server != "werkzeug":
            for name in ("bare", "skill"):
                boots = Path(home, f"{name}.log").read_text().count("Booting worker")
                print(f"  {name} server: {boots} gunicorn workers booted (max_requests recycling)")
    return 0


def throughput(ctx: Any, args: Any, servers: dict[str, Server], requests: list[Request],
               what: str) -> dict[str, float]:
    rounds: dict[str, list[tuple[float, float, float]]] = {name: [] for name in servers}
    for _ in range(args.rounds):  # alternate, so both see the same machine load
        for name, server in servers.items():
            n, elapsed, _, client_cpu, server_ms = run_load(ctx, server, requests, args.threads,
                                                            args.seconds, args.limit)
            rounds[name].append((n / elapsed, server_ms, client_cpu / elapsed))
    best = {name: max(r[0] for r in values) for name, values in rounds.items()}
    for name, values in rounds.items():
        print(f"  {name:5} throughput: best {best[name]:6.0f} req/s, median "
              f"{statistics.median(r[0] for r in values):6.0f} req/s  ({args.rounds} rounds of "
              f"{args.seconds:g} s); server CPU {statistics.median(r[1] for r in values):.2f} ms/req,"
              f" client {statistics.median(r[2] for r in values):.2f} cores")
    print(f"  ratio skill / bare (best, {what}): {best['skill'] / best['bare']:.2f}"
          "   (target >= 0.50)")
    return best


def latency(ctx: Any, args: Any, servers: dict[str, Server], rate: float, label: str,
            make: Callable[[], list[Request]]) -> None:
    print(f"  latency at {rate:.0f} req/s ({label}), from scheduled send time:")
    for name, server in servers.items():
        n, _, lat, _, server_ms = run_load(ctx, server, make(), args.threads, args.seconds,
                                           args.limit, rate)
        print(f"    {name:5} p50 {pct(lat, 0.5):6.2f} ms   p99 {pct(lat, 0.99):7.2f} ms"
              f"   ({n} requests, server CPU {server_ms:.2f} ms/req)   (target p99 < 10 ms)")


def report(ctx: Any, args: Any, chain: Any, skill: Server, bare: Server) -> None:
    servers = {"bare": bare, "skill": skill}
    requests = signed_requests(chain, 256)
    for server in (skill, bare):  # warm up: every worker fetches and caches the chain
        run_load(ctx, server, requests, args.threads, 1.0, 800)
    print(f"endpoint benchmark: {args.threads} client threads, {args.seconds:g} s phases, "
          f"{args.server} servers, HTTP/1.1 keep-alive"
          f"{' (werkzeug closes every connection)' if args.server == 'werkzeug' else ''}")
    load1, load5, _ = os.getloadavg()
    print(f"  machine: {os.cpu_count()} CPUs, load average {load1:.2f} (1 min) {load5:.2f} (5 min)")
    print(" signed QuestionIntent turns:")
    tput = throughput(ctx, args, servers, requests, "questions")
    latency(ctx, args, servers, tput["bare"] / 2, "half the bare route's throughput",
            lambda: signed_requests(chain, 256))
    latency(ctx, args, servers, tput["skill"] / 2, "half the skill's throughput",
            lambda: signed_requests(chain, 256))

    start_workouts(skill.port, chain)
    print(f" guided workouts started for {WORKOUT_USERS} users; RepeatIntent mid-workout and "
          "QuestionIntent turns 1:1:")
    mixed = throughput(ctx, args, servers, mixed_requests(chain, 512, args.threads), "mixed")
    latency(ctx, args, servers, mixed["skill"] / 2, "half the skill's mixed throughput",
            lambda: mixed_requests(chain, 512, args.threads))

    times = server_side(skill.port, mixed_requests(chain, 2000, 1, tag=True))
    print(" server-side time per turn (verify + skill + JSON, inside the WSGI app, one at a time):")
    for kind, values in times.items():
        print(f"    {kind:8} p50 {pct(values, 0.5):.2f} ms   p99 {pct(values, 0.99):.2f} ms"
              f"   mean {statistics.fmean(values) * 1000:.2f} ms   ({len(values)} turns)")
    breakdown(chain, mixed_requests(chain, 1200, 1, tag=True))


def breakdown(chain: Any, requests: list[Request]) -> None:
    """The same work as the /alexa view, stage by stage, in this process
    (no HTTP, no Flask): where a turn's server-side time goes."""
    import logging

    from ask_sdk_model import RequestEnvelope

    import certs
    from skill.endpoint.app import envelope_problem
    from skill.store.sqlite import SQLiteAdapter
    from skill.core.sdk import make_serializer
    from skill.builder import build_skill
    from skill.endpoint.verify import RequestVerifier

    logging.getLogger("skill").setLevel(logging.ERROR)
    verifier = RequestVerifier(certs.SKILL_ID, trusted_roots=[chain.root],
                               fetch=lambda url: chain.pem_chain_bytes)
    adapter = SQLiteAdapter(Path(os.environ["LEGCOACH_HOME"], "breakdown.db"))
    skill, serializer = build_skill(adapter, warm=True), make_serializer()
    start_workouts_in(skill, chain)
    stages: dict[str, dict[str, list[float]]] = {}
    for body, headers in requests * 2:  # the first pass warms up
        t0 = time.perf_counter()
        value = verifier.verify(headers, body)  # parses the body, once
        t1 = time.perf_counter()
        envelope_problem(value)
        envelope = serializer.deserialize_value(value, RequestEnvelope)
        t2 = time.perf_counter()
        result = skill.invoke(request_envelope=envelope, context=None)
        t3 = time.perf_counter()
        json.dumps(serializer.serialize(result), separators=(",", ":"))
        t4 = time.perf_counter()
        turn = stages.setdefault(headers[TURN_HEADER], {})
        for name, seconds in (("verify+parse", t1 - t0), ("SDK deserialise", t2 - t1),
                              ("handler (store, SSML)", t3 - t2), ("serialise", t4 - t3),
                              ("total", t4 - t0)):
            turn.setdefault(name, []).append(seconds)
    print(" in-process breakdown, median µs per turn (no HTTP server, no Flask):")
    for kind, values in stages.items():
        line = "   ".join(f"{name} {statistics.median(v[len(v) // 2:]) * 1e6:.0f}"
                           for name, v in values.items())
        print(f"    {kind:8} {line}")


def start_workouts_in(skill: Any, chain: Any) -> None:
    """start_workouts, for a skill object in this process."""
    import envelopes as E

    from skill.core.sdk import invoke

    for user in users():
        invoke(skill, E.intent("StartWorkoutIntent", {"level": "beginner"}, new=True, user_id=user))


if __name__ == "__main__":
    sys.exit(main())
