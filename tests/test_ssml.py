"""SSML for Alexa: escaping, breaks, sounds and the response limits."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech.model import SOUNDS, Narration, Pause, Sound
from speech.ssml import SSMLLimitError, check_ssml, ensure_ssml_ok, ssml_seconds, to_ssml


def test_user_text_cannot_inject_tags() -> None:
    ssml = to_ssml(Narration.of('</speak><audio src="x"/> & "quotes" \'too\''))
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert list(root) == []  # no child elements at all
    assert root.text == '</speak><audio src="x"/> & "quotes" \'too\''
    assert "&amp;" in ssml and "&lt;/speak&gt;" in ssml and "&quot;" in ssml


def test_pause_becomes_break_in_seconds_or_milliseconds() -> None:
    ssml = to_ssml(Narration.of("Rest.", Pause(2), "Up.", Pause(0.25)))
    assert ssml == '<speak>Rest. <break time="2s"/> Up. <break time="250ms"/></speak>'


def test_long_pause_is_split_into_breaks_of_at_most_ten_seconds() -> None:
    root = ET.fromstring(to_ssml(Narration.of(Pause(25.5))))
    times = [b.get("time") for b in root.iter("break")]
    assert times == ["10s", "10s", "5500ms"]


def test_zero_pause_adds_nothing() -> None:
    assert to_ssml(Narration.of("Go.", Pause(0))) == "<speak>Go.</speak>"


def test_sound_with_alexa_clip_becomes_audio_else_a_break_of_its_length() -> None:
    root = ET.fromstring(to_ssml(Narration.of(Sound("whistle"), Sound("beep"))))
    assert [a.get("src") for a in root.iter("audio")] == [SOUNDS["whistle"].alexa_url]
    assert [b.get("time") for b in root.iter("break")] == ["150ms"]


def test_check_accepts_a_normal_response() -> None:
    n = Narration.of("Squats.", Pause(12), Sound("chime"), "Done.")
    assert check_ssml(to_ssml(n), max_seconds=90, seconds=ssml_seconds(n)) == []


def test_check_flags_more_than_five_audio_clips() -> None:
    ssml = to_ssml(Narration.of(*[Sound("chime")] * 6))
    assert check_ssml(ssml) == ["6 audio clips, limit 5"]


def test_check_flags_more_than_8000_characters() -> None:
    ssml = to_ssml(Narration.of("word " * 1700))
    problems = check_ssml(ssml)
    assert len(problems) == 1 and "limit 8000" in problems[0]


def test_check_flags_hand_written_break_over_ten_seconds() -> None:
    problems = check_ssml('<speak>Hi <break time="12s"/> <break time="soon"/></speak>')
    assert problems == [
        "break of 12 s is longer than 10 s",
        "break time 'soon' is not like '500ms' or '2s'",
    ]


def test_check_flags_malformed_xml_and_wrong_root() -> None:
    assert "not well-formed" in check_ssml("<speak>oops")[0]
    assert check_ssml("<p>hi</p>") == ["root element is <p>, expected <speak>"]


def test_check_accepts_amazon_prefixed_tags() -> None:
    assert check_ssml('<speak><amazon:effect name="whispered">hi</amazon:effect></speak>') == []


def test_check_estimates_length_when_not_given() -> None:
    ssml = to_ssml(Narration.of("Rest now.", Pause(10), Pause(10)))
    assert check_ssml(ssml, max_seconds=30) == []
    assert check_ssml(ssml, max_seconds=15) == ["about 21.0 s of speech, limit 15 s"]


def test_ensure_raises_with_every_problem_listed() -> None:
    ssml = to_ssml(Narration.of(*[Sound("chime")] * 6, "x" * 8000))
    with pytest.raises(SSMLLimitError) as caught:
        ensure_ssml_ok(ssml)
    assert len(caught.value.problems) == 2
    assert isinstance(caught.value, ValueError)
    assert ensure_ssml_ok("<speak>fine</speak>") == "<speak>fine</speak>"


def test_ssml_seconds_counts_words_pauses_and_sounds() -> None:
    n = Narration.of("one two", Pause(3), Sound("beep"))
    assert ssml_seconds(n) == pytest.approx(n.estimated_seconds())


def _xml_char(c: str) -> bool:
    return c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"


@given(st.text(min_size=1).filter(str.strip))
def test_any_text_renders_to_parseable_ssml_that_keeps_the_text(text: str) -> None:
    root = ET.fromstring(to_ssml(Narration.of(text)))
    assert root.tag == "speak" and list(root) == []
    expected = "".join(c for c in text.strip() if _xml_char(c))
    expected = expected.replace("\r\n", "\n").replace("\r", "\n")  # XML line ends
    assert (root.text or "") == expected


@given(st.lists(st.floats(min_value=0, max_value=120, allow_nan=False), max_size=8))
def test_any_pauses_render_to_breaks_within_limits_that_add_up(pauses: list[float]) -> None:
    ssml = to_ssml(Narration.of(*[Pause(p) for p in pauses]))
    assert check_ssml(ssml) == []
    total_ms = 0
    for brk in ET.fromstring(ssml).iter("break"):
        value = brk.get("time", "")
        total_ms += int(value[:-2]) if value.endswith("ms") else int(value[:-1]) * 1000
    assert total_ms == sum(round(p * 1000) for p in pauses)
