"""What Leg Coach knows: topics, their sources, and the prompts around them.

The content lives in ``skill/questions/topics.toml`` and ``skill/core/prompts.toml``
inside the package. :func:`load_knowledge` reads both once (cached), checks
them and returns frozen values; any problem raises :class:`KnowledgeError`
naming the file, the topic and the field. The prompts alone come from
:mod:`skill.core.prompts` (``load_prompts``), re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from skill.core.content import KnowledgeError, read_data
from skill.model.spec import IntentSpec
from skill.core.prompts import (
    PROMPT_FIELDS,
    PROMPT_NAMES,
    PROMPTS_FILE,
    Prompts,
    load_prompts,
    parse_prompts,
)

__all__ = [
    "OFFER_ACTIONS", "PROMPTS_FILE", "PROMPT_FIELDS", "PROMPT_NAMES", "SAFETY_OPENINGS", "SAMPLE_RE",
    "TOPICS_FILE", "Knowledge", "KnowledgeError", "Prompts", "Source", "Topic", "TopicOffer",
    "load_knowledge", "load_prompts", "parse_knowledge", "parse_prompts", "parse_topics",
]

TOPICS_FILE = "topics.toml"
#: Safety topics must open by saying who to turn to.
SAFETY_OPENINGS = ("Please see a doctor", "Call emergency services", "Please check with your midwife",
                   "Please ask your surgeon", "Please ask a pharmacist", "Please talk to a doctor")
#: What an offer may do instead of answering another topic.
OFFER_ACTIONS = frozenset({"workout"})

# Same rule as the interaction model: lower-case words, inner apostrophes.
SAMPLE_RE = re.compile(r"^[a-z]+(?:'[a-z]+)?(?: [a-z]+(?:'[a-z]+)?)*$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_INTENT_RE = re.compile(r"^[A-Z][A-Za-z]*Intent$")
_TOPIC_FIELDS = frozenset(
    {"id", "title", "intent", "safety", "spoken", "more", "card", "sources",
     "related", "offer", "keywords", "samples", "phrasings"}
)


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: a citation, maybe a URL, and how to say it."""

    citation: str
    url: str | None = None
    spoken: str = ""
    key: str = ""


@dataclass(frozen=True)
class TopicOffer:
    """The yes/no question after an answer: "yes" answers ``topic`` or runs ``action``."""

    text: str
    topic: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class Topic:
    """One answer: spoken first, ``more`` on request, a card, and its sources."""

    id: str
    title: str
    spoken: str
    more: str
    card: str
    sources: tuple[Source, ...]
    samples: tuple[str, ...]
    intent: str | None
    related: tuple[str, ...]
    offer: TopicOffer | None = None
    keywords: tuple[str, ...] = ()
    safety: bool = False
    #: More ways people ask, for the matcher only (not in the interaction model).
    phrasings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """All topics (in file order) and the prompts."""

    topics: Mapping[str, Topic]
    prompts: Prompts

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def __getitem__(self, topic_id: str) -> Topic:
        try:
            return self.topics[topic_id]
        except KeyError:
            raise KeyError(f"no topic with id {topic_id!r}") from None

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    @property
    def safety(self) -> tuple[Topic, ...]:
        """The see-a-doctor topics."""
        return tuple(t for t in self.topics.values() if t.safety)

    @property
    def intents(self) -> Mapping[str, str]:
        """Intent name -> topic id, for topics that have their own intent."""
        return {t.intent: t.id for t in self.topics.values() if t.intent}

    def topic_for_intent(self, intent: str) -> Topic | None:
        """The topic whose own intent is ``intent``, or None."""
        topic_id = self.intents.get(intent)
        return None if topic_id is None else self.topics[topic_id]

    def intent_specs(self) -> tuple[IntentSpec, ...]:
        """One intent per topic that names one, with the topic's sample questions."""
        specs = [IntentSpec(t.intent, tuple(t.samples)) for t in self.topics.values() if t.intent]
        return tuple(sorted(specs, key=lambda spec: spec.name))

    @property
    def out_of_scope(self) -> str:
        return self.prompts["out_of_scope"]

    @property
    def examples(self) -> tuple[str, ...]:
        return self.prompts.examples

    def spoken_sources(self, topic_id: str, limit: int | None = None) -> str:
        """The topic's sources as said aloud: "A, B and C" (the first ``limit``)."""
        names = [s.spoken or s.citation for s in self[topic_id].sources[:limit]]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@cache
def load_knowledge() -> Knowledge:
    """The package's knowledge, read and checked once."""
    return Knowledge(MappingProxyType(parse_topics(read_data(f"questions/{TOPICS_FILE}"))), load_prompts())


def parse_knowledge(topics_data: Mapping[str, Any], prompts_data: Mapping[str, Any]) -> Knowledge:
    """Check and freeze already-parsed TOML data."""
    return Knowledge(MappingProxyType(parse_topics(topics_data)), parse_prompts(prompts_data))


# ---------------------------------------------------------------- topics


