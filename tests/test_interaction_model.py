"""The interaction model: generated from the content, committed, consistent with the handlers."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from skill.general.intents import BUILTIN_INTENTS
from skill.model.generator import (
    LOCALES,
    ModelError,
    check_intents,
    default_model_dir,
    model_text,
    write_models,
)
from skill.questions.knowledge import Knowledge, load_knowledge
from skill.builder import HANDLERS, handled_intents, interaction_model, make_coach, make_handlers
from skill.model.spec import IntentSpec

REQUIRED = {
    "AMAZON.CancelIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent",
    "QuestionIntent", "MoreIntent", "SourceIntent",
}


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return interaction_model(load_knowledge())


def intents_of(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in model["interactionModel"]["languageModel"]["intents"]}


def test_committed_models_equal_the_generated_model() -> None:
    expected = model_text(interaction_model(load_knowledge()))
    for locale in LOCALES:
        path = default_model_dir() / f"{locale}.json"
        assert path.exists(), f"{path} missing: run python -m skill model"
        assert path.read_text(encoding="utf-8") == expected, (
            f"{path.name} is out of date: run python -m skill model")


def test_generation_is_deterministic_and_ends_with_newline(tmp_path: Path) -> None:
    knowledge = load_knowledge()
    assert model_text(interaction_model(knowledge)) == model_text(interaction_model(knowledge))
    written = write_models(interaction_model(knowledge), tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{loc}.json" for loc in LOCALES)
    assert all(p.read_text(encoding="utf-8").endswith("}\n") for p in written)


def test_invocation_name_and_required_intents(model: dict[str, Any]) -> None:
    assert model["interactionModel"]["languageModel"]["invocationName"] == "leg coach"
    assert REQUIRED <= set(intents_of(model))


def test_every_model_intent_has_a_handler_and_every_handler_intent_is_in_the_model(
    model: dict[str, Any],
) -> None:
    handlers = make_handlers(make_coach(adapter=None), HANDLERS)
    handled = handled_intents(handlers)
    in_model = set(intents_of(model))
    assert in_model - handled == set(), "intents without a handler"
    assert handled - in_model == set(), "handlers for intents missing from the model"


def test_topic_intents_come_from_the_content(model: dict[str, Any]) -> None:
    intents = intents_of(model)
    for topic in load_knowledge().topics.values():
        if topic.intent:
            assert set(intents[topic.intent]["samples"]) == set(topic.samples)


def test_question_intent_has_a_search_query_slot_with_carrier_phrases(model: dict[str, Any]) -> None:
    question = intents_of(model)["QuestionIntent"]
    assert question["slots"] == [{"name": "query", "type": "AMAZON.SearchQuery"}]
    for sample in question["samples"]:
        assert "{query}" in sample
        assert sample.replace("{query}", "").strip(), f"{sample!r} has no carrier phrase"


def test_samples_have_no_digits_symbols_or_duplicates(model: dict[str, Any]) -> None:
    specs = [IntentSpec(i["name"], tuple(i["samples"]),
                        tuple((s["name"], s["type"]) for s in i.get("slots", ())))
             for i in model["interactionModel"]["languageModel"]["intents"]]
    assert check_intents(specs) == []
    seen: set[str] = set()
    for spec in specs:
        for sample in spec.samples:
            assert not any(ch.isdigit() for ch in sample)
            assert sample not in seen
            seen.add(sample)


def test_builtins_have_no_custom_samples(model: dict[str, Any]) -> None:
    intents = intents_of(model)
    for name in BUILTIN_INTENTS:
        assert intents[name]["samples"] == []


@pytest.mark.parametrize("spec,problem", [
    (IntentSpec("A", ("train 3 times",)), "digits"),
    (IntentSpec("A", ("what's up?",)), "characters"),
    (IntentSpec("A", ("{query}",), (("query", "AMAZON.SearchQuery"),)), "carrier"),
    (IntentSpec("A", ("about {thing}",)), "unknown slot"),
])
def test_bad_samples_are_reported(spec: IntentSpec, problem: str) -> None:
    assert any(problem in p for p in check_intents([spec]))


def test_a_slot_alone_is_fine_unless_it_is_a_search_query() -> None:
    assert check_intents([IntentSpec("A", ("{level}",), (("level", "LEVEL"),))]) == []


def test_a_sample_in_two_intents_is_a_duplicate() -> None:
    problems = check_intents([IntentSpec("A", ("go on",)), IntentSpec("B", ("Go  on",))])
    assert any("duplicates" in p for p in problems)


def test_invalid_content_samples_fail_generation() -> None:
    content = load_knowledge()
    topic = dataclasses.replace(next(iter(content)), id="x", intent="XIntent",
                                samples=("tell me more",))
    with pytest.raises(ModelError, match="duplicates"):
        interaction_model(Knowledge({"x": topic}, content.prompts))


def test_committed_model_parses_as_json() -> None:
    for locale in LOCALES:
        json.loads((default_model_dir() / f"{locale}.json").read_text(encoding="utf-8"))

