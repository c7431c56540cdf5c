"""What the handlers may ask of the Coach's topics and matcher.

The :class:`~skill.core.coach.Coach` holds the questions' knowledge and
matcher without importing them (features use core, never the reverse);
these protocols are the seam. The skill is built with
:class:`skill.questions.knowledge.Knowledge` and
:class:`skill.questions.matcher.Matcher`; mypy checks that they fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class SourceView(Protocol):
    """Where an answer comes from."""

    @property
    def citation(self) -> str: ...

    @property
    def url(self) -> str | None: ...


class OfferView(Protocol):
    """A topic's own yes/no question: another topic, or an action ("workout")."""

    @property
    def text(self) -> str: ...

    @property
    def topic(self) -> str | None: ...

    @property
    def action(self) -> str | None: ...


class TopicView(Protocol):
    """One topic: its answer as said, its longer answer, its card and sources."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def spoken(self) -> str: ...

    @property
    def more(self) -> str: ...

    @property
    def card(self) -> str: ...

    @property
    def sources(self) -> Sequence[SourceView]: ...

    @property
    def offer(self) -> OfferView | None: ...

    @property
    def safety(self) -> bool: ...


class KnowledgeView(Protocol):
    """The topics, by id and by their own intents."""

    @property
    def intents(self) -> Mapping[str, str]: ...

    def get(self, topic_id: str) -> TopicView | None: ...

    def topic_for_intent(self, intent: str) -> TopicView | None: ...

    def spoken_sources(self, topic_id: str, limit: int | None = None) -> str: ...


class MatchView(Protocol):
    """What a question was matched to: ``kind`` "topic", "safety" or "out_of_scope"."""

    @property
    def kind(self) -> str: ...

    @property
    def topic_id(self) -> str | None: ...

    @property
    def also(self) -> str | None: ...


class MatcherView(Protocol):
    def match(self, text: str, *, previous: str | None = None) -> MatchView: ...
