"""What a feature declares to the interaction model: one intent and its samples.

A leaf: features build these from their data, :mod:`skill.model.generator`
turns them into the model's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntentSpec:
    """One custom intent: its samples and, if any, its slots (name -> type)."""

    name: str
    samples: tuple[str, ...]
    slots: tuple[tuple[str, str], ...] = ()
