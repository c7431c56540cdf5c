"""Per-user persistent attributes: what every store shares.

Both stores (:mod:`skill.store.sqlite`, :mod:`skill.store.dynamodb`)
implement ask-sdk's ``AbstractPersistenceAdapter`` and key a record by the
Alexa user id (``context.System.user.userId``, as ask-sdk's
``user_id_partition_keygen`` does), so a user's state means the same thing
in either store.

Writes that depend on what is stored (progress, counters, streaks) go
through ``update_attributes(request_envelope, fn)``: ``fn`` receives the
current attributes and returns the new ones, atomically, so two requests of
the same user at once never lose a write. SQLite holds a write lock
(``BEGIN IMMEDIATE``) around the read-modify-write; DynamoDB writes only if
the record's ``version`` number is still the one read, and retries
otherwise. ``fn`` may run more than once on DynamoDB: keep it pure and quick.

A record that cannot be read (invalid JSON, not an object) resets that
user's state with a warning on the ``skill.store`` logger; the request
carries on with ``{}``.
"""

from __future__ import annotations

import json
import logging
from abc import abstractmethod
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model.request_envelope import RequestEnvelope

Attributes = dict[str, Any]
Updater = Callable[[Attributes], Attributes]

STORE_ENV = "LEGCOACH_STORE"

log = logging.getLogger("skill.store")


def user_key(request_envelope: RequestEnvelope) -> str:
    """The record key: the Alexa user id, as ask-sdk's user_id_partition_keygen."""
    try:
        user_id = request_envelope.context.system.user.user_id  # type: ignore[union-attr]
    except AttributeError:
        user_id = None
    if not isinstance(user_id, str) or not user_id:
        raise PersistenceException(
            "Couldn't retrieve user id from request envelope, for partition key use")
    return user_id


class AttributeStore(AbstractPersistenceAdapter):
    """An ask-sdk persistence adapter with an atomic read-modify-write."""

    @abstractmethod
    def update_attributes(self, request_envelope: RequestEnvelope, fn: Updater) -> Attributes:
        """Store ``fn(current)`` atomically and return what was stored."""


def encode_attributes(attributes: object) -> str:
    """The attributes as compact JSON, as both stores keep them; else PersistenceException."""
    if not isinstance(attributes, dict):
        raise PersistenceException(
            f"attributes must be a dict, not {type(attributes).__name__}")
    try:
        return json.dumps(attributes, allow_nan=False, separators=(",", ":"),
                          default=_json_default)
    except (TypeError, ValueError) as e:
        raise PersistenceException(f"attributes are not storable as JSON: {e}") from e


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):  # numbers read back from DynamoDB
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def decode_attributes(raw: object) -> Attributes | None:
    """The stored attributes, or None if the record is unreadable."""
    if not isinstance(raw, str):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def warn_reset(key: str, what: str) -> None:
    """Log that user ``key``'s unreadable record (``what`` is wrong) is being reset."""
    log.warning("stored attributes for user %s are unreadable (%s); "
                "resetting that user's state", key, what)


def update_stored(adapter: AbstractPersistenceAdapter, request_envelope: RequestEnvelope,
                  fn: Updater) -> Attributes:
    """Store ``fn(current attributes)`` for the request's user and return it:
    the one way the skill writes a user's attributes. Atomic with an
    :class:`AttributeStore`; with a plain ask-sdk adapter, read then save."""
    if isinstance(adapter, AttributeStore):
        return adapter.update_attributes(request_envelope, fn)
    new = fn(dict(adapter.get_attributes(request_envelope) or {}))
    adapter.save_attributes(request_envelope, new)
    return new
