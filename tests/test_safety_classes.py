"""The safety layer by class of warning sign: each class is sent to the right
doctor, the most urgent first, and the emergencies lead with emergency
services; someone else's condition is routed like the speaker's when the
question is about them; negated, past and other people's mentions told as
news, an animal's legs, ordinary dieting, and words that only sound like a
symptom, are not.

Questions here are made up for the class they stand for; the labelled sets
(tests/labelled.py) measure the layer on questions written apart.
"""

from __future__ import annotations

import re

import pytest

import labelled
from skill.questions import eating_signs
from skill.questions.knowledge import load_knowledge
from skill.questions.matcher import Matcher, default_matcher
from skill.questions.safety import safety_rule

KNOWLEDGE = load_knowledge()


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
        ("my left leg suddenly went weak", "stroke_signs"),
        ("my left leg feels weak", "numbness"),
        # numbness, tingling, a dead leg, misheard
        ("my foot goes num during wall sits", "numbness"),
        ("i can't feel my toes after skipping", "numbness"),
        ("my leg's gone dead and won't come back", "numbness"),
        ("tingly feet after every workout", "numbness"),
        ("pins n needles in my calf all evening", "numbness"),
        ("my knee ached all night after yesterday's lunges, can i go again", "leg_pain"),
        # swelling and skin
        ("my calf has blown up on one side", "blood_clot"),
        ("one ankle ballooned overnight", "blood_clot"),
        ("my swolen calf on one side hurts", "blood_clot"),
        ("my calf got fat suddenly on one side", "blood_clot"),
        ("my calf looks purple and swollen", "blood_clot"),
        ("my toes look blue", "see_doctor"),
        # an ache with no cause, or asked who to see about
        ("my shins ache for no reason at all", "see_doctor"),
        ("my legs hurt all the time, who should i see", "see_doctor"),
        # one leg unlike the other
        ("my left shin is redder than the right one and throbs", "blood_clot"),
        ("my calf feels hotter than the other one and aches", "blood_clot"),
        ("my right foot looks paler than the other", "see_doctor"),
        ("my ankles have been swollen for three weeks", "see_doctor"),
        # pregnancy in regional words
        ("i'm twenty weeks gone, can i squat", "pregnancy"),
        ("expecting twins, are lunges ok", "pregnancy"),
        ("i'm preggers, is skipping alright", "pregnancy"),
        # surgery by other names
        ("i had keyhole surgery on my knee, when can i lunge", "after_surgery"),
        ("had my meniscus repaired, are squats ok", "after_surgery"),
        ("i had my spleen removed in may, can i do lunges", "after_surgery"),
        ("a week after my tonsillectomy, is skipping ok", "after_surgery"),
        # conditions and medicines
        ("i have lymphoedema in my legs, can i train them", "see_doctor"),
        ("i take statins, can i do leg workouts", "medicine"),
        # eating problems: starving, purging, pills, bingeing made up for, fear of food
        ("i'm starving myself to get thin thighs", "eating_problems"),
        ("i make myself sick after eating so my legs slim", "eating_problems"),
        ("i've stopped eating to get slimmer legs", "eating_problems"),
        ("i hardly eat anything because of my thighs", "eating_problems"),
        ("i've been living on seven hundred calories a day", "eating_problems"),
        ("i take laxatives so my legs look thinner", "eating_problems"),
        ("after i binge i make up for it with hours on the treadmill", "eating_problems"),
        ("i'm terrified of eating in case my thighs grow", "eating_problems"),
        ("i hate my body so much i skip dinner", "eating_problems"),
        ("my fourteen year old has stopped eating to get thin legs", "eating_problems"),
        ("he only eats an orange a day for skinny legs", "eating_problems"),
        # pills for swelling are a medicine question, not an eating one
        ("can i take water tablets to get rid of my swollen ankles", "medicine"),
        # the emergencies: a stroke, a leg that has lost its blood supply
        ("my face is drooping and my arm feels weak", "stroke_signs"),
        ("my speech is slurred and my leg went weak", "stroke_signs"),
        ("my right arm and leg suddenly went numb", "stroke_signs"),
        ("my foot suddenly went cold and white and it's agony", "cold_leg"),
        ("my calf is killing me and my leg has gone pale and cold", "cold_leg"),
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
        "my face has dropped on one side and my words are slurred",
        "suddenly i can't lift my left leg",
        "my leg went ice cold and pale and hurts like mad",
        "i'm short of breath and my calf is swollen",
        "chest pain and a swollen leg",
    ],
)
def test_an_emergency_answer_leads_with_emergency_services(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match.kind == "safety"
    assert KNOWLEDGE[match.topic_id].spoken.startswith("Call emergency services now.")


@pytest.mark.parametrize(
    "text",
    [
        "i'm starving myself for thinner legs",
        "my daughter is fifteen and barely eats because she hates her thighs",
        "i binge and then punish myself with exercise",
    ],
)
def test_an_eating_problem_gets_a_kind_answer_that_leads_with_who_to_talk_to(
    matcher: Matcher, text: str
) -> None:
    assert routed(matcher, text) == ("safety", "eating_problems")
    topic = KNOWLEDGE["eating_problems"]
    assert topic.spoken.startswith("Please talk to a doctor or an eating disorder helpline")
    for what_applies in ("can't slim your legs", "harms your health", "confidential"):
        assert what_applies in topic.spoken
    for judging in ("should have", "your fault", "must", "stop it"):
        assert judging not in topic.spoken.lower()
    assert "family and friends" in topic.more  # for someone worried about another
    urls = {source.url for source in topic.sources}
    assert "https://www.nice.org.uk/guidance/ng69" in urls
    assert any(url and url.startswith("https://www.nhs.uk/") for url in urls)


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [
        ("my sister is pregnant, can she squat", "i'm pregnant, can i squat"),
        ("my dad had a hip replacement, can he do lunges",
         "i had a hip replacement, can i do lunges"),
        ("my mum's leg is swollen and hot", "my leg is swollen and hot"),
        ("my husband has diabetes, is skipping safe for him", "i have diabetes, is skipping safe"),
        ("my nan is on warfarin, should she do squats", "i'm on warfarin, should i do squats"),
        ("my brother sprained his ankle, can he still lunge",
         "i sprained my ankle, can i still lunge"),
        ("my friend's face is drooping and her speech is slurred",
         "my face is drooping and my speech is slurred"),
    ],
)
def test_someone_elses_warning_sign_gets_the_same_answer_as_the_speakers(
    matcher: Matcher, theirs: str, mine: str
) -> None:
    assert routed(matcher, theirs) == routed(matcher, mine)
    assert routed(matcher, theirs)[0] == "safety"


