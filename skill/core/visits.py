"""Per-user memory of whether the coach has met this user before.

The user's persistent attributes hold ``seen`` (the first-visit notice was
given); other features keep their own keys beside it, all written through
:func:`skill.store.attributes.update_stored` so they never overwrite each other.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.handler_input import HandlerInput

from skill.store.attributes import update_stored

SEEN = "seen"


class Visits:
    """Per-user memory of whether the coach has met this user before.

    A returning user costs one read. A new user is marked with the adapter's
    atomic ``update_attributes`` when it has one (so two devices of one user
    cannot both get the first-visit notice), else with a write.
    """

    def __init__(self, adapter: AbstractPersistenceAdapter) -> None:
        self.adapter = adapter

    def first_visit(self, handler_input: HandlerInput) -> bool:
        """True exactly once per user; marks the user as seen."""
        return self.visit(handler_input)[0]

    def visit(self, handler_input: HandlerInput) -> tuple[bool, dict[str, Any]]:
        """(first visit?, the user's stored attributes), in one read for a
        returning user; marks a new user as seen."""
        envelope = handler_input.request_envelope
        stored = dict(self.adapter.get_attributes(envelope) or {})
        if stored.get(SEEN):
            return False, stored
        return self._mark_seen(envelope, stored), stored

    def _mark_seen(self, envelope: Any, stored: dict[str, Any]) -> bool:
        before: dict[str, bool] = {}

        def mark(attributes: dict[str, Any]) -> dict[str, Any]:
            before[SEEN] = bool(attributes.get(SEEN))
            return {**attributes, SEEN: True}

        update_stored(self.adapter, envelope, mark)  # may run ``mark`` more than once (DynamoDB retries)
        return not before[SEEN]
