"""The skill's behaviour, request by request, through the real skill and a real SQLite store."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import envelopes as E
from skill.core.visits import Visits
from skill.core.coach import IntentHandler
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter
from skill.builder import HANDLERS, build_skill
from speech.ssml import check_ssml

DISCLAIMER = "medical advice"
QUESTION = "why won't my legs slim down"
INJECTION = '</speak><audio src="http://evil/x.mp3"/>'


@pytest.fixture
def store(tmp_path: Path) -> SQLiteAdapter:
    return SQLiteAdapter(tmp_path / "skill.db")


@pytest.fixture
def skill(store: SQLiteAdapter) -> Any:
    return build_skill(store)


def speech(response: dict[str, Any]) -> str:
    return str(response["response"]["outputSpeech"]["ssml"])


def words(response: dict[str, Any]) -> str:
    return "".join(ET.fromstring(speech(response)).itertext())


def is_open(response: dict[str, Any]) -> bool:
    return response["response"].get("shouldEndSession") is False


def assert_open_with_reprompt(response: dict[str, Any]) -> None:
    assert is_open(response), response
    assert response["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


def assert_valid_ssml(response: dict[str, Any]) -> None:
    body = response["response"]
    for ssml in (body.get("outputSpeech", {}).get("ssml"),
                 body.get("reprompt", {}).get("outputSpeech", {}).get("ssml")):
        if ssml is not None:
            assert check_ssml(ssml) == []


def session_of(skill: Any, *requests: dict[str, Any]) -> list[dict[str, Any]]:
    """Send requests in one session, carrying attributes like Alexa does."""
    responses: list[dict[str, Any]] = []
    for request in requests:
        if responses:
            request = E.follow(responses[-1], request)
        responses.append(invoke(skill, request))
    return responses


def topic_with(knowledge: Any, field: str) -> Any:
    return next(t for t in knowledge.topics.values() if getattr(t, field, None))


# --- launch and first visit ----------------------------------------------


def test_launch_welcomes_and_keeps_session_open(skill: Any) -> None:
    response = invoke(skill, E.launch())
    assert_open_with_reprompt(response)
    assert_valid_ssml(response)


def test_first_launch_says_medical_disclaimer_only_once(skill: Any) -> None:
    first = invoke(skill, E.launch())
    second = invoke(skill, E.launch())
    assert DISCLAIMER in words(first)
    assert DISCLAIMER not in words(second)


def test_first_visit_is_remembered_by_the_store_across_restarts(store: SQLiteAdapter) -> None:
    invoke(build_skill(store), E.launch())
    again = invoke(build_skill(SQLiteAdapter(store.path)), E.launch())
    assert DISCLAIMER not in words(again)


def test_first_visit_flag_keeps_other_stored_attributes(skill: Any, store: SQLiteAdapter) -> None:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    envelope = DefaultSerializer().deserialize(json.dumps(E.launch()), RequestEnvelope)
    store.save_attributes(envelope, {"workout": {"block": 3}})
    invoke(skill, E.launch())
    assert store.get_attributes(envelope) == {"workout": {"block": 3}, "seen": True}


def test_disclaimer_is_per_user(skill: Any) -> None:
    invoke(skill, E.launch())
    other = invoke(skill, E.launch(user_id="amzn1.ask.account.SOMEONEELSE"))
    assert DISCLAIMER in words(other)


# --- questions -------------------------------------------------------------


def test_one_shot_question_answers_and_ends_session(skill: Any) -> None:
    invoke(skill, E.launch())  # not a first visit any more
    response = invoke(skill, E.question(QUESTION, new=True))
    assert response["response"]["shouldEndSession"] is True
    assert "reprompt" not in response["response"]
    assert "Source:" in response["response"]["card"]["content"]


def test_first_ever_one_shot_question_also_carries_the_disclaimer(skill: Any) -> None:
    response = invoke(skill, E.question(QUESTION, new=True))
    assert DISCLAIMER in words(response)
    assert response["response"]["shouldEndSession"] is True


def test_question_in_session_answers_with_card_and_offers_more(skill: Any) -> None:
    _, answer = session_of(skill, E.launch(), E.question(QUESTION))
    assert_open_with_reprompt(answer)
    card = answer["response"]["card"]
    assert card["type"] == "Simple" and "Source:" in card["content"]
    assert answer["sessionAttributes"]["topic"]
    assert answer["sessionAttributes"]["offer"]


def test_each_topic_intent_answers_its_own_topic(skill: Any) -> None:
    from skill.questions.knowledge import load_knowledge

    topics: list[Any] = [t for t in load_knowledge().topics.values() if t.intent]
    assert topics, "the content defines no topic intents"
    for topic in topics:
        _, answer = session_of(skill, E.launch(), E.intent(topic.intent))
        assert answer["sessionAttributes"]["topic"] == topic.id
        assert_open_with_reprompt(answer)


def test_out_of_scope_question_says_what_coach_can_do_with_examples(skill: Any) -> None:
    from skill.questions.knowledge import load_knowledge

    _, answer = session_of(skill, E.launch(), E.question("what is the capital of peru"))
    assert_open_with_reprompt(answer)
    assert load_knowledge().examples[0].lower().rstrip("?") in words(answer).lower()
    assert "topic" not in answer["sessionAttributes"]


@pytest.mark.parametrize("request_", [E.question(None), E.question("   "), E.intent("QuestionIntent")],
                         ids=["no value", "blank", "no slots"])
def test_empty_question_asks_for_one(skill: Any, request_: dict[str, Any]) -> None:
    _, answer = session_of(skill, E.launch(), request_)
    assert_open_with_reprompt(answer)
    assert "topic" not in answer["sessionAttributes"]


def test_query_slot_cannot_inject_ssml(skill: Any) -> None:
    for text in (INJECTION, f"why won't my legs slim down {INJECTION}", "<b>&amp;</b>"):
        response = invoke(skill, E.question(text, new=True))
        root = ET.fromstring(speech(response))  # well-formed: one <speak> root
        assert root.tag == "speak"
        assert list(root.iter("audio")) == []
        assert "evil" not in speech(response)
        assert_valid_ssml(response)


# --- follow-ups -----------------------------------------------------------


def test_tell_me_more_continues_the_last_topic(skill: Any) -> None:
    from skill.questions.knowledge import load_knowledge

    topic: Any = topic_with(load_knowledge(), "more")
    _, _, more = session_of(skill, E.launch(), E.intent(topic.intent or "QuestionIntent"),
                            E.intent("MoreIntent"))
    assert_open_with_reprompt(more)
    assert more["sessionAttributes"]["topic"] == topic.id
    assert more["sessionAttributes"]["stage"] == "more"
    assert more["sessionAttributes"]["offer"] == "source"


def test_yes_to_a_topic_offer_answers_the_offered_topic(skill: Any) -> None:
    from skill.questions.knowledge import load_knowledge

    topic: Any = next(t for t in load_knowledge().topics.values()
                      if t.intent and t.offer is not None and t.offer.topic)
    _, answer, yes = session_of(skill, E.launch(), E.intent(topic.intent),
                                E.intent("AMAZON.YesIntent"))
    assert answer["sessionAttributes"]["offer"] == f"topic:{topic.offer.topic}"
    assert topic.offer.text in words(answer)
    assert yes["sessionAttributes"]["topic"] == topic.offer.topic
    assert_open_with_reprompt(yes)


def test_yes_to_more_tells_more(skill: Any) -> None:
    *_, more, yes = session_of(skill, E.launch(), E.question(QUESTION), E.intent("MoreIntent"),
                               E.intent("AMAZON.YesIntent"))
    assert more["sessionAttributes"]["offer"] == "source"
    assert yes["sessionAttributes"]["stage"] == "source"
    assert "Source:" in yes["response"]["card"]["content"]


def test_no_to_an_offer_asks_what_else_then_no_again_ends(skill: Any) -> None:
    *_, no, again = session_of(skill, E.launch(), E.question(QUESTION),
                               E.intent("AMAZON.NoIntent"), E.intent("AMAZON.NoIntent"))
    assert_open_with_reprompt(no)
    assert "offer" not in no["sessionAttributes"]
    assert again["response"]["shouldEndSession"] is True


def test_offers_of_features_not_installed_are_not_made() -> None:
    from skill.core.coach import Offer
    from skill.questions.handlers import topic_offer
    from skill.questions.knowledge import load_knowledge
    from skill.builder import make_coach

    coach = make_coach(adapter=None)
    topic: Any = next(t for t in load_knowledge().topics.values()
                      if t.offer is not None and t.offer.action == "workout")
    assert topic_offer(coach, topic)[0] == "more"
    nothing: Any = lambda hi: None  # noqa: E731
    coach.offers["workout"] = Offer(yes=nothing, no=nothing)
    name, question = topic_offer(coach, topic)
    assert name == "workout" and question.text == topic.offer.text


def test_no_to_anything_else_says_goodbye_and_ends(skill: Any) -> None:
    *_, source, no = session_of(skill, E.launch(), E.question(QUESTION), E.intent("SourceIntent"),
                                E.intent("AMAZON.NoIntent"))
    assert source["sessionAttributes"]["offer"] == "another"
    assert no["response"]["shouldEndSession"] is True


def test_yes_to_anything_else_invites_the_next_question(skill: Any) -> None:
    *_, yes = session_of(skill, E.launch(), E.question(QUESTION), E.intent("SourceIntent"),
                         E.intent("AMAZON.YesIntent"))
    assert_open_with_reprompt(yes)
    assert "offer" not in yes["sessionAttributes"]


def test_where_is_that_from_names_sources_briefly_and_fully_on_card(skill: Any) -> None:
    *_, source = session_of(skill, E.launch(), E.question(QUESTION), E.intent("SourceIntent"))
    assert_open_with_reprompt(source)
    assert "Source:" in source["response"]["card"]["content"]
    assert len(words(source)) < 400


def test_follow_ups_before_any_answer_give_a_way_forward(skill: Any) -> None:
    for name in ("MoreIntent", "SourceIntent", "AMAZON.RepeatIntent"):
        _, response = session_of(skill, E.launch(), E.intent(name))
        assert_open_with_reprompt(response)


def test_what_about_diet_switches_topic(skill: Any) -> None:
    _, first, second = session_of(skill, E.launch(), E.question(QUESTION),
                                  E.question("diet"))
    assert first["sessionAttributes"]["topic"] != second["sessionAttributes"].get("topic")


def test_repeat_says_the_last_response_again_word_for_word(skill: Any) -> None:
    _, answer, repeat = session_of(skill, E.launch(), E.question(QUESTION),
                                   E.intent("AMAZON.RepeatIntent"))
    assert speech(repeat) == speech(answer)
    assert_open_with_reprompt(repeat)
    assert repeat["sessionAttributes"]["offer"] == answer["sessionAttributes"]["offer"]


# --- built-ins --------------------------------------------------------------


@pytest.mark.parametrize("name", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent",
                                  "AMAZON.NavigateHomeIntent"])
def test_help_fallback_and_home_keep_the_session_open(skill: Any, name: str) -> None:
    _, _, response = session_of(skill, E.launch(), E.question(QUESTION), E.intent(name))
    assert_open_with_reprompt(response)
    assert_valid_ssml(response)


def test_navigate_home_forgets_the_topic(skill: Any) -> None:
    *_, home = session_of(skill, E.launch(), E.question(QUESTION),
                          E.intent("AMAZON.NavigateHomeIntent"))
    assert "topic" not in home["sessionAttributes"]


@pytest.mark.parametrize("name", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_say_goodbye_and_end(skill: Any, name: str) -> None:
    _, response = session_of(skill, E.launch(), E.intent(name))
    assert response["response"]["shouldEndSession"] is True
    assert words(response).strip()


@pytest.mark.parametrize("reason,error", [
    ("USER_INITIATED", None),
    ("EXCEEDED_MAX_REPROMPTS", None),
    ("ERROR", {"type": "INVALID_RESPONSE", "message": "bad"}),
])
def test_session_ended_gets_an_empty_response_and_is_logged(
    skill: Any, reason: str, error: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="skill.handlers")
    response = invoke(skill, E.session_ended(reason, error=error))
    assert response["response"] == {}
    assert reason in caplog.text
    if error is not None:
        assert "INVALID_RESPONSE" in caplog.text


def test_unknown_intent_gets_the_fallback_way_forward(skill: Any) -> None:
    response = invoke(skill, E.intent("SomeNewIntent"))
    assert_open_with_reprompt(response)


def test_unknown_fields_in_envelope_are_tolerated(skill: Any) -> None:
    request = E.launch()
    request["brandNewField"] = {"x": 1}
    request["request"]["shinyNewThing"] = True
    request["context"]["System"]["somethingElse"] = "y"
    request["context"]["NewInterface"] = {"a": [1, 2]}
    assert_open_with_reprompt(invoke(skill, request))


# --- failures -----------------------------------------------------------------


class BrokenStore(SQLiteAdapter):
    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        raise OSError("disk on fire")

    def update_attributes(self, request_envelope: Any, fn: Any) -> dict[str, Any]:
        raise OSError("disk on fire")


def test_a_failing_store_gets_a_spoken_apology_with_a_way_forward(tmp_path: Path) -> None:
    skill = build_skill(BrokenStore(tmp_path / "broken.db"))
    response = invoke(skill, E.launch())
    assert_open_with_reprompt(response)
    assert "card" not in response["response"]


class ExplodingHelp(IntentHandler):
    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: Any) -> Any:
        handler_input.response_builder.speak("half built")
        raise RuntimeError("boom")


def test_catch_all_handler_answers_when_a_handler_raises(store: SQLiteAdapter) -> None:
    skill = build_skill(store, handlers=(ExplodingHelp, *HANDLERS))
    response = invoke(skill, E.intent("AMAZON.HelpIntent"))
    assert_open_with_reprompt(response)
    assert "half built" not in speech(response)


def test_every_open_response_in_a_long_conversation_has_a_reprompt(skill: Any) -> None:
    script = [E.launch(), E.question(QUESTION), E.intent("MoreIntent"), E.intent("SourceIntent"),
              E.intent("AMAZON.RepeatIntent"), E.intent("AMAZON.YesIntent"),
              E.question("what is the capital of peru"), E.intent("AMAZON.HelpIntent"),
              E.intent("AMAZON.FallbackIntent"), E.intent("AMAZON.NoIntent"),
              E.intent("AMAZON.NoIntent"), E.intent("AMAZON.StopIntent")]
    for response in session_of(skill, *script):
        assert_valid_ssml(response)
        if response["response"].get("shouldEndSession") is not True:
            assert_open_with_reprompt(response)


def test_visits_without_an_update_method_use_get_and_save() -> None:
    class Plain:
        def __init__(self) -> None:
            self.saved: dict[str, Any] = {}

        def get_attributes(self, envelope: Any) -> dict[str, Any]:
            return dict(self.saved)

        def save_attributes(self, envelope: Any, attributes: dict[str, Any]) -> None:
            self.saved = dict(attributes)

    class Input:
        request_envelope = None

    visits = Visits(Plain())
    assert visits.first_visit(Input()) is True  # type: ignore[arg-type]
    assert visits.first_visit(Input()) is False  # type: ignore[arg-type]


def test_exception_encountered_is_logged_and_gets_no_speech(skill: Any,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    request = E.envelope({"type": "System.ExceptionEncountered",
                          "error": {"type": "INVALID_RESPONSE", "message": "bad ssml"},
                          "cause": {"requestId": "amzn1.echo-api.request.1"}}, new=False)
    response = invoke(skill, request)
    assert response["response"] == {}
    assert "bad ssml" in caplog.text
