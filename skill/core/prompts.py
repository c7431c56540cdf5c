"""Everything said around the answers: ``skill/core/prompts.toml``.

Separate from the topics (:mod:`skill.questions.knowledge`) so that opening the skill,
which needs only a welcome, reads this small file and not the topics. TOML,
like every other content file (importing ``tomllib`` and parsing it costs a
Lambda cold start about 2 ms more than JSON did: the price of one format).

The file holds ``examples`` (example questions for help, fallback and
out-of-scope answers; tests/test_knowledge.py checks each one is answered
by a topic) and ``prompts``: each prompt a list of variants in plain
spoken English, no SSML (the speech layer escapes and renders it). The
first variant is the default (``prompts["welcome"]``); ``prompts.pick(name,
n)`` picks another for variety. Placeholders, where :data:`PROMPT_FIELDS`
allows them, are written ``{name}``: ``source`` may use ``{sources}`` (the
spoken sources, "A, B and C"), ``for_example`` ``{first}`` and ``{second}``.

A feature's own words stand in the same file, in a table named after the
feature (``[workout]``), in the same form; :func:`load_words` reads one
(with the placeholders :data:`WORD_FIELDS` allows), when the feature first
speaks. ``prompts`` stays what every cold start reads.

:func:`load_prompts` reads it once (cached), checks it and returns a frozen
value; any problem raises :class:`KnowledgeError` naming the file, the prompt
and what is wrong.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from skill.core.content import KnowledgeError, read_data

PROMPTS_FILE = "prompts.toml"
#: Placeholders each prompt may use; prompts not listed may use none.
PROMPT_FIELDS: Mapping[str, frozenset[str]] = {"source": frozenset({"sources"}),
                                               "for_example": frozenset({"first", "second"}),
                                               "could_ask": frozenset({"first", "second"}),
                                               "two_things_next": frozenset({"other"}),
                                               "two_things_offer": frozenset({"other"})}
#: A feature's words (its table in the file) and the placeholders each may use.
WORD_FIELDS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "workout": {
        "stopped": frozenset({"where"}), "stopped_ago": frozenset({"ago", "where"}),
        "picking_up": frozenset({"where"}), "paused_reprompt": frozenset({"where"}),
        "stream_to_turns": frozenset({"where"}),
        "skipping": frozenset({"what"}), "going_back": frozenset({"where"}),
        "carry_on_with": frozenset({"where"}), "more_rest": frozenset({"seconds"}),
        "restarting": frozenset({"where"}), "replace_question": frozenset({"where"}),
        "unknown_exercise": frozenset({"words"}), "minutes_ago": frozenset({"number"}),
        "hours_ago": frozenset({"number"}), "streamed_minutes": frozenset({"number"}), "days_ago": frozenset({"number"}), "weeks_ago": frozenset({"number"}),
        "months_ago": frozenset({"number"}), "workouts": frozenset({"number"}), "more": frozenset({"number"}),
        "week_none": frozenset({"goal"}), "week_some": frozenset({"done", "more", "goal"}),
        "week_reached": frozenset({"done", "goal"}),
        "sets_of": frozenset({"number", "exercise"}), "and": frozenset({"items", "last"}),
        "sets_left": frozenset({"number"}), "about_minutes": frozenset({"number"}),
        "sets_left_line": frozenset({"count", "listed", "tail", "about"}),
        "next_more_of": frozenset({"where"}), "next_rest": frozenset({"number", "set"}),
        "next_part": frozenset({"where"}), "next_part_starting": frozenset({"where", "exercise"}),
        "amount_seconds": frozenset({"number"}), "amount_seconds_each": frozenset({"number", "side"}),
        "amount_reps": frozenset({"number"}), "amount_reps_each": frozenset({"number", "side"}),
        "next_set": frozenset({"set", "amount"}),
        "rest_of": frozenset({"where"}), "doctor_question": frozenset({"mentioned"}),
        "still_resting": frozenset({"left"}), "keep_going_left": frozenset({"left"}),
        "ready_for": frozenset({"where"}), "ready_for_rest": frozenset({"number"}),
        "ready_for_the": frozenset({"exercise"}), "minutes_left": frozenset({"number"}),
        "seconds_left": frozenset({"number"}), "set_of": frozenset({"exercise", "number", "sets"}),
        "stream_intro": frozenset({"title"}), "stream_part": frozenset({"part", "parts"}),
    },
}


#: Every prompt the file must define, in the order the file lists them.
PROMPT_NAMES: tuple[str, ...] = (
    "welcome", "welcome_back_workout", "welcome_back", "disclaimer", "help", "reprompt",
    "ask_question", "anything_else", "offer_more", "offer_source", "offer_declined",
    "goodbye", "fallback", "out_of_scope", "error", "source", "card_sent", "no_source",
    "no_more", "nothing_yet", "nothing_to_repeat", "for_example", "could_ask",
    "two_things_next", "two_things_offer",
)


class Prompts:
    """Everything said around the answers: each prompt's variants (the first
    is the default) and the example questions. Read-only once built.

    A plain class, not a dataclass: it is built on every Lambda cold start,
    where a generated dataclass costs about 0.3 ms to define."""

    __slots__ = ("_variants", "_examples")

    def __init__(self, variants: Mapping[str, tuple[str, ...]], examples: tuple[str, ...]) -> None:
        self._variants = MappingProxyType(dict(variants))
        self._examples = tuple(examples)

    @property
    def variants(self) -> Mapping[str, tuple[str, ...]]:
        return self._variants

    @property
    def examples(self) -> tuple[str, ...]:
        return self._examples

    def __getitem__(self, name: str) -> str:
        """The default variant as written (placeholders unfilled)."""
        if name not in self._variants:
            raise KeyError(f"no prompt named {name!r}")
        return self._variants[name][0]

    def pick(self, name: str, n: int = 0, **values: str) -> str:
        """Variant ``n`` (wrapping round) of prompt ``name``, placeholders filled."""
        if name not in self._variants:
            raise KeyError(f"no prompt named {name!r}")
        options = self._variants[name]
        return options[n % len(options)].format(**values)

    def __repr__(self) -> str:
        return f"Prompts({len(self._variants)} prompts, {len(self._examples)} examples)"


@cache
def _prompts_file() -> dict[str, Any]:
    return read_data(f"core/{PROMPTS_FILE}")


@cache
def load_prompts() -> Prompts:
    """The package's prompts, read and checked once."""
    return parse_prompts(_prompts_file())


