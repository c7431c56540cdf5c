"""The matcher: paraphrases find their topic, safety comes first, unrelated questions stay out.

Accuracy is measured on labelled questions written apart from the topics'
samples (tests/labelled.py): training sets, whose misses are printed, and a
held-out set, of which only the total is. Speed is measured in
benchmarks/bench_matcher.py, never asserted here.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelled
from skill.questions.knowledge import KnowledgeError, load_knowledge
from skill.questions.matcher import Match, Matcher, default_matcher, match_question
from skill.questions.phonetic import SoundIndex, key, one_edit_apart
from skill.questions.stemmer import stem
from skill.questions.vocabulary import parse_vocabulary

QUESTIONS_FILE = Path(__file__).parent / "data" / "questions.toml"
QUESTIONS = tomllib.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
LABELLED = [(label, text) for label, texts in QUESTIONS.items() for text in texts]
KNOWLEDGE = load_knowledge()
#: Every topic's samples and phrasings: the ways of asking it is matched against.
SAMPLES = [(topic.id, sample) for topic in KNOWLEDGE
           for sample in (*topic.samples, *topic.phrasings)]
MIN_ACCURACY = 0.90
#: Held-out accuracy may not fall below what it is (measured with bench_matcher.py).
#: Round fourteen: 316/356 (88.8%) as written.
MIN_HELDOUT_ACCURACY = 0.88
#: Held-out safety questions not routed to a doctor and false alarms, at most
#: what was measured (totals only).
MAX_HELDOUT_SAFETY_MISSES = 5  # round fourteen: 53/58 routed
MAX_HELDOUT_FALSE_ALARMS = 7  # round fourteen: 7 of 298
#: Seen safety questions not routed to the right doctor answer (395/406 routed)
#: and seen questions that are not safety questions sent to a doctor (4 of 2,690),
#: measured once rounds eleven to thirteen had moved in, before their misses were read.
MAX_SEEN_SAFETY_MISSES = 11
MAX_SEEN_FALSE_ALARMS = 4
HELDOUT = labelled.heldout()
TRAINING = labelled.training()
LABEL_RE = re.compile(r"^[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)?$")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return default_matcher()


def outcome(match: Match, label: str) -> str:
    """What the matcher said, in the labelled set's terms."""
    if label in ("safety", "out_of_scope"):
        return match.kind
    return match.topic_id or match.kind


def plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


# ------------------------------------------------------------ the labelled set


def test_labelled_set_is_large_and_varied() -> None:
    counts = Counter(label for label, _ in LABELLED)
    assert len(LABELLED) >= 100
    assert counts["out_of_scope"] >= 15 and counts["safety"] >= 10
    assert set(counts) - {"safety", "out_of_scope"} <= set(KNOWLEDGE.topics)


def test_labelled_questions_are_not_copies_of_samples() -> None:
    samples = {plain(sample) for _, sample in SAMPLES}
    copies = [q.text for q in (*TRAINING, *HELDOUT) if plain(q.text) in samples]
    assert copies == []


def test_training_and_held_out_sets_cover_every_style_and_never_overlap() -> None:
    styles = {"casual", "regional", "asr", "rambles", "negations", "compounds", "safety",
              "out_of_scope", "new_worries"}
    assert len(TRAINING) + len(HELDOUT) >= 600 and len(HELDOUT) >= 200
    # "short" (one to four words) is a held-out style only, so far
    assert {q.batch.rsplit(".", 1)[-1] for q in HELDOUT} == styles | {"short"}
    assert styles <= {q.batch for q in TRAINING}
    assert {plain(q.text) for q in TRAINING}.isdisjoint(plain(q.text) for q in HELDOUT)
    assert all(LABEL_RE.match(q.label) for q in (*TRAINING, *HELDOUT))


def test_held_out_safety_questions_are_routed_and_false_alarms_stay_rare(
    matcher: Matcher,
) -> None:
    """Totals only, as for accuracy."""
    result = labelled.score(HELDOUT, matcher.match)
    right, total = result.by_kind["safety"]
    assert total - right <= MAX_HELDOUT_SAFETY_MISSES
    assert result.false_alarms <= MAX_HELDOUT_FALSE_ALARMS