def parse_topics(data: Mapping[str, Any]) -> dict[str, Topic]:
    sources = _parse_sources(data.get("source", {}))
    raw = data.get("topic")
    if not isinstance(raw, list) or not raw:
        raise KnowledgeError(f"{TOPICS_FILE}: needs at least one [[topic]]")
    topics: dict[str, Topic] = {}
    for index, item in enumerate(raw):
        topic = _parse_topic(item, index, sources)
        if topic.id in topics:
            raise KnowledgeError(f"{TOPICS_FILE}: topic {topic.id!r}: field 'id': used twice")
        topics[topic.id] = topic
    _check_links(topics)
    return topics


def _parse_sources(data: Any) -> dict[str, Source]:
    if not isinstance(data, Mapping):
        raise KnowledgeError(f"{TOPICS_FILE}: [source] must be a table of sources")
    out = {}
    for key, item in data.items():
        where = f"source {key!r}"
        if not isinstance(item, Mapping):
            raise KnowledgeError(f"{TOPICS_FILE}: {where}: must be a table")
        citation = _text(item, "citation", where)
        url = item.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
            raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'url': must start with https://")
        spoken = item.get("spoken") or citation.split(",")[0]
        out[key] = Source(citation, url, str(spoken), key)
    return out


def _parse_topic(item: Any, index: int, sources: Mapping[str, Source]) -> Topic:
    if not isinstance(item, Mapping):
        raise KnowledgeError(f"{TOPICS_FILE}: topic number {index + 1}: must be a table")
    where = f"topic {item.get('id', f'number {index + 1}')!r}"
    unknown = sorted(set(item) - _TOPIC_FIELDS)
    if unknown:
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: unknown field {unknown[0]!r}")
    topic_id = _text(item, "id", where)
    if not _ID_RE.match(topic_id):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'id': use a-z, 0-9 and _")
    intent = item.get("intent")
    if intent is not None and (not isinstance(intent, str) or not _INTENT_RE.match(intent)):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'intent': must look like NameIntent")
    safety = item.get("safety", False)
    if not isinstance(safety, bool):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'safety': must be true or false")
    spoken = _text(item, "spoken", where)
    if safety and not spoken.startswith(SAFETY_OPENINGS):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'spoken': a safety answer must begin "
                             f"with one of {', '.join(map(repr, SAFETY_OPENINGS))}")
    keys = _words(item, "sources", where, required=True)
    missing = [k for k in keys if k not in sources]
    if missing:
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'sources': "
                             f"unknown source {missing[0]!r}")
    samples = _words(item, "samples", where, required=True)
    phrasings = _words(item, "phrasings", where)
    for name, texts in (("samples", samples), ("phrasings", phrasings)):
        bad = [s for s in texts if not SAMPLE_RE.match(s)]
        if bad:
            raise KnowledgeError(f"{TOPICS_FILE}: {where}: field {name!r}: {bad[0]!r} must be "
                                 "lower-case words only: no digits or punctuation but apostrophes")
    return Topic(
        id=topic_id, title=_text(item, "title", where), spoken=spoken,
        more=_text(item, "more", where), card=_text(item, "card", where),
        sources=tuple(sources[k] for k in keys), samples=samples, intent=intent,
        related=_words(item, "related", where), offer=_parse_offer(item.get("offer"), where),
        keywords=_words(item, "keywords", where), safety=safety, phrasings=phrasings,
    )


def _parse_offer(item: Any, where: str) -> TopicOffer | None:
    if item is None:
        return None
    if not isinstance(item, Mapping):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'offer': must be a table")
    text = _text(item, "text", f"{where}: field 'offer'")
    topic, action = item.get("topic"), item.get("action")
    if (topic is None) == (action is None):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'offer': give either topic or action")
    if action is not None and action not in OFFER_ACTIONS:
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field 'offer': unknown action {action!r}")
    return TopicOffer(text, topic, action)


def _check_links(topics: Mapping[str, Topic]) -> None:
    seen_samples: dict[str, str] = {}
    seen_intents: dict[str, str] = {}
    for topic in topics.values():
        where = f"{TOPICS_FILE}: topic {topic.id!r}"
        for other in topic.related:
            if other not in topics or other == topic.id:
                raise KnowledgeError(f"{where}: field 'related': unknown topic {other!r}")
        if topic.offer and topic.offer.topic and topic.offer.topic not in topics:
            raise KnowledgeError(f"{where}: field 'offer': unknown topic {topic.offer.topic!r}")
        if topic.intent:
            if topic.intent in seen_intents:
                raise KnowledgeError(f"{where}: field 'intent': {topic.intent} is also used by "
                                     f"{seen_intents[topic.intent]!r}")
            seen_intents[topic.intent] = topic.id
        for field, texts in (("samples", topic.samples), ("phrasings", topic.phrasings)):
            for sample in texts:
                if sample in seen_samples:
                    raise KnowledgeError(f"{where}: field {field!r}: {sample!r} is also a sample "
                                         f"of {seen_samples[sample]!r}")
                seen_samples[sample] = topic.id


def _text(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field {name!r}: missing or empty")
    return " ".join(value.split())


def _words(item: Mapping[str, Any], name: str, where: str, *,
           required: bool = False) -> tuple[str, ...]:
    value = item.get(name, None if required else [])
    if not isinstance(value, list) or (required and not value):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field {name!r}: must be a non-empty list")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeError(f"{TOPICS_FILE}: {where}: field {name!r}: every entry must be text")
    return tuple(" ".join(v.split()) for v in value)
