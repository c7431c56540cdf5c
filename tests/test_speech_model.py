"""The narration values, their plain-text rendering and the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from speech.model import DEFAULT_WPM, Narration, Pause, Say, Sound, estimate_speech_seconds, join
from speech.paths import audio_cache_dir, data_home
from speech.text import to_text


def test_of_turns_strings_into_say_and_flattens_narrations() -> None:
    inner = Narration.of("Rest.", Pause(2))
    n = Narration.of(Sound("beep"), "Squats.", inner, "  ")
    assert n.parts == (Sound("beep"), Say("Squats."), Say("Rest."), Pause(2))


def test_plus_concatenates_without_changing_either_side() -> None:
    a = Narration.of("One.")
    b = a + Pause(1) + "Two."
    assert a.parts == (Say("One."),)
    assert b.parts == (Say("One."), Pause(1), Say("Two."))


def test_join_puts_pause_only_between_items() -> None:
    n = join([Narration.of("A."), Narration.of("B."), Narration.of("C.")], pause=0.5)
    assert n.parts == (Say("A."), Pause(0.5), Say("B."), Pause(0.5), Say("C."))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Say("  "), "non-empty"),
        (lambda: Pause(-1), "negative"),
        (lambda: Sound("gong"), "unknown sound"),
    ],
    ids=["blank-say", "negative-pause", "unknown-sound"],
)
def test_bad_parts_are_rejected(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make()


def test_estimated_seconds_adds_words_pauses_and_sounds() -> None:
    n = Narration.of("one two three", Pause(1.5), Sound("beep"))
    expected = 0.25 + 3 * 60 / DEFAULT_WPM + 1.5 + 0.15
    assert n.estimated_seconds() == pytest.approx(expected)
    assert estimate_speech_seconds("one two three", wpm=60) == pytest.approx(3.25)


def test_narration_is_hashable_for_use_as_cache_key() -> None:
    assert {Narration.of("Go.", Pause(1)): 1}[Narration.of("Go.", Pause(1))] == 1


def test_parts_are_values_equal_only_to_the_same_kind_of_part() -> None:
    assert Say("beep") == Say("beep") and hash(Say("beep")) == hash(Say("beep"))
    assert Say("beep") != Sound("beep") and Pause(1) == Pause(1.0)
    assert Narration.of("Go.") != Narration.of("Stop.") and Narration.of("Go.") != ("Go.",)
    assert repr(Narration.of("Go.", Pause(1))) == "Narration(parts=(Say(text='Go.'), Pause(seconds=1)))"


def test_parts_and_narrations_are_immutable_and_survive_pickling() -> None:
    import pickle

    n = Narration.of(Sound("chime"), "Done.", Pause(0.5))
    for value in (n, *n.parts):
        with pytest.raises(AttributeError, match="immutable"):
            value.parts = ()  # type: ignore[misc, attr-defined]
    with pytest.raises(AttributeError, match="immutable"):
        del n.parts
    assert pickle.loads(pickle.dumps(n)) == n


def test_to_text_shows_sounds_and_long_pauses_only() -> None:
    n = Narration.of(Sound("whistle"), "Squats.", Pause(0.3), "Set 1 of 3.", Pause(2), "Go!")
    assert to_text(n) == "[whistle] Squats. Set 1 of 3. … Go!"


def test_to_text_merges_consecutive_long_pauses() -> None:
    assert to_text(Narration.of("Rest.", Pause(5), Pause(5), "Up.")) == "Rest. … Up."


def test_to_text_of_empty_narration_is_empty() -> None:
    assert to_text(Narration()) == ""


def test_data_home_honours_legcoach_home(legcoach_home: Path) -> None:
    assert data_home() == legcoach_home
    assert audio_cache_dir() == legcoach_home / "audio-cache"


def test_data_home_falls_back_to_xdg_then_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEGCOACH_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "leg-coach"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert data_home() == tmp_path / "user" / ".local" / "share" / "leg-coach"


def test_data_home_does_not_create_the_folder(legcoach_home: Path) -> None:
    data_home()
    assert not legcoach_home.exists()
