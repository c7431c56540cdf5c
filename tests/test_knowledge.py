"""The knowledge data: complete, short enough to say, sourced, safe, and checked on load."""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

import pytest

from skill.questions.knowledge import (
    PROMPT_NAMES,
    SAFETY_OPENINGS,
    SAMPLE_RE,
    Knowledge,
    KnowledgeError,
    Topic,
    load_knowledge,
    load_prompts,
    parse_knowledge,
)

KNOWLEDGE = load_knowledge()
TOPICS = list(KNOWLEDGE.topics.values())
BY_ID = {t.id: t for t in TOPICS}

#: Every subject of the source article and the content brief has a topic.
REQUIRED_TOPICS = (
    "why_stubborn", "genetics", "hormones", "spot_reduction", "cardio_vs_strength", "how_often",
    "exercises", "squat", "lunge", "glute_bridge", "skipping", "diet", "salt", "protein",
    "sitting", "massage", "creams", "loose_skin", "how_long", "summary", "see_doctor",
    "blood_clot", "lipoedema",
)
#: virtual-alexa treats an utterance with these words as a launch request.
LAUNCH_WORDS = re.compile(r"\b(ask|open|launch|tell|talk to)\b")
#: Spoken text must read naturally aloud: no digits, brackets or symbols.
NOT_SPOKEN = re.compile(r"[0-9()\[\]%/&*#+=<>]")


def words(text: str) -> int:
    return len(text.split())


def topic_ids(topics: list[Topic]) -> list[str]:
    return [t.id for t in topics]


# ------------------------------------------------------------ the content


def test_every_subject_of_the_article_and_brief_has_a_topic() -> None:
    assert set(REQUIRED_TOPICS) <= set(KNOWLEDGE.topics)


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_topic_has_every_field(topic: Topic) -> None:
    for name in ("id", "title", "spoken", "more", "card"):
        assert getattr(topic, name).strip(), name
    assert topic.sources and topic.samples and topic.keywords
    assert topic.offer is not None and topic.offer.text.endswith("?")


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_spoken_answer_is_at_most_45_words(topic: Topic) -> None:
    assert words(topic.spoken) <= 45


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_more_is_between_40_and_120_words(topic: Topic) -> None:
    assert 40 <= words(topic.more) <= 120


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_spoken_text_has_no_digits_brackets_or_symbols(topic: Topic) -> None:
    assert not NOT_SPOKEN.search(topic.spoken), topic.spoken
    assert not NOT_SPOKEN.search(topic.more), topic.more


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_every_source_has_a_citation_and_a_spoken_form(topic: Topic) -> None:
    for source in topic.sources:
        assert source.citation.strip() and source.spoken.strip()
        assert source.url is None or source.url.startswith("https://")


def test_citations_are_written_as_in_the_brief() -> None:
    citations = {s.citation for t in TOPICS for s in t.sources}
    assert "Ramirez-Campillo 2013, J Strength Cond Res 27:2219" in citations
    assert "Willis 2012, J Appl Physiol 113:1831" in citations
    assert "Bull 2020, Br J Sports Med 54:1451" in citations
    assert "NICE IPG721" in citations


@pytest.mark.parametrize("topic", TOPICS, ids=topic_ids(TOPICS))
def test_samples_follow_the_interaction_model_rules(topic: Topic) -> None:
    assert 6 <= len(topic.samples) <= 15
    for sample in topic.samples:
        assert re.fullmatch(r"[a-z' .]+", sample), sample
        assert SAMPLE_RE.match(sample), sample
        assert not LAUNCH_WORDS.search(sample), sample


def test_no_sample_is_used_by_two_topics() -> None:
    owners: dict[str, str] = {}
    for topic in TOPICS:
        for sample in topic.samples:
            key = " ".join(sample.split())
            assert key not in owners, f"{sample!r} in {owners.get(key)} and {topic.id}"
            owners[key] = topic.id


def test_related_topics_and_offers_point_at_real_topics() -> None:
    for topic in TOPICS:
        assert set(topic.related) <= set(KNOWLEDGE.topics) - {topic.id}
        assert topic.offer is not None
        assert (topic.offer.topic in KNOWLEDGE.topics) or topic.offer.action == "workout"


def test_safety_topics_begin_by_saying_who_to_turn_to() -> None:
    safety = KNOWLEDGE.safety
    assert {"see_doctor", "blood_clot", "lipoedema", "emergency", "numbness", "pregnancy",
            "after_surgery", "varicose_veins", "medicine"} <= {t.id for t in safety}
    for topic in safety:
        assert topic.spoken.startswith(SAFETY_OPENINGS), topic.id


