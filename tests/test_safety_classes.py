"""The safety layer by class of warning sign: each class is sent to the right
doctor, the most urgent first; negated, past and other people's mentions, and
words that only sound like a symptom, are not.

Questions here are made up for the class they stand for; the labelled sets
(tests/labelled.py) measure the layer on questions written apart.
"""

from __future__ import annotations

import pytest

import labelled
from skill.questions.matcher import Matcher, default_matcher
from skill.questions.safety import safety_rule


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def routed(matcher: Matcher, text: str) -> tuple[str, str | None]:
    match = matcher.match(text)
    return match.kind, match.topic_id


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        # pain, in every word for it
        ("my knee throbs and aches when i squat", "leg_pain"),
        ("stabbing pain in my calf when i skip", "leg_pain"),
        ("a twinge in my thigh on every lunge", "leg_pain"),
        ("my ankles are killing me after skipping", "leg_pain"),
        ("my hip is in agony after bridges", "leg_pain"),
        ("shooting pain down my leg", "leg_pain"),
        # injuries, plain and regional
        ("i tore my calf, can i still skip", "leg_pain"),
        ("twisted my ankle on a run, are squats ok", "leg_pain"),
        ("i rolled my ankle last night", "leg_pain"),
        ("i've done my knee in, can i lunge", "leg_pain"),
        ("got a dodgy knee, are squats alright", "leg_pain"),
        ("gammy ankle, what can i do for my legs", "leg_pain"),
        ("felt something pop in my hamstring during lunges", "leg_pain"),
        # weakness
        ("my knee keeps giving way when i lunge", "leg_pain"),
        ("my legs buckle on the stairs", "leg_pain"),
        ("my left leg suddenly went weak", "numbness"),
        # numbness, tingling, a dead leg, misheard
        ("my foot goes num during wall sits", "numbness"),
        ("i can't feel my toes after skipping", "numbness"),
        ("my leg's gone dead and won't come back", "numbness"),
        ("tingly feet after every workout", "numbness"),
        # swelling and skin
        ("my calf has blown up on one side", "blood_clot"),
        ("one ankle ballooned overnight", "blood_clot"),
        ("my swolen calf on one side hurts", "blood_clot"),
        ("my calf got fat suddenly on one side", "blood_clot"),
        ("my calf looks purple and swollen", "blood_clot"),
        ("my toes look blue", "see_doctor"),
        ("my ankles have been swollen for three weeks", "see_doctor"),
        # pregnancy in regional words
        ("i'm twenty weeks gone, can i squat", "pregnancy"),
        ("expecting twins, are lunges ok", "pregnancy"),
        ("i'm preggers, is skipping alright", "pregnancy"),
        # surgery by other names
        ("i had keyhole surgery on my knee, when can i lunge", "after_surgery"),
        ("had my meniscus repaired, are squats ok", "after_surgery"),
        # conditions, medicines, eating to get thin
        ("i have lymphoedema in my legs, can i train them", "see_doctor"),
        ("i take statins, can i do leg workouts", "medicine"),
        ("i'm starving myself to get thin thighs", "see_doctor"),
        ("i make myself sick after eating so my legs slim", "see_doctor"),
        ("i've stopped eating to get slimmer legs", "see_doctor"),
    ],
)
def test_each_class_of_warning_sign_is_sent_to_a_doctor(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert routed(matcher, text) == ("safety", topic_id)


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        # breathlessness, chest pain, fainting or a racing heart with a bad leg:
        # emergency services first, whatever else is said
        ("my chest is really tight and my calf is swollen", "emergency"),
        ("coughing up blood and my leg hurts", "emergency"),
        ("i feel faint and one leg is all puffy", "emergency"),
        ("my heart is racing and my calf is hot and swollen", "emergency"),
        ("i'm pregnant, dizzy, and my calf is swollen", "emergency"),
        ("since my operation i've been light headed and my leg aches", "emergency"),
        # a clot before pregnancy, surgery or numbness
        ("i'm pregnant and one calf is suddenly red and swollen", "blood_clot"),
        ("after my knee replacement my calf is hot and purple", "blood_clot"),
        ("my leg went numb and is swollen on one side", "blood_clot"),
    ],
)
def test_the_most_urgent_class_comes_first(matcher: Matcher, text: str, topic_id: str) -> None:
    assert routed(matcher, text) == ("safety", topic_id)


@pytest.mark.parametrize(
    "text",
    [
        # negated
        "i'm not injured or pregnant, how often should i train legs",
        "no pain, no swelling, i just want slimmer calves",
        "my legs aren't numb or tingly, they're just big, why",
        "i'm not diabetic, does sugar make my thighs fat",
        # past
        "my ankle injury healed ages ago, which leg exercises should i do",
        "i had surgery years ago, can squats slim my thighs",
        # someone else's news
        "my friend had knee surgery and swears squats slimmed her legs",
        "my pregnant friend asked me whether salt makes legs puffy",
        "my sister is pregnant and wants to know if massage gets rid of leg fat",
        # training soreness and safe-to questions without a symptom
        "my legs are a bit sore from yesterday's squats, should i have a rest day",
        "is it safe to squat every day",
        # words that only look like a symptom
        "killing it at leg day, how often should i go",
        "i'm sick of my chunky calves, can i slim just my calves",
        "i'm weak at lunges, how do i get better",
        "do twisting moves slim my thighs",
        "i stopped eating bread, will my thighs slim",
        "i run a small operation from home and sit all day, does it make my legs fat",
        "i work as a midwife on nights, how often should i train legs",
        "is there a red flag that my squat form is wrong",
    ],
)
def test_negated_past_and_other_peoples_mentions_send_no_one_to_a_doctor(
    matcher: Matcher, text: str
) -> None:
    assert matcher.match(text).kind != "safety"


def test_the_layer_decides_alone_from_tokens(matcher: Matcher) -> None:
    toks = matcher.tokens("my heart is racing and my calf is swollen")
    assert safety_rule(toks) == ("emergency", "breathless or faint with a swollen or painful leg")
    assert safety_rule(matcher.tokens("my heart rate goes up on the bike")) is None


def test_the_training_batch_of_warning_signs_is_routed_without_false_alarms(
    matcher: Matcher,
) -> None:
    batch = [q for q in labelled.read("questions_train.toml") if q.batch == "safety_classes"]
    result = labelled.score(batch, matcher.match)
    right, total = result.by_kind["safety"]
    assert total >= 60 and result.not_safety >= 40
    assert total - right <= 1  # "i only eat five hundred calories a day": a count is not heard
    assert result.false_alarms == 0