@cache
def load_words(feature: str) -> Prompts:
    """The words of ``feature`` ("workout"): its table in the file, read and checked once."""
    return parse_words(_prompts_file(), feature)


def parse_words(data: Mapping[str, Any], feature: str) -> Prompts:
    """Check and freeze the ``feature`` table of already-parsed data."""
    table = data.get(feature)
    if not isinstance(table, Mapping) or not table:
        raise KnowledgeError(f"{PROMPTS_FILE}: needs a '{feature}' table of prompts")
    fields = WORD_FIELDS.get(feature, {})
    return Prompts({name: _variants(table, name, fields.get(name, frozenset()), feature)
                    for name in table}, ())


def parse_prompts(data: Mapping[str, Any]) -> Prompts:
    """Check and freeze already-parsed data."""
    table = data.get("prompts")
    if not isinstance(table, Mapping):
        raise KnowledgeError(f"{PROMPTS_FILE}: needs a 'prompts' object")
    unknown = sorted(set(table) - set(PROMPT_NAMES))
    if unknown:
        raise KnowledgeError(f"{PROMPTS_FILE}: prompt {unknown[0]!r}: unknown prompt name")
    variants = {name: _variants(table, name, PROMPT_FIELDS.get(name, frozenset())) for name in PROMPT_NAMES}
    examples = data.get("examples")
    if not isinstance(examples, list) or len(examples) < 2 or not all(
        isinstance(e, str) and e.strip() for e in examples
    ):
        raise KnowledgeError(f"{PROMPTS_FILE}: field 'examples': needs at least two questions")
    return Prompts(variants, tuple(examples))


def _variants(table: Mapping[str, Any], name: str, allowed: frozenset[str],
              feature: str = "prompts") -> tuple[str, ...]:
    where = f"{PROMPTS_FILE}: prompt {name!r}" if feature == "prompts" else \
        f"{PROMPTS_FILE}: {feature} prompt {name!r}"
    value = table.get(name)
    if isinstance(value, str):
        value = [value]
    texts = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if not texts or not value:
        raise KnowledgeError(f"{where}: missing, or not a list of texts")
    for text in value:
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        if not used <= allowed:
            raise KnowledgeError(f"{where}: unknown placeholder {sorted(used - allowed)[0]!r}")
    return tuple(" ".join(v.split()) for v in value)