@pytest.mark.parametrize(
    ("topic_id", "opening", "then"),
    [
        ("emergency", "Call emergency services now.", ("breathlessness", "chest pain", "lungs")),
        ("pregnancy", "Please check with your midwife or doctor", ("recommended", "lying flat")),
        ("after_surgery", "Please ask your surgeon or physiotherapist", ("start gently",)),
        ("varicose_veins", "Please see a doctor", ("walking and leg exercise usually help",)),
        ("numbness", "Please see a doctor", ("passes", "one side: call emergency services")),
        ("medicine", "Please ask a pharmacist or doctor", ("doses",)),
    ],
)
def test_safety_answers_say_who_to_ask_and_what_generally_applies(
    topic_id: str, opening: str, then: tuple[str, ...]
) -> None:
    spoken = BY_ID[topic_id].spoken
    assert spoken.startswith(opening)
    for words in then:
        assert words in spoken


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_answers_lead_with_the_way_forward_not_a_refusal(topic: Topic) -> None:
    assert not re.match(r"(sadly|unfortunately|no|sorry)\b", topic.spoken, re.IGNORECASE)


def test_a_suddenly_swollen_leg_gets_urgent_care() -> None:
    spoken = BY_ID["blood_clot"].spoken.lower()
    assert spoken.startswith("please see a doctor urgently")
    for sign in ("swells", "warm", "red", "painful", "clot"):
        assert sign in spoken


def test_lipoedema_signs_are_named() -> None:
    spoken = BY_ID["lipoedema"].spoken.lower()
    signs = ("both legs", "painful", "bruises easily", "ankles", "lose weight",
             "not a fitness failure")
    for sign in signs:
        assert sign in spoken


def test_answers_follow_the_research_where_the_article_differs() -> None:
    assert "not fat" in BY_ID["sitting"].spoken  # sitting makes legs swell, not fatter
    assert "twenty to thirty minutes" in BY_ID["sitting"].spoken  # not the article's hourly break
    assert "minimum" in BY_ID["sitting"].more
    assert BY_ID["salt"].spoken.startswith("Salt affects puffiness, not fat")
    cardio = BY_ID["cardio_vs_strength"].spoken
    assert "fat loss" in cardio and "muscle" in cardio
    assert "isn't backed by good evidence" in BY_ID["loose_skin"].spoken
    assert "no good evidence" in BY_ID["creams"].spoken


def test_intents_are_unique_and_name_their_topics() -> None:
    intents = KNOWLEDGE.intents
    assert set(intents) >= {"WhyLegsStubbornIntent", "SpotReductionIntent", "BestExercisesIntent",
                            "DietIntent", "HowLongIntent", "SeeDoctorIntent"}
    assert intents["SpotReductionIntent"] == "spot_reduction"
    assert len(set(intents.values())) == len(intents)


def test_spoken_sources_join_with_and() -> None:
    said = KNOWLEDGE.spoken_sources("salt")
    assert said.count(" and ") >= 1 and "Kang" in said


# ------------------------------------------------------------ prompts


def test_every_prompt_has_text() -> None:
    prompts = load_prompts()
    values = {"sources": "x", "first": "a", "second": "b", "other": "c"}
    for name in PROMPT_NAMES:
        assert prompts[name].strip(), name
        assert prompts.pick(name, **values) == prompts[name].format(**values)


def test_disclaimer_says_not_a_substitute_for_medical_advice() -> None:
    disclaimer = load_prompts()["disclaimer"]
    assert "Leg Coach is not a substitute for professional medical advice" in disclaimer


def test_out_of_scope_says_what_leg_coach_helps_with() -> None:
    line = KNOWLEDGE.out_of_scope
    for subject in ("leg fat", "leg exercises", "guided workouts"):
        assert subject in line
    assert len(KNOWLEDGE.examples) >= 2


def test_welcome_keeps_the_conversation_going() -> None:
    for variant in load_prompts().variants["welcome"]:
        assert variant.endswith("?")


def test_pick_cycles_through_variants_and_fills_placeholders() -> None:
    prompts = load_prompts()
    count = len(prompts.variants["goodbye"])
    assert prompts.pick("goodbye", count) == prompts.pick("goodbye", 0)
    assert prompts.pick("source", sources="a study") == "That comes from a study."
    with pytest.raises(KeyError):
        prompts.pick("no_such_prompt")


# ------------------------------------------------------------ loading


