"""Intent handlers whose module is imported on their first request.

A Lambda cold start pays for every module imported before the first answer;
features most requests never touch (reminders and the Alexa API client
behind them) are registered by intent name and loaded when first asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.core.coach import Coach, IntentHandler


class DeferredIntentHandler(IntentHandler):
    """Handles ``intents`` with ``target`` ("module:Class"), imported on first use."""

    target = ""

    def __init__(self, coach: Coach) -> None:
        super().__init__(coach)
        self._real: Any = None

    def handle(self, handler_input: HandlerInput) -> Response:
        if self._real is None:
            module, name = self.target.split(":")
            self._real = getattr(importlib.import_module(module), name)(self.coach)
        response: Response = self._real.handle(handler_input)
        return response


def deferred(target: str, *intents: str) -> type[DeferredIntentHandler]:
    """A handler class for ``intents`` that loads ``target`` ("module:Class") lazily."""
    name = target.rpartition(":")[2]
    return type(name, (DeferredIntentHandler,), {"target": target, "intents": intents})
