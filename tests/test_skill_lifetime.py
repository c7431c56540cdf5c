"""A skill that is dropped is freed with its store: nothing module-wide keeps
a coach alive (a server builds one skill; tests and benchmarks build many,
and each kept its SQLite connections open before)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from envelopes import intent

from skill.builder import build_skill
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter


def test_a_dropped_skill_frees_its_coach_and_store_after_a_workout_started(tmp_path: Path) -> None:
    adapter = SQLiteAdapter(tmp_path / "skill.db")
    skill = build_skill(adapter)
    response = invoke(skill, intent("StartWorkoutIntent", {"level": "beginner"}, new=True))
    assert response["response"]["outputSpeech"]  # the workout's trainer was made
    gone = weakref.ref(adapter)
    del skill, adapter
    gc.collect()
    assert gone() is None
