"""The labelled questions: the training sets and the held-out set, scored one way.

``tests/data/questions.toml`` (flat: label -> questions) and
``tests/data/questions_train.toml`` ([batch] tables) are training sets: the
matcher may be tuned on them and their misses may be read.
``tests/data/questions_seen.toml`` ([round.batch] tables) holds rounds that
were held out until their misses were read: training now, scored apart.
``tests/data/questions_heldout.toml`` ([round.batch] tables) is held out: only
its totals are ever printed, so it keeps measuring questions nobody tuned for.

A label is a topic id, "safety" (any see-a-doctor answer), "out_of_scope", or
"first+second" (a question on two topics: the first is answered).
Questions in a batch called "safety", or labelled with a safety topic, are
safety questions.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from skill.questions.knowledge import load_knowledge

DATA = Path(__file__).parent / "data"
TRAINING_FILES = ("questions.toml", "questions_train.toml", "questions_seen.toml")
SEEN_FILE = "questions_seen.toml"
HELDOUT_FILE = "questions_heldout.toml"
KINDS = ("topic", "safety", "out_of_scope")
SAFETY_TOPICS = frozenset(t.id for t in load_knowledge().safety)


class Answer(Protocol):
    """What a matcher says (skill.questions.matcher.Match has these fields)."""

    kind: str
    topic_id: str | None


@dataclass(frozen=True)
class Question:
    text: str
    label: str
    batch: str  # "questions" for the flat first set, else "[round.]batch"

    @property
    def kind(self) -> str:
        if (self.label == "safety" or self.first in SAFETY_TOPICS
                or self.batch.rsplit(".", 1)[-1] == "safety"):
            return "safety"
        return "out_of_scope" if self.label == "out_of_scope" else "topic"

    @property
    def first(self) -> str:
        return self.label.split("+")[0]

    @property
    def second(self) -> str | None:
        parts = self.label.split("+")
        return parts[1] if len(parts) > 1 else None

    def right(self, answer: Answer) -> bool:
        """The answer is of the right kind and, where the label names a topic, that topic."""
        if answer.kind != self.kind:
            return False
        return self.label in ("safety", "out_of_scope") or answer.topic_id == self.first


def _batches(data: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, dict[str, Any]]]:
    for name, value in data.items():
        if all(isinstance(v, list) for v in value.values()):
            yield prefix + name, value
        else:
            yield from _batches(value, f"{prefix}{name}.")


def read(name: str) -> list[Question]:
    data = tomllib.loads((DATA / name).read_text(encoding="utf-8"))
    if all(isinstance(v, list) for v in data.values()):
        return [Question(t, label, name.removesuffix(".toml")) for label, ts in data.items()
                for t in ts]
    return [Question(t, label, batch) for batch, table in _batches(data)
            for label, ts in table.items() for t in ts]


def training() -> list[Question]:
    return [q for name in TRAINING_FILES for q in read(name)]


def seen() -> list[Question]:
    """The rounds once held out whose misses have been read (part of training)."""
    return read(SEEN_FILE)


def heldout() -> list[Question]:
    return read(HELDOUT_FILE)


@dataclass(frozen=True)
class Score:
    """Totals only: right and asked, overall and per kind."""

    right: int
    total: int
    by_kind: dict[str, tuple[int, int]]
    false_alarms: int  # questions that are not safety questions sent to a doctor
    not_safety: int

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


def score(questions: Sequence[Question], match: Callable[[str], Answer]) -> Score:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    alarms = 0
    for q in questions:
        answer = match(q.text)
        total[q.kind] += 1
        right[q.kind] += q.right(answer)
        alarms += q.kind != "safety" and answer.kind == "safety"
    by_kind = {k: (right[k], total[k]) for k in KINDS}
    return Score(sum(right.values()), len(questions), by_kind, alarms,
                 len(questions) - total["safety"])
