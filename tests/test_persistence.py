"""Per-user attributes behave the same in SQLite and in DynamoDB (Amazon's DynamoDB Local)."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill.store import make_store
from skill.store.attributes import AttributeStore, user_key

ROOT = Path(__file__).resolve().parents[1]


def envelope(user_id: str) -> RequestEnvelope:
    """A real LaunchRequest envelope for ``user_id``."""
    body = {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.1",
                    "application": {"applicationId": "amzn1.ask.skill.test"},
                    "user": {"userId": user_id}},
        "context": {"System": {"application": {"applicationId": "amzn1.ask.skill.test"},
                               "user": {"userId": user_id},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.1",
                    "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US"},
    }
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


ALICE = envelope("amzn1.ask.account.ALICE")
BOB = envelope("amzn1.ask.account.BOB")


@dataclass
class Store:
    """One store under test: how to open it and how to break a record."""

    name: str
    open: Callable[[], AttributeStore]
    corrupt: Callable[[str], None]


def sam_table_keys() -> dict[str, Any]:
    """The table's key schema as the SAM template declares it."""
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse((ROOT / "infra" / "template.yaml").read_text())
    table = next(r for r in template["Resources"].values()
                 if r["Type"] == "AWS::DynamoDB::Table")["Properties"]
    return {"KeySchema": table["KeySchema"],
            "AttributeDefinitions": table["AttributeDefinitions"]}


def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "skill.db"

    def corrupt(user_id: str) -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("INSERT OR REPLACE INTO attributes VALUES (?, ?, 7, 0)",
                         (user_id, "{not json"))
        conn.close()

    yield Store("sqlite", lambda: make_store(f"sqlite:{path}"), corrupt)


def dynamodb_store(table: str) -> Iterator[Store]:
    """The DynamoDB store on a fresh table of Amazon's DynamoDB Local."""
    import boto3

    client = boto3.client("dynamodb")

    def corrupt(user_id: str) -> None:
        client.put_item(TableName=table, Item={"id": {"S": user_id},
                                               "attributes": {"S": "garbage"},
                                               "version": {"N": "7"}})

    yield Store("dynamodb", lambda: make_store(f"dynamodb:{table}"), corrupt)


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("LEGCOACH_HOME", str(tmp_path))
    if request.param == "sqlite":
        yield from sqlite_store(tmp_path)
    else:
        yield from dynamodb_store(request.getfixturevalue("dynamodb_table"))


def test_the_test_table_has_the_templates_key_schema(dynamodb_table: str) -> None:
    import boto3

    from skill.devtools.dynamodb_local import TABLE_KEYS

    assert TABLE_KEYS == sam_table_keys()
    table = boto3.client("dynamodb").describe_table(TableName=dynamodb_table)["Table"]
    assert {k: table[k] for k in TABLE_KEYS} == sam_table_keys()


STATE = {"sessions": 3, "plan": "beginner", "resume": {"block": 4, "offset": 12.5},
         "done": ["squat", "lunge"], "reminders": True, "note": None}


def test_saved_attributes_read_back_equal(store: Store) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, STATE)
    got = adapter.get_attributes(ALICE)
    assert got == STATE
    assert type(got["sessions"]) is int and type(got["resume"]["offset"]) is float


def test_unknown_user_has_no_attributes(store: Store) -> None:
    assert store.open().get_attributes(ALICE) == {}


def test_delete_forgets_the_user(store: Store) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, STATE)
    adapter.delete_attributes(ALICE)
    assert adapter.get_attributes(ALICE) == {}


def test_users_are_isolated(store: Store) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, {"plan": "advanced"})
    adapter.save_attributes(BOB, {"plan": "beginner"})
    adapter.delete_attributes(BOB)
    assert adapter.get_attributes(ALICE) == {"plan": "advanced"}
    assert adapter.get_attributes(BOB) == {}


def test_attributes_survive_a_new_adapter(store: Store) -> None:
    store.open().save_attributes(ALICE, STATE)
    assert store.open().get_attributes(ALICE) == STATE


def test_update_returns_and_stores_the_new_attributes(store: Store) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, {"sessions": 1, "plan": "beginner"})
    new = adapter.update_attributes(ALICE, lambda a: {**a, "sessions": a["sessions"] + 1})
    assert new == {"sessions": 2, "plan": "beginner"}
    assert adapter.get_attributes(ALICE) == new


def test_update_after_save_sees_the_saved_state(store: Store) -> None:
    adapter = store.open()
    adapter.update_attributes(ALICE, lambda a: {"sessions": 1})
    adapter.save_attributes(ALICE, {"sessions": 10})
    assert adapter.update_attributes(ALICE, lambda a: {"sessions": a["sessions"] + 1}) \
        == {"sessions": 11}


