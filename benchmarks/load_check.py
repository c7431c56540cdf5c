"""The checks of benchmarks/load.py: every user's stored state against a
sequential replay of the requests the server answered, and SQLite's own
integrity check."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

MAX_UNANSWERED = 8  # 2**8 replays for one user at most


class CheckFailed(Exception):
    """The server lost or changed something it should have kept."""


def as_user(body: bytes, user_id: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(body)
    value["session"]["user"]["userId"] = user_id
    value["context"]["System"]["user"]["userId"] = user_id
    return value


def stored(adapter: Any, history: Any, user_id: str) -> tuple[Any, Any]:
    """A user's attributes and, with a history database, their sessions."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope
    from skill.devtools.envelopes import Conversation

    envelope = DefaultSerializer().deserialize(
        json.dumps(Conversation(user_id=user_id).launch()), RequestEnvelope)
    sessions = None
    if history is not None:
        sessions = [(s.plan_name, s.status, s.block, s.offset, s.started, s.ended)
                    for s in history.sessions(user=user_id, limit=100)]
    return adapter.get_attributes(envelope), sessions


class Sent(Protocol):
    """A device as the checks see it: its user and what it sent, in order,
    each body with whether an answer came back."""

    user_id: str
    sent: list[tuple[bytes, bool]]


def replays(device: Sent) -> Iterator[list[bytes]]:
    """The request sequences the server may have applied: every answered
    request, and each unanswered one either applied or not."""
    unanswered = [i for i, (_, answered) in enumerate(device.sent) if not answered]
    if len(unanswered) > MAX_UNANSWERED:
        raise CheckFailed(f"{device.user_id}: {len(unanswered)} requests without an answer "
                          f"is more than the check tries ({MAX_UNANSWERED})")
    for applied in itertools.product((False, True), repeat=len(unanswered)):
        skip = {i for i, keep in zip(unanswered, applied) if not keep}
        yield [body for i, (body, _) in enumerate(device.sent) if i not in skip]


_REPLAYS = itertools.count()


def check_progress(devices: list[Sent], store: Any, reference: Any) -> int:
    """Users whose stored state equals a sequential replay; CheckFailed if any does not."""
    from skill.endpoint.lambda_function import invoke

    skill, ref_adapter, ref_history = reference
    adapter, history = store
    wrong: list[str] = []
    for device in devices:
        got = stored(adapter, history, device.user_id)
        closest: tuple[Any, Any] | None = None
        for bodies in replays(device):
            replay_user = f"{device.user_id}R{next(_REPLAYS)}"  # a fresh user every replay
            for body in bodies:
                invoke(skill, as_user(body, replay_user))
            closest = stored(ref_adapter, ref_history, replay_user)
            if closest == got:
                break
        else:
            if not wrong:
                first = describe(device, got, closest)
            wrong.append(device.user_id)
    if wrong:
        raise CheckFailed(f"{len(wrong)} users' stored progress differs from a replay of "
                          f"their answered requests, e.g. {wrong[0]}\n{first}")
    return len(devices)


def describe(device: Sent, got: tuple[Any, Any], replayed: tuple[Any, Any] | None) -> str:
    """What a failed user sent and where its state differs from the last replay
    (every request applied), for the failure message."""
    def said(body: bytes) -> str:
        request = json.loads(body)["request"]
        return str(request.get("intent", {}).get("name") or request["type"])

    lines = ["    sent: " + ", ".join(said(b) + ("" if ok else " (no answer)") for b, ok in device.sent)]
    if replayed is not None:
        (attrs, sessions), (want, want_sessions) = got, replayed
        for key in sorted(set(attrs or {}) | set(want or {})):
            if (attrs or {}).get(key) != (want or {}).get(key):
                lines.append(f"    attribute {key}: stored {(attrs or {}).get(key)!r}, "
                             f"replayed {(want or {}).get(key)!r}")
        if sessions != want_sessions:
            lines.append(f"    history: stored {sessions!r}, replayed {want_sessions!r}")
    return "\n".join(lines)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        (result,) = conn.execute("PRAGMA integrity_check").fetchone()
    conn.close()
    return str(result)
