"""Per-user persistent attributes: SQLite by default, DynamoDB on Lambda.

``make_store()`` reads ``LEGCOACH_STORE``: ``sqlite:PATH`` (default
``<data home>/skill.db``) or ``dynamodb:TABLE``. The DynamoDB store
(:mod:`skill.store.dynamodb`) is imported, with boto3 and ask-sdk's DynamoDB
adapter, only when a DynamoDB store is made: that import costs about 300 ms,
which the default SQLite store never pays.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from skill.store.attributes import STORE_ENV, AttributeStore
from skill.store.sqlite import SQLiteAdapter, default_db_path

_TABLE_NAME = r"[A-Za-z0-9_.-]{3,255}"  # compiled by re on first use, not at import


def make_store(spec: str | None = None) -> AttributeStore:
    """The store named by ``spec`` or ``LEGCOACH_STORE``: sqlite:PATH or dynamodb:TABLE."""
    if spec is None:
        spec = os.environ.get(STORE_ENV, "")
    spec = spec.strip()
    kind, _, rest = spec.partition(":")
    if not spec or kind == "sqlite":
        return SQLiteAdapter(Path(rest).expanduser() if rest else default_db_path())
    if kind == "dynamodb" and re.fullmatch(_TABLE_NAME, rest):
        from skill.store.dynamodb import open_dynamodb_store

        return open_dynamodb_store(rest)
    if spec == "dynamodb-local":
        raise ValueError(
            f"{STORE_ENV}=dynamodb-local is for `python -m skill run` (make run), which "
            "starts DynamoDB Local; elsewhere use dynamodb:TABLE and AWS_ENDPOINT_URL_DYNAMODB")
    raise ValueError(
        f"{STORE_ENV}={spec!r} is not understood: use sqlite:PATH (default "
        f"sqlite:{default_db_path()}) or dynamodb:TABLE (TABLE: 3-255 letters, "
        f"digits, '_', '-' or '.')")