def test_every_seen_safety_question_is_routed_and_false_alarms_stay_rare(
    matcher: Matcher,
) -> None:
    result = labelled.score(labelled.seen(), matcher.match)
    right, total = result.by_kind["safety"]
    assert total - right <= MAX_SEEN_SAFETY_MISSES
    assert result.false_alarms <= MAX_SEEN_FALSE_ALARMS


def test_held_out_accuracy_does_not_fall(matcher: Matcher) -> None:
    """Only the total is shown: which held-out questions fail is never read."""
    result = labelled.score(HELDOUT, matcher.match)
    print(f"\nheld-out accuracy: {result.share:.1%} ({result.right}/{result.total})")
    assert result.share >= MIN_HELDOUT_ACCURACY


def test_labelled_accuracy_is_at_least_90_percent(matcher: Matcher) -> None:
    misses = [(label, text, outcome(matcher.match(text), label)) for label, text in LABELLED
              if outcome(matcher.match(text), label) != label]
    accuracy = 1 - len(misses) / len(LABELLED)
    print(f"\nmatcher accuracy: {accuracy:.1%} ({len(LABELLED) - len(misses)}/{len(LABELLED)})")
    for miss in misses:
        print("  missed:", miss)
    assert accuracy >= MIN_ACCURACY


def test_every_safety_question_gets_a_see_a_doctor_answer(matcher: Matcher) -> None:
    safety_ids = {t.id for t in KNOWLEDGE.safety}
    wrong = []
    for text in QUESTIONS["safety"]:
        match = matcher.match(text)
        if match.kind != "safety" or match.topic_id not in safety_ids:
            wrong.append((text, match))
    assert wrong == []


def test_out_of_scope_questions_are_never_answered(matcher: Matcher) -> None:
    """Unrelated questions stay out, including ones that share a word with the
    topics ("how long do I boil an egg", "when is my doctor's appointment")
    and legs that are not the asker's ("how many legs does a spider have")."""
    answered = [(text, m.topic_id) for text in QUESTIONS["out_of_scope"]
                if (m := matcher.match(text)).kind != "out_of_scope"]
    assert answered == []


@pytest.mark.parametrize(
    "text",
    ["how do i fix my chair leg", "my dog is limping on his back leg",
     "how many legs does a beetle have", "how long do i roast a turkey leg",
     "our couch has a loose leg, what glue works", "one leg of my stool is too short",
     "how do i train my dog to heel"],
)
def test_legs_that_are_not_yours_are_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize("text", ["how do i bulk up my legs", "i'd love bigger calves",
                                  "what's the best way to build muscle in my thighs",
                                  "tips for bulking up my quads", "how do I get a bigger bum?",
                                  "best way to build massive glutes",
                                  "how do i pack on size in my hamstrings"])
def test_a_goal_to_grow_is_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize("text", ["i don't want to bulk up, are lunges ok",
                                  "will squats make my legs bulky",
                                  "i'm scared lunges will make my thighs bigger",
                                  "will skipping build huge calves"])
def test_a_worry_about_growing_is_still_answered(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).topic_id == "bulky"


def test_a_goal_to_grow_that_also_slims_is_answered(matcher: Matcher) -> None:
    assert matcher.match("how do i build muscle and lose fat on my legs").kind == "topic"


@pytest.mark.parametrize("text", ["how do i shave my legs", "how do i moisturise my thighs",
                                  "what's the best fake tan for legs", "how do i get rid of hairy legs",
                                  "is a thigh tattoo a good idea",
                                  "which moisturizer is best for my knees",
                                  "should i exfoliate my thighs"])
def test_a_place_with_unfamiliar_or_grooming_words_is_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize("text", ["book me a physio appointment for monday",
                                  "order me a foam roller", "how do i get rid of spots on my back",
                                  "best cream for a spot on my cheek"])
def test_an_errand_or_a_spot_on_the_skin_is_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


def test_a_spot_of_fat_is_still_answered(matcher: Matcher) -> None:
    assert matcher.match("can i slim one spot on my thighs").topic_id == "spot_reduction"


@pytest.mark.parametrize("text", ["my shoulders are so stiff, what stretch helps",
                                  "my neck aches after a night on a bad pillow",
                                  "sore elbow from tennis, what do i do"])
