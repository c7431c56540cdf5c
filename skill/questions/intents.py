"""The question intents: free-form questions, "tell me more", "where is that
from". Each topic that names an intent adds one more, with the topic's
sample questions (:meth:`skill.questions.knowledge.Knowledge.intent_specs`).

The names here are what the handlers match on; :data:`QUESTION_INTENTS`
goes to the interaction model through :mod:`skill.builder`.
"""

from __future__ import annotations

from skill.model.spec import IntentSpec

QUERY_SLOT = "query"
QUESTION_INTENT = "QuestionIntent"
#: A question heard after "why" or "how come": the slot holds the rest.
WHY_QUESTION_INTENT = "WhyQuestionIntent"
MORE_INTENT = "MoreIntent"
SOURCE_INTENT = "SourceIntent"

# A free-form question needs words before the slot: Alexa rejects a sample
# made of the slot alone. The matcher drops these words from the start of
# any question (skill.questions.matcher), so a question typed whole and the
# same question heard as a slot get the same answer; no carrier ends in a
# word that carries meaning ("how long", "how often" stay in the slot, and
# "why" has its own intent below).
QUESTION_CARRIERS = (
    "question {query}",
    "i have a question {query}",
    "my question is {query}",
    "what about {query}",
    "how about {query}",
    "tell me about {query}",
    "what do you know about {query}",
    "i want to know {query}",
    "explain {query}",
    "how {query}",
    "how do {query}",
    "how does {query}",
    "how can {query}",
    "what {query}",
    "what is {query}",
    "what are {query}",
    "what's {query}",
    "which {query}",
    "when {query}",
    "can {query}",
    "can i {query}",
    "could {query}",
    "is {query}",
    "is it {query}",
    "are {query}",
    "does {query}",
    "do {query}",
    "do i {query}",
    "should {query}",
    "should i {query}",
    "will {query}",
)

# "Why" carries meaning, so why-questions have their own intent: its handler
# puts "why" back in front of the slot.
WHY_CARRIERS = (
    "why {query}",
    "why do {query}",
    "why does {query}",
    "why is {query}",
    "how come {query}",
)

MORE_SAMPLES = (
    "tell me more",
    "tell me more about that",
    "more",
    "more please",
    "go on",
    "keep going",
    "i want to hear more",
    "more details",
    "give me more details",
    "what else should i know",
)

SOURCE_SAMPLES = (
    "where is that from",
    "where's that from",
    "where does that come from",
    "where did you get that",
    "what is the source",
    "what's the source",
    "what is your source",
    "what's your source",
    "source",
    "sources",
    "cite your source",
    "how do you know",
    "how do you know that",
    "who says so",
    "what is the evidence",
    "what's the evidence",
    "is that proven",
)


QUESTION_INTENTS: tuple[IntentSpec, ...] = (
    IntentSpec(QUESTION_INTENT, QUESTION_CARRIERS, ((QUERY_SLOT, "AMAZON.SearchQuery"),)),
    IntentSpec(WHY_QUESTION_INTENT, WHY_CARRIERS, ((QUERY_SLOT, "AMAZON.SearchQuery"),)),
    IntentSpec(MORE_INTENT, MORE_SAMPLES),
    IntentSpec(SOURCE_INTENT, SOURCE_SAMPLES),
)
