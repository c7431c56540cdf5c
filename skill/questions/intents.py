"""The question intents: free-form questions, "tell me more", "where is that
from", from ``skill/questions/intents.toml``. Each topic that names an
intent adds one more, with the topic's sample questions
(:meth:`skill.questions.knowledge.Knowledge.intent_specs`).

The names here are what the handlers match on; :func:`question_intents`
goes to the interaction model through :mod:`skill.builder`. The file is
read when first needed (the model, the matcher), never on a cold start.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from skill.core.content import read_data
from skill.model.spec import IntentSpec

QUERY_SLOT = "query"
QUESTION_INTENT = "QuestionIntent"
#: A question heard after "why" or "how come": the slot holds the rest.
WHY_QUESTION_INTENT = "WhyQuestionIntent"
MORE_INTENT = "MoreIntent"
SOURCE_INTENT = "SourceIntent"


@cache
def _data() -> dict[str, Any]:
    return read_data("questions/intents.toml")


@cache
def question_intents() -> tuple[IntentSpec, ...]:
    """The question intents with their samples and slots."""
    return tuple(
        IntentSpec(item["name"], tuple(item["samples"]), tuple(item.get("slots", {}).items()))
        for item in _data()["intent"]
    )


def question_carriers() -> tuple[str, ...]:
    """The words a free-form question is heard after ("what about {query}"):
    the matcher drops them from the start of any question."""
    return next(spec.samples for spec in question_intents() if spec.name == QUESTION_INTENT)


def __getattr__(name: str) -> tuple[str, ...]:
    """``QUESTION_CARRIERS``: :func:`question_carriers`, read on first use."""
    if name == "QUESTION_CARRIERS":
        return question_carriers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