def test_concurrent_updates_lose_no_write(store: Store) -> None:
    adapters = [store.open() for _ in range(4)]
    threads_n, increments = 8, 25
    errors: list[BaseException] = []

    def bump(attributes: dict[str, Any]) -> dict[str, Any]:
        return {**attributes, "count": attributes.get("count", 0) + 1}

    def worker(adapter: AttributeStore) -> None:
        try:
            for _ in range(increments):
                adapter.update_attributes(ALICE, bump)
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(adapters[i % 4],))
               for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.open().get_attributes(ALICE) == {"count": threads_n * increments}


def test_failing_update_leaves_the_record_unchanged(store: Store) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, {"sessions": 1})

    def boom(attributes: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        adapter.update_attributes(ALICE, boom)
    assert adapter.get_attributes(ALICE) == {"sessions": 1}


def test_corrupt_record_resets_with_a_warning(store: Store,
                                              caplog: pytest.LogCaptureFixture) -> None:
    adapter = store.open()
    adapter.save_attributes(BOB, {"plan": "advanced"})
    store.corrupt("amzn1.ask.account.ALICE")
    with caplog.at_level(logging.WARNING, logger="skill.store"):
        assert adapter.get_attributes(ALICE) == {}
    warnings = [r for r in caplog.records if r.name == "skill.store"]
    assert len(warnings) == 1 and "amzn1.ask.account.ALICE" in warnings[0].getMessage()
    assert adapter.get_attributes(ALICE) == {}  # reset: no second warning
    assert len([r for r in caplog.records if r.name == "skill.store"]) == 1
    assert adapter.get_attributes(BOB) == {"plan": "advanced"}


def test_update_over_a_corrupt_record_starts_fresh(store: Store) -> None:
    adapter = store.open()
    store.corrupt("amzn1.ask.account.ALICE")
    assert adapter.update_attributes(ALICE, lambda a: {**a, "count": 1}) == {"count": 1}
    assert adapter.get_attributes(ALICE) == {"count": 1}


@pytest.mark.parametrize("bad", [{"when": object()}, {"x": float("nan")}, ["not", "a", "dict"]],
                         ids=["object", "nan", "list"])
def test_unstorable_attributes_are_refused(store: Store, bad: Any) -> None:
    adapter = store.open()
    adapter.save_attributes(ALICE, {"sessions": 1})
    with pytest.raises(PersistenceException):
        adapter.save_attributes(ALICE, bad)
    with pytest.raises(PersistenceException):
        adapter.update_attributes(ALICE, lambda a: bad)
    assert adapter.get_attributes(ALICE) == {"sessions": 1}


# --- SQLite specifics -------------------------------------------------------

@pytest.mark.parametrize("garbage", ["[1, 2]", "42", "", "\"text\""])
def test_sqlite_record_of_the_wrong_type_resets(tmp_path: Path, garbage: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    adapter = make_store(f"sqlite:{tmp_path / 'skill.db'}")
    with sqlite3.connect(tmp_path / "skill.db") as conn:
        conn.execute("INSERT INTO attributes VALUES ('amzn1.ask.account.ALICE', ?, 1, 0)",
                     (garbage,))
    conn.close()
    with caplog.at_level(logging.WARNING, logger="skill.store"):
        assert adapter.get_attributes(ALICE) == {}
    assert any(r.name == "skill.store" for r in caplog.records)


def test_sqlite_uses_write_ahead_logging(tmp_path: Path) -> None:
    make_store(f"sqlite:{tmp_path / 'skill.db'}")
    conn = sqlite3.connect(tmp_path / "skill.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


@pytest.mark.parametrize("bad", [{"S": "garbage"}, {"N": "42"}, {"L": []},
                                 {"M": {"tags": {"SS": ["a", "b"]}}}, None],
                         ids=["string", "number", "list", "set-inside", "missing"])
def test_dynamodb_item_of_the_wrong_type_resets(dynamodb_table: str, bad: Any,
                                                caplog: pytest.LogCaptureFixture) -> None:
    import boto3

    for store in dynamodb_store(dynamodb_table):
        item = {"id": {"S": "amzn1.ask.account.ALICE"}} | ({"attributes": bad} if bad else {})
        boto3.client("dynamodb").put_item(TableName=dynamodb_table, Item=item)
        adapter = store.open()
        with caplog.at_level(logging.WARNING, logger="skill.store"):
            assert adapter.get_attributes(ALICE) == {}
        assert any(r.name == "skill.store" for r in caplog.records)
        assert adapter.update_attributes(ALICE, lambda a: {**a, "n": 1}) == {"n": 1}


def test_dynamodb_items_are_shared_with_the_official_adapter(dynamodb_table: str) -> None:
    from decimal import Decimal

    for store in dynamodb_store(dynamodb_table):
        ours = store.open()
        official = ours.adapter  # type: ignore[attr-defined]
        official.save_attributes(ALICE, {"sessions": Decimal(2), "plan": "beginner"})
        assert ours.get_attributes(ALICE) == {"sessions": 2, "plan": "beginner"}
        ours.update_attributes(ALICE, lambda a: {**a, "sessions": a["sessions"] + 1})
        assert official.get_attributes(ALICE) == {"sessions": Decimal(3), "plan": "beginner"}


# Faults DynamoDB Local cannot produce (throttling, a 500 from the service)
# are answered by botocore's Stubber in place of the network.

def stubbed_store(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    from botocore.stub import Stubber

    for name, value in {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "stub",
                        "AWS_SECRET_ACCESS_KEY": "stub"}.items():
        monkeypatch.setenv(name, value)
    store = make_store("dynamodb:leg-coach-users")
    stubber = Stubber(store._client)  # type: ignore[attr-defined]
    stubber.activate()
    return store, stubber


@pytest.mark.parametrize("code, status", [
    ("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400),
    ("InternalServerError", 500)], ids=["throughput", "throttling", "500"])
def test_dynamodb_service_faults_are_persistence_errors(monkeypatch: pytest.MonkeyPatch,
                                                        code: str, status: int) -> None:
    store, stubber = stubbed_store(monkeypatch)
    stubber.add_client_error("get_item", code, http_status_code=status)
    with pytest.raises(PersistenceException, match=code):
        store.get_attributes(ALICE)
    calls: list[dict[str, Any]] = []
    stubber.add_response("get_item", {"Item": {"id": {"S": "amzn1.ask.account.ALICE"},
                                               "attributes": {"M": {"n": {"N": "1"}}},
                                               "version": {"N": "1"}}})
    stubber.add_client_error("put_item", code, http_status_code=status)
    with pytest.raises(PersistenceException, match=code):
        store.update_attributes(ALICE, lambda a: calls.append(a) or {"n": a["n"] + 1})
    assert calls == [{"n": 1}]  # not retried as if it were a conflicting write
    stubber.assert_no_pending_responses()


# --- make_store and keys --------------------------------------------------

def test_default_store_is_sqlite_under_legcoach_home(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGCOACH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LEGCOACH_STORE", raising=False)
    adapter = make_store()
    adapter.save_attributes(ALICE, {"plan": "beginner"})
    assert (tmp_path / "home" / "skill.db").is_file()


def test_store_spec_comes_from_the_environment(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGCOACH_STORE", f"sqlite:{tmp_path / 'elsewhere.db'}")
    make_store().save_attributes(ALICE, {"plan": "beginner"})
    assert (tmp_path / "elsewhere.db").is_file()


@pytest.mark.parametrize("spec", ["redis:x", "dynamodb:", "dynamodb:a", "dynamodb:bad name",
                                  "postgres"])
def test_bad_store_spec_names_the_variable_and_forms(spec: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGCOACH_HOME", str(tmp_path))
    with pytest.raises(ValueError) as err:
        make_store(spec)
    message = str(err.value)
    assert "LEGCOACH_STORE" in message and "sqlite:PATH" in message
    assert "dynamodb:TABLE" in message


def test_key_is_the_official_user_id_key() -> None:
    from ask_sdk_dynamodb.partition_keygen import user_id_partition_keygen

    assert user_key(ALICE) == user_id_partition_keygen(ALICE) == "amzn1.ask.account.ALICE"


def test_envelope_without_user_is_a_persistence_error() -> None:
    bare = DefaultSerializer().deserialize(json.dumps(
        {"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r",
                                       "timestamp": "2025-01-01T00:00:00Z"}}), RequestEnvelope)
    with pytest.raises(PersistenceException):
        user_key(bare)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_sqlite_store_never_imports_boto3(tmp_path: Path) -> None:
    code = ("import sys, skill.store as p\n"
            f"p.make_store('sqlite:{tmp_path / 'skill.db'}')\n"
            "print(sorted(m for m in ('boto3', 'botocore', 'ask_sdk_dynamodb.adapter')"
            " if m in sys.modules))")
    result = run_python(code, {"PATH": "/usr/bin:/bin", "LEGCOACH_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def aws_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LEGCOACH_HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true", **extra}


def test_dynamodb_store_takes_the_lambda_region_without_aws_calls(tmp_path: Path) -> None:
    # Lambda sets AWS_REGION; the official adapter's import-time default
    # resource only reads AWS_DEFAULT_REGION. No credentials: no call is made.
    code = ("from skill.store import make_store\n"
            "s = make_store('dynamodb:leg-coach')\n"
            "print(s._client.meta.region_name, s.adapter.table_name)")
    result = run_python(code, aws_env(tmp_path, AWS_REGION="eu-west-1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["eu-west-1", "leg-coach"]


def test_dynamodb_store_without_a_region_is_a_clear_error(tmp_path: Path) -> None:
    code = ("from skill.store import make_store\n"
            "try:\n    make_store('dynamodb:leg-coach')\n"
            "except ValueError as e:\n    print(e)\n")
    result = run_python(code, aws_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "AWS_REGION" in result.stdout and "LEGCOACH_STORE" in result.stdout
