"""Follow-ups that lean on the conversation so far: more, source, yes, no, repeat.

"Yes" and "no" answer the coach's last offer (session attribute ``offer``).
Offers are registered by name in ``Coach.offers`` (see :func:`add_question_offers`);
"topic:<id>" offers (a topic's own question) are resolved here. A feature
that asks its own yes/no question registers its own offer, e.g. "workout".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.core import context
from skill.core.coach import Coach, IntentHandler, Offer, log
from skill.questions.handlers import (
    OFFER_ANOTHER,
    OFFER_MORE,
    OFFER_SOURCE,
    OFFER_TOPIC,
    answer_topic,
    deliver,
    topic_card,
)
from skill.questions.intents import MORE_INTENT, SOURCE_INTENT
from skill.core.responses import Card, Reply, rebuilt_ssml, render, render_ssml, ssml
from speech.model import Narration

if TYPE_CHECKING:
    from skill.core.views import TopicView

#: How many sources are said aloud; the card lists them all.
SPOKEN_SOURCES = 2


def current_topic(coach: Coach, handler_input: HandlerInput) -> TopicView | None:
    topic_id = context.last_topic(handler_input)
    return coach.knowledge.get(topic_id) if topic_id else None


def nothing_yet(coach: Coach, handler_input: HandlerInput) -> Response:
    """A follow-up before any answer: say how to start."""
    return render(handler_input, Reply(coach.prompt("nothing_yet"), coach.prompt("reprompt")))


def tell_more(coach: Coach, handler_input: HandlerInput) -> Response:
    topic = current_topic(coach, handler_input)
    if topic is None:
        return nothing_yet(coach, handler_input)
    offer = coach.prompt("offer_source")
    context.set_topic(handler_input, topic.id, "more")
    context.set_offer(handler_input, OFFER_SOURCE)
    speech = Narration.of(topic.more) if topic.more else coach.prompt("no_more")
    return render(handler_input, Reply(speech + offer, offer, topic_card(topic, topic.more)))


def tell_source(coach: Coach, handler_input: HandlerInput) -> Response:
    topic = current_topic(coach, handler_input)
    if topic is None:
        return nothing_yet(coach, handler_input)
    offer = coach.prompt("anything_else")
    context.set_topic(handler_input, topic.id, "source")
    context.set_offer(handler_input, OFFER_ANOTHER)
    if not topic.sources:
        return render(handler_input, Reply(coach.prompt("no_source") + offer, offer))
    said = coach.prompt("source", sources=coach.knowledge.spoken_sources(topic.id, SPOKEN_SOURCES))
    speech = Narration.of(said, coach.prompt("card_sent"), offer)
    lines = [f"Source: {s.citation}" + (f" {s.url}" if s.url else "") for s in topic.sources]
    card = Card(f"Sources: {topic.title}", "\n".join(lines))
    return render(handler_input, Reply(speech, offer, card))


def ask_next(coach: Coach, handler_input: HandlerInput) -> Response:
    """"Yes" with nothing else to do: invite the next question."""
    context.set_offer(handler_input, None)
    return render(handler_input, Reply(coach.prompt("ask_question"), coach.prompt("reprompt")))


def declined(coach: Coach, handler_input: HandlerInput) -> Response:
    """"No" to an offer: fine, what else?"""
    context.set_offer(handler_input, None)
    return render(handler_input, Reply(coach.prompt("offer_declined"), coach.prompt("reprompt")))


def goodbye(coach: Coach, handler_input: HandlerInput) -> Response:
    return render(handler_input, Reply(coach.prompt("goodbye")))


def answer_offered_topic(coach: Coach, handler_input: HandlerInput, topic_id: str) -> Response:
    topic = coach.knowledge.get(topic_id)
    if topic is None:
        return ask_next(coach, handler_input)
    return deliver(coach, handler_input, answer_topic(coach, topic, one_shot=False))


def add_question_offers(coach: Coach) -> None:
    """Register the question-and-answer offers on ``coach``."""
    coach.offers[OFFER_MORE] = Offer(lambda hi: tell_more(coach, hi), lambda hi: declined(coach, hi))
    coach.offers[OFFER_SOURCE] = Offer(lambda hi: tell_source(coach, hi),
                                       lambda hi: declined(coach, hi))
    coach.offers[OFFER_ANOTHER] = Offer(lambda hi: ask_next(coach, hi), lambda hi: goodbye(coach, hi))


def pending(coach: Coach, handler_input: HandlerInput) -> Offer | None:
    """The offer the user is answering, or None."""
    name = context.pending_offer(handler_input) or ""
    if name.startswith(OFFER_TOPIC):
        topic_id = name[len(OFFER_TOPIC):]
        return Offer(lambda hi: answer_offered_topic(coach, hi, topic_id),
                     lambda hi: declined(coach, hi))
    return coach.offers.get(name)


class MoreHandler(IntentHandler):
    """"Tell me more": the last topic's longer answer."""

    intents = (MORE_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return tell_more(self.coach, handler_input)


class SourceHandler(IntentHandler):
    """"Where is that from?": sources said briefly, in full on the card."""

    intents = (SOURCE_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        return tell_source(self.coach, handler_input)


class YesHandler(IntentHandler):
    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        offer = pending(self.coach, handler_input)
        return offer.yes(handler_input) if offer else ask_next(self.coach, handler_input)


class NoHandler(IntentHandler):
    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        offer = pending(self.coach, handler_input)
        return offer.no(handler_input) if offer else goodbye(self.coach, handler_input)


class RepeatHandler(IntentHandler):
    """"Repeat that": the last open response, word for word."""

    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        last = context.remembered(handler_input)
        try:  # rebuilt, never replayed as sent: the session attributes come from the client
            speech, reprompt = (rebuilt_ssml(last.speech), rebuilt_ssml(last.reprompt)) if last else ("", "")
        except ValueError as exc:
            log.warning("remembered speech not repeated: %s", exc)
            speech = ""
        if not speech:
            reply = Reply(self.coach.prompt("nothing_to_repeat"), self.coach.prompt("reprompt"))
            return render(handler_input, reply)
        return render_ssml(handler_input, speech, reprompt or ssml(self.coach.prompt("reprompt")))

