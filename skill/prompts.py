"""Everything said around the answers: ``skill/data/prompts.toml``.

Separate from the topics (:mod:`skill.knowledge`) so that opening the skill,
which needs only a welcome, reads this small file and not the topics.
:func:`load_prompts` reads it once (cached), checks it and returns a frozen
value; any problem raises :class:`KnowledgeError` naming the file, the prompt
and what is wrong.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from types import MappingProxyType
from typing import Any

from skill.content import KnowledgeError, read_data

PROMPTS_FILE = "prompts.toml"
#: Placeholders each prompt may use; prompts not listed may use none.
PROMPT_FIELDS: Mapping[str, frozenset[str]] = {"source": frozenset({"sources"})}


@dataclass(frozen=True)
class Prompts:
    """Everything said around the answers. Each attribute is the default
    (first) variant; :meth:`pick` chooses among all of them."""

    welcome: str
    welcome_back: str
    welcome_back_workout: str
    disclaimer: str
    help: str
    reprompt: str
    ask_question: str
    anything_else: str
    offer_more: str
    offer_source: str
    offer_declined: str
    goodbye: str
    fallback: str
    out_of_scope: str
    error: str
    source: str
    card_sent: str
    no_source: str
    no_more: str
    nothing_yet: str
    nothing_to_repeat: str
    examples: tuple[str, ...]
    variants: Mapping[str, tuple[str, ...]] = field(repr=False, compare=False)

    def __getitem__(self, name: str) -> str:
        """The default variant as written (placeholders unfilled), like the attribute."""
        if name not in self.variants:
            raise KeyError(f"no prompt named {name!r}")
        return self.variants[name][0]

    def pick(self, name: str, n: int = 0, **values: str) -> str:
        """Variant ``n`` (wrapping round) of prompt ``name``, placeholders filled."""
        if name not in self.variants:
            raise KeyError(f"no prompt named {name!r}")
        options = self.variants[name]
        return options[n % len(options)].format(**values)


PROMPT_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(Prompts) if f.name not in ("examples", "variants")
)


@cache
def load_prompts() -> Prompts:
    """The package's prompts, read and checked once."""
    return parse_prompts(read_data(PROMPTS_FILE))


def parse_prompts(data: Mapping[str, Any]) -> Prompts:
    """Check and freeze already-parsed TOML data."""
    table = data.get("prompts")
    if not isinstance(table, Mapping):
        raise KnowledgeError(f"{PROMPTS_FILE}: needs a [prompts] table")
    unknown = sorted(set(table) - set(PROMPT_NAMES))
    if unknown:
        raise KnowledgeError(f"{PROMPTS_FILE}: prompt {unknown[0]!r}: unknown prompt name")
    variants = {name: _variants(table, name) for name in PROMPT_NAMES}
    examples = data.get("examples")
    if not isinstance(examples, list) or len(examples) < 2 or not all(
        isinstance(e, str) and e.strip() for e in examples
    ):
        raise KnowledgeError(f"{PROMPTS_FILE}: field 'examples': needs at least two questions")
    first = {name: options[0] for name, options in variants.items()}
    return Prompts(**first, examples=tuple(examples), variants=MappingProxyType(variants))


def _variants(table: Mapping[str, Any], name: str) -> tuple[str, ...]:
    where = f"{PROMPTS_FILE}: prompt {name!r}"
    value = table.get(name)
    if isinstance(value, str):
        value = [value]
    texts = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if not texts or not value:
        raise KnowledgeError(f"{where}: missing, or not a list of texts")
    allowed = PROMPT_FIELDS.get(name, frozenset())
    for text in value:
        used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        if not used <= allowed:
            raise KnowledgeError(f"{where}: unknown placeholder {sorted(used - allowed)[0]!r}")
    return tuple(" ".join(v.split()) for v in value)