def test_an_ache_that_is_not_in_the_legs_is_out_of_scope(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "out_of_scope"


@pytest.mark.parametrize("text", ["my arms are stiff after my workout, should i take a rest day",
                                  "my neck is sore, can i still do squats",
                                  "my back aches, but will lunges slim my thighs"])
def test_an_ache_elsewhere_with_a_question_of_ours_is_answered(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "topic"


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [("why are my legs so stubborn is it my genes", "why_stubborn", "genetics"),
     ("Why are my legs so stubborn? Is it my genes?", "why_stubborn", "genetics")],
)
def test_a_second_question_with_no_joining_word_is_offered(
    matcher: Matcher, text: str, first: str, second: str
) -> None:
    match = matcher.match(text)
    assert (match.topic_id, match.also) == (first, second)


def test_a_choice_named_before_which_answers_one_side_and_offers_the_other(matcher: Matcher) -> None:
    match = matcher.match("protein sugar which first")
    assert {match.topic_id, match.also} == {"protein", "sugar"}


def test_a_told_first_half_is_not_a_second_question(matcher: Matcher) -> None:
    # "I don't eat much fat" sets something aside: one question, about sugar.
    match = matcher.match("i don't eat much fat does that sugar make my legs bigger")
    assert match.also is None


@pytest.mark.parametrize("text", ["no progress", "my thighs haven't changed in a month",
                                  "the scales haven't moved in two weeks, should i give up"])
def test_change_said_in_the_negative_is_a_plateau(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).topic_id == "no_change"


@pytest.mark.parametrize(("text", "topic_id"), [("protein amount", "protein"),
                                                ("cellulite remedies", "cellulite")])
def test_a_few_words_naming_one_subject_are_answered(matcher: Matcher, text: str,
                                                     topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_a_question_whose_every_half_is_negated_still_gets_an_answer(matcher: Matcher) -> None:
    # Split at "or", the first half is only a negated activity: nothing to score.
    match = matcher.match("i don't own a bike or treadmill, do i even need cardio for slimmer legs")
    assert match.topic_id == "cardio_vs_strength"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("how come my thighs stay big when the rest of me gets thinner", "why_stubborn"),
        ("can I burn thigh fat by doing thigh exercises", "spot_reduction"),
    ],
)
def test_paraphrases_from_the_spec_find_their_topic(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    match = matcher.match(text)
    assert (match.kind, match.topic_id) == ("topic", topic_id)


@pytest.mark.parametrize(("topic_id", "sample"), SAMPLES, ids=[f"{t}:{s}" for t, s in SAMPLES])
def test_every_sample_maps_back_to_its_topic(matcher: Matcher, topic_id: str, sample: str) -> None:
    assert matcher.match(sample).topic_id == topic_id


@pytest.mark.parametrize("example", KNOWLEDGE.examples)
def test_every_example_question_is_answered_by_a_topic(matcher: Matcher, example: str) -> None:
    assert matcher.match(example).kind == "topic"


# ------------------------------------------------------------ safety first


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("one leg suddenly swelled up", "blood_clot"),
        ("my calf is red and hot", "blood_clot"),
        ("does massage help a swollen painful calf", "blood_clot"),
        ("I'm short of breath and my leg is sore", "emergency"),
        ("could this be a d. v. t.", "blood_clot"),
        ("painful fat on both legs that bruises easily", "lipoedema"),
        ("what is lipedema", "lipoedema"),
        ("my knee hurts when I squat", "leg_pain"),
        ("my head hurts", "see_doctor"),
        ("I'm pregnant, can I do lunges", "pregnancy"),
        ("my ankles have been swollen for months", "see_doctor"),
        ("should I see a doctor", "see_doctor"),
    ],
)
def test_safety_rules_pick_the_right_doctor_answer(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    match = matcher.match(text)
    assert (match.kind, match.topic_id) == ("safety", topic_id)
    assert match.reason.startswith("safety rule")


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("is a warm foot soak good for my legs", "massage"),
        ("why do my ankles get puffy when I sit all day", "sitting"),
        ("do salty meals make my legs swell", "salt"),
        ("should I warm up before squats", "squat"),
    ],
)
def test_everyday_swelling_and_warmth_are_not_emergencies(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_safety_topics_are_reached_only_by_rules(matcher: Matcher) -> None:
    # "cave in" is about form, not pain: no rule fires, so no doctor answer.
    match = matcher.match("my knees cave in when I squat, how do I fix that")
    assert match.kind == "topic"


# ------------------------------------------------------------ out of scope and odd input


@pytest.mark.parametrize("text", ["", "   ", "???", "1234", "uh", "the and of"])
def test_empty_or_meaningless_input_is_out_of_scope(matcher: Matcher, text: str) -> None:
    match = matcher.match(text)
    assert match == Match("out_of_scope", None, match.score, match.reason)
    assert match.reason


def test_a_question_without_leg_or_fitness_words_says_so(matcher: Matcher) -> None:
    match = matcher.match("what's the capital of france")
    assert match.kind == "out_of_scope" and "no leg" in match.reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gets_a_well_formed_answer(text: str) -> None:
    match = default_matcher().match(text)
    assert match.kind in ("topic", "safety", "out_of_scope")
    assert (match.topic_id is None) == (match.kind == "out_of_scope")
    assert match.topic_id is None or match.topic_id in KNOWLEDGE.topics


# ------------------------------------------------------------ behaviour


def test_matching_is_deterministic() -> None:
    first, second = Matcher(KNOWLEDGE), Matcher(KNOWLEDGE)
    for _, text in LABELLED:
        assert first.match(text) == second.match(text) == first.match(text)


def test_a_vague_follow_up_is_read_in_the_light_of_the_last_answer(matcher: Matcher) -> None:
    assert matcher.match("and the fat").kind == "out_of_scope"
    follow_up = matcher.match("and the fat", previous="massage")
    assert follow_up.topic_id in KNOWLEDGE["massage"].related


def test_rank_lists_the_closest_topics_best_first(matcher: Matcher) -> None:
    ranked = matcher.rank("does salt make my ankles puffy", n=3)
    assert ranked[0][0] == "salt"
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)


