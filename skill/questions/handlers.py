"""Questions: free-form (QuestionIntent's ``query`` slot) or a topic's own intent.

In an open session an answer ends with an offer (the topic's own yes/no
question, else "want to hear more?") and keeps the session open. A one-shot
question ("ask leg coach why ...": an IntentRequest opening a new session)
is answered and the session ends.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import IntentRequest, Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler
from skill.questions import caution
from skill.questions.intents import QUERY_SLOT, QUESTION_INTENT, WHY_QUESTION_INTENT
from skill.core.responses import Card, Reply, prefixed, render
from speech.model import Narration

if TYPE_CHECKING:
    from skill.core.views import TopicView

#: Offers (session attribute ``offer``) made after answers; see followups.
OFFER_MORE = "more"
OFFER_SOURCE = "source"
OFFER_ANOTHER = "another"
#: Prefix of an offer to answer another topic: "topic:<id>".
OFFER_TOPIC = "topic:"


class Answer(NamedTuple):
    """A reply plus what it changes in the conversation."""

    reply: Reply
    topic_id: str | None = None
    offer: str | None = None


def sources_text(topic: TopicView) -> str:
    """The topic's sources on one line, for cards: "A (url); B"."""
    return "; ".join(f"{s.citation} ({s.url})" if s.url else s.citation for s in topic.sources)


def topic_card(topic: TopicView, text: str) -> Card:
    sources = sources_text(topic)
    return Card(topic.title, f"{text}\n\nSource: {sources}" if sources else text)


def topic_offer(coach: Coach, topic: TopicView) -> tuple[str, Narration]:
    """(offer name, question) to ask after answering ``topic``."""
    offer = topic.offer
    if offer is not None and offer.topic:
        return OFFER_TOPIC + offer.topic, Narration.of(offer.text)
    if offer is not None and offer.action in coach.offers:
        return offer.action, Narration.of(offer.text)
    if topic.more:
        return OFFER_MORE, coach.prompt("offer_more")
    return OFFER_ANOTHER, coach.prompt("anything_else")


def answer_topic(coach: Coach, topic: TopicView, *, one_shot: bool) -> Answer:
    """The spoken answer for ``topic``; in an open session it ends with an offer."""
    speech = Narration.of(topic.spoken)
    card = topic_card(topic, topic.card)
    if one_shot:
        return Answer(Reply(speech, None, card), topic.id)
    name, question = topic_offer(coach, topic)
    return Answer(Reply(speech + question, question, card), topic.id, name)


def answer_two(coach: Coach, topic: TopicView, other: TopicView, *, one_shot: bool) -> Answer:
    """Two questions in one: the first answered, the second offered next."""
    name = other.title[0].lower() + other.title[1:].rstrip("?")
    speech = Narration.of(topic.spoken)
    card = topic_card(topic, topic.card)
    if one_shot:
        tail = coach.prompt("two_things_next", other=name)
        return Answer(Reply(speech + tail, None, card), topic.id)
    question = coach.prompt("two_things_offer", other=name)
    return Answer(Reply(speech + question, question, card), topic.id, OFFER_TOPIC + other.id)


def out_of_scope(coach: Coach) -> Answer:
    """What the coach can help with, and two example questions."""
    first, second = coach.examples(2)
    speech = coach.prompt("out_of_scope") + coach.prompt("could_ask", first=first, second=second)
    return Answer(Reply(speech, coach.prompt("reprompt")))


def answer_text(coach: Coach, text: str, *, one_shot: bool = False,
                previous: str | None = None) -> Answer:
    """Answer a question asked in words (the local matcher picks the topic;
    ``previous``, the last topic, helps with "what about ...?")."""
    if not text.strip():
        return Answer(Reply(coach.prompt("ask_question"), coach.prompt("reprompt")))
    match = coach.matcher.match(text, previous=previous)
    topic = coach.knowledge.get(match.topic_id) if match.topic_id else None
    other = coach.knowledge.get(match.also) if match.also else None
    if match.kind == "topic" and topic is not None and other is not None:
        return answer_two(coach, topic, other, one_shot=one_shot)
    if match.kind in ("topic", "safety") and topic is not None:
        return answer_topic(coach, topic, one_shot=one_shot)
    return out_of_scope(coach)


def asked(handler_input: HandlerInput) -> str:
    """The question in words: the query slot, with "why" back in front for the
    why-question intent (its carrier phrase is not part of the slot)."""
    slot = get_slot(handler_input, QUERY_SLOT)
    text = (slot.value or "") if slot is not None else ""
    request = handler_input.request_envelope.request
    why = isinstance(request, IntentRequest) and request.intent is not None \
        and request.intent.name == WHY_QUESTION_INTENT
    return f"why {text}" if why and text.strip() else text


def deliver(coach: Coach, handler_input: HandlerInput, answer: Answer) -> Response:
    """Record the answer in the session, add the first-visit notice, render."""
    reply = answer.reply
    caution.note_answer(coach, handler_input, answer.topic_id)
    if not reply.ends_session:
        if answer.topic_id is not None:
            context.set_topic(handler_input, answer.topic_id, "answer")
        context.set_offer(handler_input, answer.offer)
    if context.is_new_session(handler_input) and coach.visits.first_visit(handler_input):
        reply = prefixed(coach.prompt("disclaimer"), reply)
    return render(handler_input, reply)


class QuestionHandler(IntentHandler):
    """A free-form question: "what about {query}", "why {query}"..."""

    intents = (QUESTION_INTENT, WHY_QUESTION_INTENT)

    def handle(self, handler_input: HandlerInput) -> Response:
        text = asked(handler_input)
        one_shot = context.is_new_session(handler_input)
        previous = context.last_topic(handler_input)
        answer = answer_text(self.coach, text, one_shot=one_shot, previous=previous)
        return deliver(self.coach, handler_input, answer)


class TopicHandler(IntentHandler):
    """The intents generated from topics (one per common question). The
    topics are read when the first intent request is dispatched."""

    @cached_property  # the class attribute of IntentHandler, computed once
    def intents(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(sorted(self.coach.knowledge.intents))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, IntentRequest) and request.intent is not None
        topic = self.coach.knowledge.topic_for_intent(request.intent.name or "")
        assert topic is not None  # can_handle matched one of the topics' intents
        one_shot = context.is_new_session(handler_input)
        return deliver(self.coach, handler_input, answer_topic(self.coach, topic, one_shot=one_shot))
