"""Load and faults on the production server: gunicorn with
infra/gunicorn.conf.py on loopback, on SQLite and on Amazon's DynamoDB Local,
driven from this process by simulated Alexa devices.

    .venv/bin/python benchmarks/load.py                # 300 users per store, with faults
    .venv/bin/python benchmarks/load.py --users 1200   # make soak
    .venv/bin/python benchmarks/load.py --users 24 --clients 4 --workers 2   # tests/test_load.py

Every request is signed as Alexa signs it (tests/certs.py) and fully
verified by the server (benchmarks/load_app.py trusts that test root;
nothing else differs from the deployed app). Each user is one device whose
requests go one after another; ``--clients`` users run at once. Of every six
users three open the skill, ask a question and do a whole guided workout
(beginner glute bridges, "next" until it ends), one stops early and
resumes it in a new session to the end, one asks two questions and lets the
session time out, one starts a workout and lets it time out half-way. So
two users in three finish a whole workout.

Unless ``--no-faults``, a worker is killed with SIGKILL after a third of the
users' requests and the whole server is restarted (SIGTERM, then started
again) after two thirds; a request that gets no answer is sent again, as a
user would repeat it. Then every user's stored attributes (and, on SQLite,
workout history) must equal what a sequential replay of the requests the
server answered gives (a request whose answer was lost may or may not have
been applied: both are accepted), and the SQLite files must pass
``PRAGMA integrity_check``. Prints throughput, p50/p95/p99 latency, errors
and server memory (RSS of the master and workers) at start and end; exits 1
if a check fails. Bounded: ``--users`` users and ``--max-seconds`` per store.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from load_check import CheckFailed, check_progress, integrity  # noqa: E402 (after the path)
from load_server import HOST, Server, free_port, get  # noqa: E402

WORKOUT = {"level": "beginner", "minutes": None, "exercise": "glute bridges"}
QUESTIONS = ("why won't my legs slim down", "does salt make my legs puffy",
             "how often should I train", "which exercises help my legs most")
MAX_TURNS = 40
RETRY_FOR = 60.0  # seconds a device keeps repeating a request that got no answer


# -- the devices --------------------------------------------------------------

@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    answered: int = 0
    errors: list[str] = field(default_factory=list)   # non-200 answers
    unanswered: int = 0                                 # sent, no answer: sent again
    refused: int = 0                                    # not listening: sent again

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.answered += 1


class Refused(ConnectionError):
    """The server was not listening: the request was never sent."""


class Client:
    """One keep-alive connection that signs every body as Alexa does."""

    def __init__(self, port: int, chain: Any) -> None:
        self.port, self.chain = port, chain
        self.connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> tuple[int, dict[str, Any]]:
        from certs import alexa_headers

        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=15)
            try:
                self.connection.connect()
            except ConnectionRefusedError:  # nothing was sent: certainly not applied
                self.connection = None
                raise Refused from None
        try:
            self.connection.request("POST", "/alexa", body, alexa_headers(body, self.chain))
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise ConnectionError
        return response.status, json.loads(data) if data else {}


class Device:
    """One user's device: its conversation, and what the server answered."""

    def __init__(self, user_id: str, client: Client, stats: Stats) -> None:
        from certs import SKILL_ID
        from skill.devtools.envelopes import Conversation

        self.user_id, self.client, self.stats = user_id, client, stats
        self.conversation = Conversation(skill_id=SKILL_ID, user_id=user_id)
        self.sent: list[tuple[bytes, bool]] = []  # (body, answered), in order

    def new_session(self) -> None:
        from skill.devtools.envelopes import Conversation

        old = self.conversation
        self.conversation = Conversation(skill_id=old.skill_id, user_id=old.user_id,
                                         device_id=old.device_id)

    def send(self, make: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        deadline = time.monotonic() + RETRY_FOR
        while True:
            body = json.dumps(make(self.conversation)).encode()
            started = time.perf_counter()
            try:
                status, response = self.client.post(body)
            except ConnectionError as e:
                refused = isinstance(e, Refused)
                if not refused:  # sent: the server may have applied it
                    self.sent.append((body, False))
                with self.stats.lock:
                    if refused:
                        self.stats.refused += 1
                    else:
                        self.stats.unanswered += 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
                continue
            if status != 200:
                with self.stats.lock:
                    self.stats.errors.append(f"HTTP {status}: {response}")
                raise CheckFailed(f"{self.user_id}: HTTP {status}: {response}")
            self.stats.ok(time.perf_counter() - started)
            self.sent.append((body, True))
            self.conversation.received(response)
            return response

    def intent(self, name: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.send(lambda c: c.intent(name, slots))

    def until_the_end(self) -> None:
        response: dict[str, Any] = {}
        for _ in range(MAX_TURNS):
            if self.conversation.ended:
                return
            lost_before = sum(1 for _, answered in self.sent if not answered)
            response = self.intent("AMAZON.NextIntent")
            if self.conversation.attributes.get("workout") != "active" and not self.conversation.ended:
                if lost_before < sum(1 for _, answered in self.sent if not answered):
                    return  # the answer that ended the workout was lost; this "next" came after it
                break
        said = str(((response.get("response") or {}).get("outputSpeech") or {}).get("ssml"))
        raise CheckFailed(f"the workout did not end in {MAX_TURNS} turns; last: {said[-120:]}")


def play(device: Device, number: int) -> None:
    """User ``number``'s part of the mix (see the module docstring)."""
    kind = number % 6
    device.send(lambda c: c.launch())
    if kind in (0, 1, 2):
        device.intent("QuestionIntent", {"query": QUESTIONS[number % len(QUESTIONS)]})
        device.intent("StartWorkoutIntent", WORKOUT)
        device.until_the_end()
    elif kind == 3:
        device.intent("StartWorkoutIntent", WORKOUT)
        device.intent("AMAZON.NextIntent")
        device.intent("AMAZON.StopIntent")
        device.new_session()
        device.send(lambda c: c.launch())
        device.intent("WorkoutResumeIntent")
        device.until_the_end()
    elif kind == 4:
        for i in range(2):
            device.intent("QuestionIntent", {"query": QUESTIONS[(number + i) % len(QUESTIONS)]})
        device.send(lambda c: c.session_ended("EXCEEDED_MAX_REPROMPTS"))
    else:
        device.intent("StartWorkoutIntent", WORKOUT)
        device.intent("AMAZON.NextIntent")
        device.send(lambda c: c.session_ended("EXCEEDED_MAX_REPROMPTS"))


# -- a run ----------------------------------------------------------------------

@dataclass
class Run:
    store: str
    users: int
    clients: int
    faults: bool
    max_seconds: float
    stats: Stats = field(default_factory=Stats)
    devices: list[Device] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fault_errors: list[str] = field(default_factory=list)


def drive(run: Run, server: Server, chain: Any, run_id: str) -> float:
    """All users through the server; returns the seconds it took."""
    todo: queue.Queue[int] = queue.Queue()
    for number in range(run.users):
        todo.put(number)
    deadline = time.monotonic() + run.max_seconds
    failures: list[str] = []

    def client_thread() -> None:
        client = Client(server.port, chain)
        while time.monotonic() < deadline:
            try:
                number = todo.get_nowait()
            except queue.Empty:
                return
            device = Device(f"amzn1.ask.account.LOAD{run_id}{number:05d}", client, run.stats)
            run.devices.append(device)
            try:
                play(device, number)
            except (CheckFailed, ConnectionError) as e:
                failures.append(f"{device.user_id}: {e or type(e).__name__}")

    started = time.monotonic()
    threads = [threading.Thread(target=client_thread) for _ in range(run.clients)]
    with faults(run, server) if run.faults else _nothing():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elapsed = time.monotonic() - started
    if not todo.empty():
        failures.append(f"stopped by the time bound ({run.max_seconds:.0f} s) with "
                        f"{todo.qsize()} users not started")
    failures += run.fault_errors
    if failures:
        raise CheckFailed("; ".join(failures[:5]))
    return elapsed


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def faults(run: Run, server: Server) -> Iterator[None]:
    """SIGKILL a worker after a third of the expected requests, restart the
    server after two thirds (in a thread, while the load runs)."""
    expected = run.users * 8  # about eight requests per user in the mix
    done = threading.Event()

    def wait_for(count: int) -> bool:
        while run.stats.answered < count:
            if done.wait(0.05):
                return False
        return True

    def inject() -> None:
        try:
            if wait_for(expected // 3):
                kill_a_worker(run, server)
            if wait_for(2 * expected // 3):
                restart(run, server)
        except (CheckFailed, RuntimeError, OSError) as e:
            run.fault_errors.append(str(e))

    thread = threading.Thread(target=inject)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def kill_a_worker(run: Run, server: Server) -> None:
    before = server.workers()
    if not before:
        raise CheckFailed("gunicorn has no worker to kill")
    victim = before[0]
    answered = run.stats.answered
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    while time.monotonic() - killed < 60:
        now = server.workers()
        if len(now) == server.size and victim not in now:
            break
        time.sleep(0.05)
    else:
        raise CheckFailed(f"no worker replaced {victim} within 60 s")
    back = time.monotonic() - killed
    healthy = get(server.port, "/healthz") == 200
    time.sleep(max(0.0, killed + 1.0 - time.monotonic()))
    run.notes.append(f"worker {victim} killed (SIGKILL) after {answered} answers: "
                     f"replaced in {back:.1f} s; {run.stats.answered - answered} requests "
                     f"answered in the second after the kill; /healthz "
                     f"{'200' if healthy else 'failing'}")


def restart(run: Run, server: Server) -> None:
    answered = run.stats.answered
    stopped = time.monotonic()
    server.stop()
    server.start()
    run.notes.append(f"server restarted (SIGTERM, start) after {answered} answers: "
                     f"down {time.monotonic() - stopped:.1f} s")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# -- stores ---------------------------------------------------------------------

@contextmanager
def sqlite_store(home: Path) -> Iterator[tuple[dict[str, str], Callable[[], Any], Callable[[], Any]]]:
    """(server env, open the server's store, make a reference store)."""
    from skill.store import SQLiteAdapter
    from timer.history import History

    def server_store() -> Any:
        return SQLiteAdapter(home / "skill.db"), History(home / "history.db")

    def reference() -> Any:
        ref = home / "reference"
        return SQLiteAdapter(ref / "skill.db"), History(ref / "history.db")

    yield {"LEGCOACH_STORE": f"sqlite:{home / 'skill.db'}"}, server_store, reference


@contextmanager
def dynamodb_store(endpoint: str | None, log: Path,
                   run_id: str) -> Iterator[tuple[dict[str, str], Callable[[], Any], Callable[[], Any]]]:
    from skill.devtools import dynamodb_local

    with ExitStack() as stack:
        if endpoint is None:
            db = stack.enter_context(dynamodb_local.start(log=stack.enter_context(open(log, "ab"))))
        else:
            db = dynamodb_local.DynamoDBLocal(None, int(endpoint.rsplit(":", 1)[1]))
        table, ref_table = f"leg-coach-load-{run_id}", f"leg-coach-load-{run_id}-reference"
        db.create_table(table)
        db.create_table(ref_table)
        os.environ.update(db.env())

        def open_store(name: str) -> Any:
            from skill.store import make_store

            return make_store(f"dynamodb:{name}"), None

        yield ({**db.env(), "LEGCOACH_STORE": f"dynamodb:{table}"},
               lambda: open_store(table), lambda: open_store(ref_table))


def one_store(args: argparse.Namespace, store: str, tmp: Path, chain_dir: Path, chain: Any) -> bool:
    run = Run(store, args.users, args.clients, args.faults, args.max_seconds)
    run_id = f"{os.getpid()}{store[0]}"
    home = tmp / store
    home.mkdir()
    opener = (sqlite_store(home) if store == "sqlite"
              else dynamodb_store(args.dynamodb_endpoint, tmp / "dynamodb-local.log", run_id))
    with opener as (store_env, server_store, reference_store):
        env = {**os.environ, **store_env, "LEGCOACH_BIND": f"{HOST}:{free_port()}",
               "LEGCOACH_WORKERS": str(args.workers), "LEGCOACH_HOME": str(home),
               "LEGCOACH_LOAD_CERTS": str(chain_dir), "LEGCOACH_SKILL_ID": certs_skill_id()}
        server = Server(env, tmp / f"gunicorn-{store}.log")
        server.start()
        rss_start = server.rss_mb()
        try:
            elapsed = drive(run, server, chain, run_id)
            rss_end = server.rss_mb()
        except CheckFailed as e:
            print(f"{store}: LOAD FAILED: {e}")
            return False
        finally:
            server.stop()
        report(run, elapsed, rss_start, rss_end, args.workers)
        return verify(run, server_store(), reference_store(), home if store == "sqlite" else None)


def certs_skill_id() -> str:
    from certs import SKILL_ID

    return SKILL_ID


def report(run: Run, elapsed: float, rss_start: float, rss_end: float, workers: int) -> None:
    s = run.stats
    whole = sum(1 for n in range(run.users) if n % 6 < 4)
    print(f"{run.store}: {run.users} users ({whole} whole workouts), {s.answered} requests answered "
          f"in {elapsed:.1f} s = {s.answered / elapsed:.0f} requests/s, {run.clients} at once")
    print(f"  latency p50 {pct(s.latencies, 0.5):.0f} ms, p95 {pct(s.latencies, 0.95):.0f} ms, "
          f"p99 {pct(s.latencies, 0.99):.0f} ms, max {max(s.latencies) * 1000:.0f} ms")
    print(f"  errors (non-200): {len(s.errors)}; sent again: {s.unanswered} requests left "
          f"unanswered, {s.refused} refused while no server listened")
    print(f"  server RSS ({workers} workers + master): {rss_start:.0f} MB at start, {rss_end:.0f} MB at end")
    for note in run.notes:
        print(f"  {note}")


def verify(run: Run, store: Any, reference: Any, home: Path | None) -> bool:
    from skill.builder import build_skill

    ref_adapter, ref_history = reference
    skill = build_skill(ref_adapter, warm=False)
    try:
        users = check_progress(run.devices, store, (skill, ref_adapter, ref_history))
    except CheckFailed as e:
        print(f"  CHECK FAILED: {e}")
        return False
    print(f"  stored progress equals a sequential replay of the answered requests: "
          f"{users} of {run.users} users")
    if home is not None:
        results = {name: integrity(home / name) for name in ("skill.db", "history.db")}
        print("  PRAGMA integrity_check: " + ", ".join(f"{k} {v}" for k, v in results.items()))
        return all(v == "ok" for v in results.values())
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="distinct users (default 300)")
    parser.add_argument("--clients", type=int, default=12, help="users at once (default 12)")
    parser.add_argument("--workers", type=int, default=min(2 * (os.cpu_count() or 1) + 1, 9),
                        help="gunicorn workers (default: infra/gunicorn.conf.py's)")
    parser.add_argument("--store", choices=("sqlite", "dynamodb", "both"), default="both")
    parser.add_argument("--no-faults", dest="faults", action="store_false",
                        help="no worker kill and no restart")
    parser.add_argument("--max-seconds", type=float, default=600, help="time bound per store")
    parser.add_argument("--dynamodb-endpoint", help="a running DynamoDB Local (default: start one)")
    args = parser.parse_args(argv)
    from certs import make_chain

    load1, _, _ = os.getloadavg()
    print(f"load test ({os.cpu_count()} CPUs, load average {load1:.2f})")
    with tempfile.TemporaryDirectory(prefix="leg-coach-load-") as tmp_name:
        tmp = Path(tmp_name)
        chain_dir = tmp / "certs"
        chain_dir.mkdir()
        chain = make_chain(chain_dir)
        stores = ("sqlite", "dynamodb") if args.store == "both" else (args.store,)
        ok = [one_store(args, store, tmp, chain_dir, chain) for store in stores]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