@pytest.mark.parametrize(
    "text",
    [
        "does a spider have fat legs",
        "my dog's legs are swollen",
        "my dogs leg is swollen",
        "my cat's leg is swollen and hot",
        "my dog had surgery on his leg, can he go for walks",
        "the table leg is broken",
    ],
)
def test_an_animals_or_a_things_legs_are_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize(
    "text",
    ["walking my dog and my calf suddenly swelled", "fell off the ladder, ankle swollen and purple"],
)
def test_a_speakers_own_leg_beside_an_animal_or_a_thing_is_still_theirs(
    matcher: Matcher, text: str
) -> None:
    assert routed(matcher, text) == ("safety", "blood_clot")


@pytest.mark.parametrize(
    "text",
    [
        # negated
        "i'm not pregnant",
        "no injuries, just want slimmer calves",
        "i'm not starving myself, i just want to eat better",
        "i've never made myself sick, i just want smaller thighs",
        "my face isn't drooping, my thighs are just saggy",
        # ordinary dieting
        "should i cut carbs",
        "is skipping breakfast ok",
        "how many calories should i eat",
        "i eat twelve hundred calories a day, is that enough for leg day",
        "i burn five hundred calories skipping, what should i eat after",
        "i barely eat sugar any more, why are my thighs still big",
        "i'm starving after squats, what's a good snack",
        "i had pizza last night, can i burn it off with lunges",
        "i hate my thighs, which exercises slim them",
        "i only eat one proper meal a day, will my thighs slim",
        "should i work out without eating breakfast",
        # cold or pale without pain, a face that only sags
        "my feet are always cold when i sit at my desk",
        "is an ice bath good after leg day",
        "will squats lift my droopy bum",
        # someone else's news, or their doctor's word, not a question about them
        "my pregnant sister says squats slimmed her thighs, is that true",
        "my dad's doctor says he can do squats now, will they slim his legs",
        "my mum had a knee replacement and now walks every day, should i walk too",
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
        "my glutes are achy after yesterday's bridges, can i do another workout today",
        "stiff quads from leg day, should i train again tomorrow",
        "my thighs ache after standing all day at the shop, will lunges slim them",
        # pain only supposed, asking for another move
        "what can i do if wall sits hurt my knees",
        # an organ in passing, one leg stronger than the other
        "i had my appendix out years ago, which leg exercises are best",
        "my left leg is stronger than the other, should i do single leg squats",
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
    batch = [q for q in labelled.read("questions_train.toml")
             if q.batch in ("safety_classes", "safety_classes_2")]
    result = labelled.score(batch, matcher.match)
    right, total = result.by_kind["safety"]
    assert total >= 140 and result.not_safety >= 90
    assert total - right <= 1
    assert result.false_alarms == 0



def test_one_search_for_every_eating_sign_pattern_changes_no_sign(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every pattern a sign is read by is in the combined one, or a sign said in
    # a new pattern would go unread.
    readers = {v for v in vars(eating_signs).values() if isinstance(v, re.Pattern)}
    assert readers - {eating_signs._ANY_SAID, eating_signs._NEGATED,
                      eating_signs._NON_WORD} == set(eating_signs._SAID_IN)
    read = [([t for t in matcher.tokens(q.text) if not t.heard], eating_signs.plain_words(q.text))
            for q in labelled.training()]
    signs = [eating_signs.eating_sign(meant, words) for meant, words in read]
    assert sum(sign is not None for sign in signs) >= 10
    # The same signs with each pattern searched for alone (a pattern found everywhere).
    monkeypatch.setattr(eating_signs, "_ANY_SAID", re.compile(""))
    assert [eating_signs.eating_sign(meant, words) for meant, words in read] == signs