def test_match_question_uses_the_package_knowledge() -> None:
    assert match_question("is leg fat genetic").topic_id == "genetics"


@pytest.mark.parametrize(
    ("a", "b"),
    [("thighs", "thigh"), ("squatting", "squat"), ("lunges", "lunge"), ("sitting", "sit"),
     ("swelling", "swell"), ("skipping", "skip"), ("bruised", "bruise")],
)
def test_stemming_brings_word_forms_together(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_vocabulary_rejects_a_word_in_two_groups() -> None:
    with pytest.raises(KnowledgeError, match="'thigh' is already in 'LEG'"):
        parse_vocabulary({"concepts": {"LEG": "leg thigh", "FAT": "fat thigh"}})


def test_vocabulary_rejects_an_unknown_domain_group() -> None:
    with pytest.raises(KnowledgeError, match="unknown concept 'NOPE'"):
        parse_vocabulary({"concepts": {"LEG": "leg"}, "domain": {"strong": "NOPE"}})


# ------------------------------------------------------------ the language, not the list


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("no squats for me, something else for my bottom", "alternatives"),
        ("i hate lunges, any other moves for thighs", "alternatives"),
        ("will just running slim my legs", "cardio_vs_strength"),
        ("can i slim my calves only", "spot_reduction"),
        ("i'm not hurt or ill, i only want slimmer knees", "spot_reduction"),
        # a negation ends at a new question, a new subject, or after its verb
        ("i don't like running, do i need cardio to slim my legs", "cardio_vs_strength"),
        ("my legs aren't fat, they're just puffy, how do i tell", "water_or_fat"),
        ("my calves just won't slim, why is that", "why_stubborn"),
        # "just" before anything but a body part only softens; "alone" limits what it follows
        ("is cellulite just fat", "cellulite"),
        ("will swimming alone slim down my thighs", "cardio_vs_strength"),
    ],
)
def test_negation_and_only_scope_change_the_answer(matcher: Matcher, text: str,
                                                   topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("topic", topic_id)


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("i'm pregnant and my leg is swollen and i can't catch my breath", "emergency"),
        ("since my operation one calf is suddenly red and swollen", "blood_clot"),
        ("i'm pregnant and my feet tingle", "pregnancy"),
        ("pins and needles in my foot after sitting", "numbness"),
        ("had surgery on my hip, when can i squat", "after_surgery"),
        ("do lunges help varicose veins", "varicose_veins"),
        ("how many painkillers for sore thighs", "medicine"),
    ],
)
def test_safety_routes_the_most_urgent_first(matcher: Matcher, text: str, topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


@pytest.mark.parametrize(
    "text",
    ["i'm not pregnant, just want slimmer thighs", "it doesn't hurt, i just want thinner calves",
     "my legs aren't swollen, they're just big", "i'm not injured or ill, what burns thigh fat"],
)
def test_a_negated_mention_sends_no_one_to_a_doctor(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "topic"


@pytest.mark.parametrize(
    ("heard", "meant"),
    [("lunch", "lunge"), ("lounge", "lunge"), ("squad", "squat"), ("tie", "thigh"),
     ("sellyoulight", "cellulite"), ("proteen", "protein"), ("vericose", "varicose")],
)
def test_sound_alike_words_share_a_key(heard: str, meant: str) -> None:
    assert key(heard) == key(meant) or one_edit_apart(key(heard), key(meant))


@pytest.mark.parametrize(
    ("a", "b"),
    [("morning", "burning"), ("single", "tingle"), ("joke", "squat"),
     # close in sound, far in spelling: ordinary words, not slips
     ("kindly", "candy"), ("summer", "sugar"), ("juice", "jog"), ("clams", "creams"),
     ("swears", "sweets"), ("fine", "vein")],
)
def test_words_that_only_rhyme_are_not_taken_for_each_other(a: str, b: str) -> None:
    assert SoundIndex([b]).lookup(a) is None


@pytest.mark.parametrize(
    ("heard", "meant"),
    [("skiping", "skipping"), ("cremes", "creams"), ("tie", "thigh"), ("lunch", "lunge")],
)
def test_slips_that_sound_and_look_alike_are_heard_again(heard: str, meant: str) -> None:
    assert SoundIndex([meant]).lookup(heard) == meant


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("what muscles do lungs work", "muscles_worked"), ("how to get rid of sell you light", "cellulite"),
     ("will squads make my calves bulky", "bulky")],
)
def test_misheard_names_still_find_their_topic(matcher: Matcher, text: str, topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_a_guess_by_sound_alone_does_not_bring_a_question_into_scope(matcher: Matcher) -> None:
    assert matcher.match("tell me a joke").kind == "out_of_scope"  # "joke" sounds like "jog"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [
        ("will leg raises burn my thigh fat", "spot_reduction"),
        ("will all this squatting give me footballer's thighs", "bulky"),
        ("i don't want bulky calves, is skipping ok", "bulky"),
        ("what do squats actually target", "muscles_worked"),
        ("which is worse for swollen ankles, sugar or salt", "salt"),
        ("sweets or salty snacks, which makes thighs fatter", "sugar"),
        ("my legs haven't changed since i started the workouts", "no_change"),
        ("why won't my legs slim when the rest of me has", "why_stubborn"),
        ("some say sweat it out, some say creams, what's true", "myths"),
    ],
)
def test_the_shape_of_a_question_points_to_its_topic(matcher: Matcher, text: str,
                                                      topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("i hurt my ankle last year but it's fully healed, what can i do instead of lunges",
      "alternatives"),
     ("i'm on the pill, does that make my hips bigger", "hormones"),
     ("i had a c section two years ago and i'm fully recovered, can i do squats", "squat")],
)
def test_history_and_everyday_words_are_not_health_alarms(matcher: Matcher, text: str,
                                                          topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("topic", topic_id)


def test_a_ramble_is_read_from_where_its_question_starts(matcher: Matcher) -> None:
    from skill.questions.clauses import _split_question

    said = "i walk every day and do the leg workouts twice a week what am i doing wrong"
    assert _split_question([said]) == [said[:said.index(" what")], said[said.index(" what"):]]
    assert _split_question(["why won't my legs slim"]) == ["why won't my legs slim"]
    ramble = ("i've been doing squats and lunges every morning for a fortnight and my legs "
              "ache all the time, should i have days off")
    assert matcher.match(ramble).topic_id == "every_day"


def test_a_choice_goes_to_the_side_the_question_leans_to_only_when_clear(matcher: Matcher) -> None:
    assert matcher.match("do creams or massage help slim thighs").topic_id == "creams"
    assert matcher.match("which is worse for swollen ankles, sugar or salt").topic_id == "salt"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("my legs are always sore, should i take days off", "every_day"),
     ("are massage guns good for sore legs after a workout", "massage"),
     ("my legs go stiff after sitting at my desk all day", "sitting"),
     ("my knees ache after squats, should i rest", "leg_pain"),
     ("my knee swells up after running", "leg_pain")],
)
def test_training_soreness_is_not_a_doctor_question_but_joints_are(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_cues_are_checked_when_read() -> None:
    from skill.questions.cues import compile_cues

    def term(word: str) -> str:
        return word

    with pytest.raises(KnowledgeError, match="unknown topic 'nope'"):
        compile_cues({"nope": ["LEG"]}, ["why_stubborn"], term, ["LEG"])
    with pytest.raises(KnowledgeError, match="unknown concept 'NOPE'"):
        compile_cues({"why_stubborn": ["LEG/NOPE"]}, ["why_stubborn"], term, ["LEG"])
    with pytest.raises(KnowledgeError, match="nothing to look for"):
        compile_cues({"why_stubborn": ["-LEG"]}, ["why_stubborn"], term, ["LEG"])


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("how far do i step in a lunch", "lunge"), ("what muscles do lunches work", "muscles_worked"),
     ("what should i eat for lunch to slim my legs", "diet")],
)
def test_a_word_takes_the_sense_its_neighbours_show(matcher: Matcher, text: str,
                                                    topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_vocabulary_rejects_a_sense_without_a_known_concept() -> None:
    with pytest.raises(KnowledgeError, match="senses: 'lunch'"):
        parse_vocabulary({"concepts": {"LEG": "leg"}, "senses": {"lunch": "NOPE step"}})


def test_a_guess_by_sound_helps_words_heard_as_said_bring_a_question_in(
    matcher: Matcher,
) -> None:
    assert matcher.match("why won't my ties get smaller").topic_id == "why_stubborn"
    assert matcher.match("tell me a joke").kind == "out_of_scope"


def test_a_cue_reads_said_denied_either_and_absent_terms() -> None:
    from skill.questions.cues import compile_cues

    (cue,) = compile_cues({"t": ["WHY !LOSE ?BULKY -SALT"]}, ["t"], str, ["WHY", "LOSE", "BULKY",
                                                                        "SALT"])
    said, denied = frozenset({"WHY"}), frozenset({"LOSE", "BULKY"})
    assert cue.fires(said, denied)
    assert cue.fires(said | {"BULKY"}, frozenset({"LOSE"}))
    assert not cue.fires(said, frozenset({"LOSE"}))  # BULKY not named at all
    assert not cue.fires(said | {"LOSE"}, frozenset({"BULKY"}))  # LOSE said, not denied
    assert not cue.fires(said, denied | {"SALT"})  # SALT named, even negated


def test_two_questions_in_one_answer_the_first_and_offer_the_second(matcher: Matcher) -> None:
    match = matcher.match("how do i squat and how do i do a glute bridge")
    assert (match.topic_id, match.also) == ("squat", "glute_bridge")
    assert matcher.match("is it water or fat").also is None  # "fat" alone asks nothing


def test_a_ramble_is_answered_by_the_question_at_its_end(matcher: Matcher) -> None:
    ramble = ("i have been cycling to work for months and eating well and my arms got thinner "
              "and my face too but not my hips so should i just do more side leg raises")
    assert matcher.match(ramble).topic_id == "spot_reduction"


def test_a_ramble_ending_on_is_that_enough_is_read_whole(matcher: Matcher) -> None:
    from skill.questions.clauses import refers_back

    ramble = ("i used to lift weights but i stopped because i got scared of getting big and now "
              "i only do cardio, like an hour on the elliptical, is that the best way to slim my legs")
    assert refers_back(ramble)
    assert not refers_back("is that the best way to slim my legs")
    assert not refers_back("i run a lot but should i do weights")
    assert matcher.match(ramble).topic_id == "cardio_vs_strength"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("how do i do a lunch", "lunge"),  # a phrase is read before the carrier words go
     ("honey, how am i supposed to do a squat right", "squat"),  # addressed, not eaten
     ("how do i squat without leaning forward", "squat"),  # posture, not getting lean
     ("what's the right way to do a bridge", "glute_bridge"),
     ("how long is it going to take, realistically, mate", "how_long")],
)
def test_how_people_talk_does_not_change_the_question(matcher: Matcher, text: str,
                                                      topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    "text",
    ["i'm sick of my fat legs, what can i do",
     "i'm torn between squats and lunges for my thighs",
     "is red meat bad for leg fat",
     "i follow the workouts on my tablet, is that ok for my legs",
     "my scale is broken, how else can i track my thighs"],
)
def test_everyday_idioms_are_not_health_alarms(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind == "topic"


@pytest.mark.parametrize(
    "text",
    ["i have a torn ligament in my knee, can i squat", "i pulled a hamstring doing lunges",
     "my leg is broken", "how do i avoid a blood clot on a long flight"],
)
def test_injuries_beside_a_body_part_and_worries_set_aside_are_still_routed(
    matcher: Matcher, text: str
) -> None:
    assert matcher.match(text).kind == "safety"


@pytest.mark.parametrize(
    "text",
    ["rather than lunges what can i do", "i'd rather not do squats, other ideas",
     "except squats what works the thighs", "not a fan of lunges, what else"],
)
def test_an_exercise_set_aside_asks_for_another(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).topic_id == "alternatives"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("i'm not pregnant or injured, i just carry a lot on my thighs, why won't it shift",
      "why_stubborn"),  # "a lot on" is not "lotion"; "just carry" limits nothing
     ("is it fat or just water on my legs", "water_or_fat"),
     ("so basically i've been on a diet since january and i've lost six kilos but my thighs "
      "look exactly the same and i'm starting to wonder whether creams would help", "creams"),
     ("i'm six months gone, can i still do the leg workout", "pregnancy"),
     ("i'm not overweight but my thighs are big, why", "why_stubborn")],
)
def test_just_only_and_where_a_ramble_turns_into_its_question(matcher: Matcher, text: str,
                                                               topic_id: str) -> None:
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("swollen calf", "blood_clot"),  # one leg named alone
     ("my leg has been swollen for weeks and it won't go down", "see_doctor"),
     ("my fat legs ache and my feet are slim", "lipoedema")],
)
def test_one_leg_swelling_and_aching_fat_are_routed(matcher: Matcher, text: str,
                                                    topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


def test_both_legs_swelling_by_evening_is_not_a_clot(matcher: Matcher) -> None:
    assert matcher.match("my legs swell by the evening, is that fat").topic_id == "water_or_fat"


def test_legs_of_furniture_stay_out_even_with_fitness_words(matcher: Matcher) -> None:
    assert matcher.match("how do i tighten the legs on my bed frame").kind == "out_of_scope"


def test_each_word_of_the_domain_brings_a_ramble_in(matcher: Matcher) -> None:
    ramble = ("i've bought a skipping rope because i remember doing it as a kid and it was fun, "
              "but i keep tripping over it after a few jumps, how should i be doing it")
    assert matcher.match(ramble).topic_id == "skipping"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("my legs go purple when i stand", "see_doctor"),
     ("my heart races and i feel faint after leg day", "see_doctor"),
     ("my knee gave way on the stairs", "leg_pain"),
     ("i twisted my ankle skipping", "leg_pain"),
     ("my legs feel weak and wobbly all the time", "numbness")],
)
def test_symptoms_in_everyday_words_are_routed(matcher: Matcher, text: str,
                                               topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


@pytest.mark.parametrize(
    "text", ["can i work my legs every day of the weak", "my cat's back legs are weak",
             "i'm not sore or anything, can i still train legs two days running"],
)
def test_sound_alikes_and_other_legs_raise_no_alarm(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind != "safety"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("i got a tight crushing feeling in my chest halfway through the workout", "emergency"),
     ("there's a hard lump on the inside of my thigh that keeps getting bigger", "see_doctor"),
     ("my periods stopped since i started training so hard", "see_doctor")],
)
def test_more_symptoms_in_everyday_words_are_routed(matcher: Matcher, text: str,
                                                    topic_id: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


@pytest.mark.parametrize(
    "text",
    ["lunges aren't an option since my knee op years ago, what else can i do",
     "i've got a bit of arthritis in my hands but my legs are okay, what would firm my thighs",
     "what's a good stretch for a stiff neck"],
)
def test_history_and_other_places_are_not_doctor_questions(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).kind != "safety"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("my thighs be holdin' on to fat no matter what i do, why is that", "why_stubborn"),
     ("ah've been at it six weeks an' nae change, am ah daein it wrang", "no_change"),
     ("how do i do a squash properly", "squat"),
     ("i'm not going heavy, just bodyweight, but how should i stand and breathe in a squat",
      "squat")],
)
def test_dropped_letters_dialect_words_and_slips_are_read_as_meant(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert matcher.match(text).topic_id == topic_id


def test_two_questions_split_where_each_half_finds_its_own(matcher: Matcher) -> None:
    match = matcher.match("do i need cardio or weights, and how many days a week")
    assert (match.topic_id, match.also) == ("cardio_vs_strength", "how_often")
    assert matcher.match("i'm a guy and my belly won't go however many crunches i do").also is None


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("is creatine safe for women", "medicine"),
     ("are weight loss jabs a good idea for thigh fat", "medicine"),
     ("i just gave birth, when can i start squats", "pregnancy"),
     ("i'm 20 weeks, can i still do bridges", "pregnancy"),
     ("i passed out after leg day", "see_doctor"),
     ("i had a stroke last year, can i do squats", "see_doctor"),
     ("my knee locks and won't straighten", "leg_pain")],
)
def test_medicines_recent_births_and_conditions_named_plainly_are_routed(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


def test_a_general_health_goal_is_not_a_doctor_question(matcher: Matcher) -> None:
    assert matcher.match("how do i lower my cholesterol").kind == "out_of_scope"


@pytest.mark.parametrize(
    "text",
    ["i've got a bun in the oven, are lunges ok",
     "my sister is in the family way, can she do bridges",
     "i got knocked up last month, is skipping safe"],
)
def test_pregnancy_in_everyday_slang_is_routed(matcher: Matcher, text: str) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", "pregnancy")


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("the nurse at my gp said walking burns fat all over, is that right", "spot_reduction"),
     ("my gp recommended squats, how many should i do", "squat"),
     ("i'm pain free, can i train legs every day", "every_day"),
     ("what's the best fake tan for pale legs", None)],
)
def test_advice_already_given_pain_free_and_pale_skin_raise_no_alarm(
    matcher: Matcher, text: str, topic_id: str | None
) -> None:
    assert matcher.match(text).kind != "safety"
    assert matcher.match(text).topic_id == topic_id


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("should i ask my doctor before starting", "see_doctor"),
     ("my leg is pale and cold", "see_doctor"),
     ("my foot turned pale", "see_doctor")],
)
def test_a_doctor_asked_about_and_a_leg_turning_pale_are_still_routed(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


@pytest.mark.parametrize(
    "text",
    ["are milkshakes bad for leg fat", "is bubble tea stopping my legs slimming",
     "energy drinks and thigh fat"],
)
def test_sweet_foods_and_drinks_by_name_find_the_sugar_answer(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).topic_id == "sugar"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("could you walk me through the move where you lie down and push your hips up", "glute_bridge"),
     ("never tried a lunge in my life, how does it go", "lunge"),
     ("how much cardio should i get each week", "how_often"),
     ("will i bulk up from lunges", "bulky"),
     ("my calves are a bit stiff from yesterday's workout, can i train them again today",
      "every_day"),
     ("how do i do a body weight swat", "squat"),
     ("i was puffed out after two minutes of skipping, how do i get better at it", "skipping")],
)
def test_moves_described_beginners_and_worries_said_as_questions_find_their_topic(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("topic", topic_id)


def test_a_goal_to_bulk_up_is_still_out_of_scope(matcher: Matcher) -> None:
    assert matcher.match("can i bulk up my calves").kind == "out_of_scope"
    assert matcher.match("how do i bulk up my legs").kind == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("cannot breathe and my calf is swollen", "emergency"),
     ("my mum is pregnant and wants to start doing squats, is that alright", "pregnancy"),
     ("which painkillers should my gran take for her sore knees", "medicine"),
     ("i run for three hours whenever i eat a takeaway to burn it off", "eating_problems"),
     ("i work off everything i eat at the gym because i feel disgusting", "eating_problems")],
)
def test_breathlessness_said_plainly_someone_elses_plans_and_exercise_to_undo_food_are_routed(
    matcher: Matcher, text: str, topic_id: str
) -> None:
    assert (matcher.match(text).kind, matcher.match(text).topic_id) == ("safety", topic_id)


@pytest.mark.parametrize(
    ("text", "topic_id"),
    [("would dunking my legs in a hot bath slim them", "massage"),
     ("what's a sensible weekly dose of squats", "how_often"),
     ("i get red bumps on my thighs after shaving, how do i stop them", None),
     ("my physio signed me off after my sprain, how do i do a lunge properly", "lunge")],
)
def test_warm_water_a_dose_of_exercise_razor_rash_and_a_physios_all_clear_raise_no_alarm(
    matcher: Matcher, text: str, topic_id: str | None
) -> None:
    assert matcher.match(text).kind != "safety"
    assert matcher.match(text).topic_id == topic_id