def test_data_files_are_read_as_json_or_toml_by_name() -> None:
    from skill.core.content import read_data

    assert isinstance(read_data("core/prompts.toml")["prompts"], dict)
    assert isinstance(read_data("questions/topics.toml")["topic"], list)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.json", None, "missing.json: not found in the skill package"),
        ("broken.json", '{"prompts": [}', "broken.json: not valid JSON"),
        ("list.json", "[1, 2]", "list.json: needs a JSON object at the top"),
        ("broken.toml", "a = = 1", "broken.toml: not valid TOML"),
    ],
)
def test_unreadable_data_files_raise_knowledge_errors(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, name: str, text: str | None, message: str
) -> None:
    import skill.core.content

    if text is not None:
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(skill.core.content, "_ROOT", str(tmp_path))
    with pytest.raises(KnowledgeError, match=message):
        skill.core.content.read_data(name)


def test_knowledge_is_loaded_once_and_frozen() -> None:
    assert load_knowledge() is load_knowledge()
    with pytest.raises(dataclasses.FrozenInstanceError):
        TOPICS[0].spoken = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        KNOWLEDGE.topics["new"] = TOPICS[0]  # type: ignore[index]


def test_get_returns_none_for_an_unknown_id_and_indexing_raises() -> None:
    assert KNOWLEDGE.get("nope") is None
    assert KNOWLEDGE["salt"].id == "salt"
    with pytest.raises(KeyError, match="nope"):
        KNOWLEDGE["nope"]


def minimal() -> tuple[dict[str, Any], dict[str, Any]]:
    """Small valid topic and prompt data to break in the tests below."""
    topic: dict[str, Any] = {
        "id": "a", "title": "A", "spoken": "Short.", "more": "Longer.", "card": "Card.",
        "sources": ["s"], "samples": ["what about a"], "related": ["b"],
        "offer": {"text": "More?", "topic": "b"},
    }
    other = dict(topic, id="b", samples=["what about b"], related=["a"])
    sources = {"s": {"citation": "Someone 2020, Journal"}}
    topics: dict[str, Any] = {"source": sources, "topic": [topic, other]}
    texts: dict[str, Any] = {name: [f"{name} text"] for name in PROMPT_NAMES}
    texts["source"] = ["From {sources}."]
    return topics, {"examples": ["one", "two"], "prompts": texts}


def test_minimal_data_loads() -> None:
    knowledge = parse_knowledge(*minimal())
    assert isinstance(knowledge, Knowledge)
    assert knowledge["a"].sources[0].spoken == "Someone 2020"


def broken(change: str) -> tuple[dict[str, Any], dict[str, Any]]:
    topics, prompts = copy.deepcopy(minimal())
    first = topics["topic"][0]
    if change == "unknown related":
        first["related"] = ["zzz"]
    elif change == "missing spoken":
        del first["spoken"]
    elif change == "digit in sample":
        first["samples"] = ["is 3 enough"]
    elif change == "shared sample":
        first["samples"] = ["what about b"]
    elif change == "phrasing that is another topic's sample":
        topics["topic"][1]["phrasings"] = ["what about a"]
    elif change == "digit in phrasing":
        first["phrasings"] = ["is 3 enough"]
    elif change == "unknown source":
        first["sources"] = ["nobody"]
    elif change == "unsafe safety topic":
        first["safety"] = True
    elif change == "offer to nowhere":
        first["offer"] = {"text": "More?", "topic": "zzz"}
    elif change == "offer with two targets":
        first["offer"] = {"text": "More?", "topic": "b", "action": "workout"}
    elif change == "misspelt field":
        first["sammples"] = first.pop("samples")
    elif change == "missing prompt":
        del prompts["prompts"]["help"]
    elif change == "unknown placeholder":
        prompts["prompts"]["goodbye"] = ["Bye {name}."]
    return topics, prompts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unknown related", "topic 'a': field 'related': unknown topic 'zzz'"),
        ("missing spoken", "topic 'a': field 'spoken': missing or empty"),
        ("digit in sample", "topic 'a': field 'samples'"),
        ("shared sample", "topic 'b': field 'samples': 'what about b' is also a sample of 'a'"),
        ("phrasing that is another topic's sample",
         "topic 'b': field 'phrasings': 'what about a' is also a sample of 'a'"),
        ("digit in phrasing", "topic 'a': field 'phrasings'"),
        ("unknown source", "topic 'a': field 'sources': unknown source 'nobody'"),
        ("unsafe safety topic", "topic 'a': field 'spoken': a safety answer must begin"),
        ("offer to nowhere", "topic 'a': field 'offer': unknown topic 'zzz'"),
        ("offer with two targets", "topic 'a': field 'offer': give either topic or action"),
        ("misspelt field", "topic 'a': unknown field 'sammples'"),
        ("missing prompt", "prompt 'help': missing"),
        ("unknown placeholder", "prompt 'goodbye': unknown placeholder 'name'"),
    ],
)
def test_bad_data_is_rejected_with_a_clear_message(change: str, message: str) -> None:
    with pytest.raises(KnowledgeError) as error:
        parse_knowledge(*broken(change))
    assert message in str(error.value)
