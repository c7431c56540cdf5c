"""The interaction model's JSON, generated from the intents the features declare.

``python -m skill model`` writes one JSON file per locale under
infra/skill-package/interactionModels/custom/. The output is deterministic
(intents and samples sorted, keys sorted, trailing newline) so a test can
compare the committed files with a fresh generation.

This module knows no feature: :func:`skill.builder.interaction_model` collects
every feature's :class:`~skill.model.spec.IntentSpec` values and slot types
and hands them to :func:`build_model`, which checks them as Alexa's model
build would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from skill.model.spec import IntentSpec

INVOCATION_NAME = "leg coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")


class ModelError(ValueError):
    """The generated model would fail Alexa's build; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


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


def build_model(specs: Iterable[IntentSpec], types: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The interaction model as a JSON value; raises ModelError if invalid."""
    ordered = sorted(specs, key=lambda spec: spec.name)
    problems = check_intents(ordered)
    if problems:
        raise ModelError(problems)
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": [_intent_json(spec) for spec in ordered],
                "types": list(types),
            }
        }
    }


def model_text(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def default_model_dir() -> Path:
    """infra/skill-package/interactionModels/custom in the source tree."""
    root = Path(__file__).resolve().parents[2]
    return root / "infra" / "skill-package" / "interactionModels" / "custom"


def write_models(model: dict[str, Any], directory: Path | None = None) -> list[Path]:
    """Write one model per locale; returns the files written."""
    directory = directory or default_model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    text = model_text(model)
    paths = []
    for locale in LOCALES:
        path = directory / f"{locale}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
