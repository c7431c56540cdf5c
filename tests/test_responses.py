"""skill.core.responses: speech is rendered and checked once per distinct narration."""

from __future__ import annotations

import pytest

from skill.core.responses import _checked_ssml, ssml
from speech.model import Narration, Pause, Say, Sound
from speech.ssml import SSMLLimitError, ensure_ssml_ok, to_ssml


def test_repeated_narration_gets_the_same_checked_ssml_from_the_cache() -> None:
    narration = Narration.of("Squats: ten reps.", Pause(1.5), Sound("whistle"), Say("Go & push <hard>"))
    hits = _checked_ssml.cache_info().hits
    first = ssml(narration, max_seconds=90)
    again = ssml(Narration.of("Squats: ten reps.", Pause(1.5), Sound("whistle"), Say("Go & push <hard>")),
                 max_seconds=90)
    assert first == again == ensure_ssml_ok(to_ssml(narration), max_seconds=90)
    assert _checked_ssml.cache_info().hits == hits + 1


def test_a_limit_is_part_of_what_is_cached() -> None:
    narration = Narration.of("one two three four five six seven eight nine ten " * 10)
    assert ssml(narration) == to_ssml(narration)
    with pytest.raises(SSMLLimitError):
        ssml(narration, max_seconds=1)


def test_narration_over_the_limits_fails_every_time() -> None:
    too_long = Narration.of("word " * 2000)
    for _ in range(2):
        with pytest.raises(SSMLLimitError):
            ssml(too_long)
