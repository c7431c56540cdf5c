"""What every handler shares: the :class:`Coach` it works with, and base classes.

A handler class names what it handles in ``intents`` (intent names) or
``request_types`` (request types); the consistency tests read those tuples
to check every intent in the interaction model has a handler and back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.context import Visits
from skill.responses import as_narration
from speech.model import Narration

log = logging.getLogger("skill.handlers")

Action = Callable[[HandlerInput], Response]


@dataclass(frozen=True)
class Offer:
    """A yes/no question the coach asked: what "yes" and "no" then do."""

    yes: Action
    no: Action


@dataclass
class Coach:
    """Everything the handlers need, built once by ``build_skill``.

    The topics (``load_knowledge()``) and the matcher
    (``make_matcher(knowledge)``) are built on first use, so a cold start
    that only opens the skill reads the prompts and nothing more.
    """

    load_knowledge: Callable[[], Any]
    prompts: Any
    visits: Visits
    make_matcher: Callable[[Any], Any]
    offers: dict[str, Offer] = field(default_factory=dict)
    _knowledge: Any = field(default=None, init=False, repr=False)
    _matcher: Any = field(default=None, init=False, repr=False)

    @property
    def knowledge(self) -> Any:
        if self._knowledge is None:
            self._knowledge = self.load_knowledge()
        return self._knowledge

    @property
    def matcher(self) -> Any:
        if self._matcher is None:
            self._matcher = self.make_matcher(self.knowledge)
        return self._matcher

    def prompt(self, name: str, **values: str) -> Narration:
        """The prompt ``name`` from skill/data/prompts.toml, placeholders filled."""
        return as_narration(self.prompts.pick(name, **values))

    def examples(self, count: int = 2) -> tuple[str, ...]:
        return tuple(self.prompts.examples[:count])


class IntentHandler(AbstractRequestHandler):  # type: ignore[misc]
    """Handles IntentRequests whose intent name is in ``intents``."""

    intents: tuple[str, ...] = ()

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (
            isinstance(request, IntentRequest)
            and request.intent is not None
            and request.intent.name in self.intents
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        raise NotImplementedError


class RequestTypeHandler(AbstractRequestHandler):  # type: ignore[misc]
    """Handles requests whose ``type`` is in ``request_types``."""

    request_types: tuple[str, ...] = ()

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return request is not None and request.object_type in self.request_types

    def handle(self, handler_input: HandlerInput) -> Response:
        raise NotImplementedError
