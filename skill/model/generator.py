"""The interaction model, generated from the same data the answers come from.

``python -m skill model`` writes one JSON file per locale under
infra/skill-package/interactionModels/custom/. The output is deterministic
(intents and samples sorted, keys sorted, trailing newline) so a test can
compare the committed files with a fresh generation.

To add an intent: append an :class:`IntentSpec` to :data:`CUSTOM_INTENTS`
(or :data:`BUILTIN_INTENTS`) and register a handler naming it in its
``intents`` tuple; the consistency tests check both sides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The names handlers use live in skill.model.names (re-exported here).
from skill.model.names import MORE_INTENT as MORE_INTENT
from skill.model.names import QUERY_SLOT as QUERY_SLOT
from skill.model.names import QUESTION_INTENT as QUESTION_INTENT
from skill.model.names import SOURCE_INTENT as SOURCE_INTENT

INVOCATION_NAME = "leg coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")

BUILTIN_INTENTS = (
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.HelpIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StopIntent",
    "AMAZON.YesIntent",
)

# A free-form question needs words before the slot: Alexa rejects a sample
# made of the slot alone.
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
    "why {query}",
    "why do {query}",
    "why does {query}",
    "why is {query}",
    "how {query}",
    "how do {query}",
    "how does {query}",
    "how can {query}",
    "how much {query}",
    "how many {query}",
    "how often {query}",
    "how long {query}",
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


@dataclass(frozen=True)
class IntentSpec:
    """One custom intent: its samples and, if any, its slots (name -> type)."""

    name: str
    samples: tuple[str, ...]
    slots: tuple[tuple[str, str], ...] = ()


CUSTOM_INTENTS: tuple[IntentSpec, ...] = (
    IntentSpec(QUESTION_INTENT, QUESTION_CARRIERS, ((QUERY_SLOT, "AMAZON.SearchQuery"),)),
    IntentSpec(MORE_INTENT, MORE_SAMPLES),
    IntentSpec(SOURCE_INTENT, SOURCE_SAMPLES),
)


class ModelError(ValueError):
    """The generated model would fail Alexa's build; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def topic_intents(knowledge: Any) -> tuple[IntentSpec, ...]:
    """One intent per topic that names one, with the topic's sample questions."""
    specs = [
        IntentSpec(topic.intent, tuple(topic.samples))
        for topic in knowledge.topics.values()
        if getattr(topic, "intent", None)
    ]
    return tuple(sorted(specs, key=lambda spec: spec.name))


def all_intents(knowledge: Any) -> tuple[IntentSpec, ...]:
    # -- guided workouts: intents from skill/workout/intents.toml --
    from skill.workout.intents import builtins as workout_builtins, workout_intents

    builtins = tuple(IntentSpec(name, ()) for name in BUILTIN_INTENTS + workout_builtins())
    custom = CUSTOM_INTENTS + workout_intents()
    # -- end guided workouts --
    # Reminders (skill/reminders/intents.toml); imported here because
    # skill.reminders.api imports IntentSpec from this module.
    from skill.reminders.api import reminder_intents

    custom += reminder_intents()
    return tuple(sorted(builtins + custom + topic_intents(knowledge), key=lambda s: s.name))


def intent_names(knowledge: Any) -> frozenset[str]:
    return frozenset(spec.name for spec in all_intents(knowledge))


_WORD = r"(?:[a-z]+(?:'[a-z]+)?|\{[a-z]+\})"
_SAMPLE = re.compile(rf"^{_WORD}(?: {_WORD})*$")
_SLOT = re.compile(r"\{([^}]*)\}")


def normalise(sample: str) -> str:
    return " ".join(sample.lower().split())


def check_intents(specs: Iterable[IntentSpec]) -> list[str]:
    """Every problem Alexa's model build would report for these samples."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for spec in specs:
        slot_names = {name for name, _ in spec.slots}
        searches = {name for name, kind in spec.slots if kind == "AMAZON.SearchQuery"}
        for sample in spec.samples:
            where = f"{spec.name}: {sample!r}"
            if not _SAMPLE.match(sample):
                problems.append(f"{where} has digits, capitals or characters other than "
                                "letters, spaces and apostrophes")
            for slot in _SLOT.findall(sample):
                if slot not in slot_names:
                    problems.append(f"{where} uses unknown slot {{{slot}}}")
            if searches & set(_SLOT.findall(sample)) and _SLOT.sub("", sample).strip() == "":
                problems.append(f"{where} is a search slot alone; it needs a carrier phrase")
            key = normalise(sample)
            if key in owner:
                problems.append(f"{where} duplicates a sample of {owner[key]}")
            owner[key] = spec.name
    return problems


def _intent_json(spec: IntentSpec) -> dict[str, Any]:
    intent: dict[str, Any] = {"name": spec.name, "samples": sorted(spec.samples)}
    if spec.slots:
        intent["slots"] = [{"name": name, "type": kind} for name, kind in spec.slots]
    return intent


def slot_types() -> list[dict[str, Any]]:
    """Custom slot types (guided workouts: LEVEL and EXERCISE)."""
    from skill.workout.intents import slot_types as workout_slot_types

    return workout_slot_types()


def build_model(knowledge: Any) -> dict[str, Any]:
    """The interaction model as a JSON value; raises ModelError if invalid."""
    specs = all_intents(knowledge)
    problems = check_intents(specs)
    if problems:
        raise ModelError(problems)
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": [_intent_json(spec) for spec in specs],
                "types": slot_types(),
            }
        }
    }


def model_text(knowledge: Any) -> str:
    return json.dumps(build_model(knowledge), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def default_model_dir() -> Path:
    """infra/skill-package/interactionModels/custom in the source tree."""
    root = Path(__file__).resolve().parents[2]
    return root / "infra" / "skill-package" / "interactionModels" / "custom"


def write_models(knowledge: Any, directory: Path | None = None) -> list[Path]:
    """Write one model per locale; returns the files written."""
    directory = directory or default_model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    text = model_text(knowledge)
    paths = []
    for locale in LOCALES:
        path = directory / f"{locale}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
