"""The load script's short form: the production gunicorn setup under a mix
of users, a killed worker and a restart, on SQLite and on DynamoDB Local;
and its progress check, which must catch a state the requests do not imply."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "load.py"


def run_load(*args: str, timeout: float = 240) -> str:
    result = subprocess.run([sys.executable, str(SCRIPT), "--users", "24", "--clients", "4",
                             "--workers", "2", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def assert_held(out: str) -> None:
    assert "24 users (16 whole workouts)" in out
    assert "errors (non-200): 0;" in out
    assert "killed (SIGKILL)" in out and "/healthz 200" in out
    assert "server restarted (SIGTERM, start)" in out
    assert "stored progress equals a sequential replay of the answered requests: 24 of 24 users" in out


def test_sqlite_server_keeps_every_users_progress_through_a_kill_and_a_restart() -> None:
    out = run_load("--store", "sqlite")
    assert_held(out)
    assert "PRAGMA integrity_check: skill.db ok, history.db ok" in out


def test_dynamodb_server_keeps_every_users_progress_through_a_kill_and_a_restart(
        dynamodb_local: Any) -> None:
    assert_held(run_load("--store", "dynamodb", "--dynamodb-endpoint", dynamodb_local.endpoint))


# -- the check itself ------------------------------------------------------------

@pytest.fixture(scope="module")
def load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_check", ROOT / "benchmarks" / "load_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Sent:
    """A device as the check sees it: its user and the bodies it sent."""

    def __init__(self, user_id: str, sent: list[tuple[bytes, bool]]) -> None:
        self.user_id, self.sent = user_id, sent


def stores(tmp_path: Path, name: str) -> tuple[Any, Any]:
    from skill.store import SQLiteAdapter
    from timer.history import History

    return SQLiteAdapter(tmp_path / name / "skill.db"), History(tmp_path / name / "history.db")


def served_workout(skill: Any, user_id: str) -> list[bytes]:
    """A start and a "next" as a device sends them (the second carries the
    session the first answer opened), each answered by ``skill``."""
    from certs import SKILL_ID
    from skill.devtools.envelopes import Conversation
    from skill.endpoint.lambda_function import invoke

    # The "next" is sent once the first turn has been heard (well past its length).
    instants = iter([datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc),
                     datetime(2026, 12, 2, 10, 3, tzinfo=timezone.utc)])
    conversation = Conversation(skill_id=SKILL_ID, user_id=user_id, clock=lambda: next(instants))
    bodies = []
    for make in (lambda: conversation.intent("StartWorkoutIntent", {"level": "beginner", "exercise": "squats"}),
                 lambda: conversation.intent("AMAZON.NextIntent")):
        body = make()
        bodies.append(json.dumps(body).encode())
        conversation.received(invoke(skill, body))
    return bodies


def test_progress_check_accepts_the_implied_state_and_refuses_another(
        load_check: ModuleType, tmp_path: Path) -> None:
    from skill.builder import build_skill

    server, reference = stores(tmp_path, "server"), stores(tmp_path, "reference")
    user = "amzn1.ask.account.CHECK"
    bodies = served_workout(build_skill(server[0]), user)
    check = (build_skill(reference[0]), *reference)

    answered = [Sent(user, [(bodies[0], True), (bodies[1], True)])]
    assert load_check.check_progress(answered, server, check) == 1
    lost_but_applied = [Sent(user, [(bodies[0], True), (bodies[1], False)])]
    assert load_check.check_progress(lost_but_applied, server, check) == 1
    one_more_than_sent = [Sent(user, [(bodies[0], True)])]
    with pytest.raises(load_check.CheckFailed, match="1 users' stored progress differs"):
        load_check.check_progress(one_more_than_sent, server, check)
