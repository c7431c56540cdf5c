"""What every handler shares: the :class:`Coach` it works with, and base classes.

A handler class names what it handles in ``intents`` (intent names) or
``request_types`` (request types); the consistency tests read those tuples
to check every intent in the interaction model has a handler and back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest, Response

from skill.core.prompts import Prompts
from skill.core.responses import Reply, as_narration
from skill.core.visits import Visits
from speech.model import Narration

if TYPE_CHECKING:  # protocols only the type checker needs (a cold start skips defining them)
    from skill.core.views import KnowledgeView, MatcherView

log = logging.getLogger("skill.handlers")

Action = Callable[[HandlerInput], Response]


class Offer(NamedTuple):
    """A yes/no question the coach asked: what "yes" and "no" then do."""

    yes: Action
    no: Action


FROM_ENVIRONMENT = "environment"


class Coach:
    """Everything the handlers need, built once by ``build_skill``.

    The topics (``load_knowledge()``) and the matcher (``make_matcher()``,
    over the same topics) are built on first use, so a cold start that only
    opens the skill reads the prompts and nothing more. They are typed by
    what the handlers ask of them (:mod:`skill.core.views`). (Offer is a
    NamedTuple and this a plain class, not dataclasses: they are defined on
    every Lambda cold start, where each dataclass costs 0.1-0.3 ms.)
    """

    def __init__(self, load_knowledge: Callable[[], KnowledgeView], prompts: Prompts, visits: Visits,
                 make_matcher: Callable[[], MatcherView], audio: object = FROM_ENVIRONMENT) -> None:
        self.load_knowledge = load_knowledge
        self.prompts = prompts
        self.visits = visits
        self.make_matcher = make_matcher
        #: The yes/no offers the handlers can make, by name.
        self.offers: dict[str, Offer] = {}
        #: Where streamed workouts come from (a skill.workout.stream_sources source;
        #: only the streamer looks into it), None for none, or FROM_ENVIRONMENT:
        #: read the environment when first needed.
        self.audio = audio
        self._knowledge: KnowledgeView | None = None
        self._matcher: MatcherView | None = None

    @property
    def knowledge(self) -> KnowledgeView:
        if self._knowledge is None:
            self._knowledge = self.load_knowledge()
        return self._knowledge

    @property
    def matcher(self) -> MatcherView:
        if self._matcher is None:
            self._matcher = self.make_matcher()
        return self._matcher

    def prompt(self, name: str, **values: str) -> Narration:
        """The prompt ``name`` from skill/core/prompts.toml, placeholders filled."""
        return as_narration(self.prompts.pick(name, 0, **values))

    def welcome(self, name: str = "welcome") -> Reply:
        """The welcome ``name`` ("welcome", "welcome_back"...), with the reprompt."""
        return Reply(self.prompt(name), self.prompt("reprompt"))

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
