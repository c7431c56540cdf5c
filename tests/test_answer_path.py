"""One answer path: `python -m skill ask`, the console and the Alexa endpoint
give the same answer to the same question, in every process.

Alexa hears words without punctuation and fills the question intents' slot
after their carrier phrase ("how ...", "why ..."); the console resolves typed
lines the same way (skill.devtools.nlu, from the model). Every labelled
question goes through all three; only equality is asserted, so no held-out
answer is ever shown.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import envelopes as E
import labelled
from skill import cli
from skill.builder import build_skill, interaction_model, make_coach
from skill.devtools import launcher
from skill.devtools.keyboard import PipedKeyboard
from skill.devtools.nlu import LocalNLU
from skill.endpoint.lambda_function import invoke
from skill.questions.handlers import answer_text
from skill.questions.intents import QUESTION_INTENT, WHY_QUESTION_INTENT
from skill.questions.knowledge import load_knowledge
from skill.store.sqlite import SQLiteAdapter
from speech.text import to_text

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = load_knowledge()
NLU = LocalNLU(interaction_model(KNOWLEDGE))
ALL_QUESTIONS = sorted({q.text for q in (*labelled.training(), *labelled.heldout())})
#: The ones the model sends to a question or topic intent (a few, like "how do
#: I do a squat", go to the workout's form cues, a different answer by design).
QUESTION_INTENTS = {QUESTION_INTENT, WHY_QUESTION_INTENT, *KNOWLEDGE.intents}
QUESTIONS = [t for t in ALL_QUESTIONS if NLU.resolve(t)[0] in QUESTION_INTENTS]


def plain(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


@pytest.fixture(scope="module")
def skill(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_skill(SQLiteAdapter(tmp_path_factory.mktemp("path") / "skill.db"))


@pytest.fixture(scope="module")
def nlu() -> LocalNLU:
    return NLU


def heard(skill: Any, nlu: LocalNLU, text: str, *, new: bool) -> str:
    """What Alexa says when it hears ``text`` (resolved as the model resolves it)."""
    name, slots = nlu.resolve(text)
    response = invoke(skill, E.intent(name, slots or None, new=new))
    ssml = response["response"]["outputSpeech"]["ssml"]
    return plain("".join(ET.fromstring(ssml).itertext()))


def test_ask_and_a_one_shot_alexa_question_say_the_same(skill: Any, nlu: LocalNLU) -> None:
    coach = make_coach(adapter=None)
    heard(skill, nlu, "why won't my legs slim down", new=True)  # the first-visit notice, once
    differ = [text for text in QUESTIONS
              if heard(skill, nlu, text, new=True)
              != plain(to_text(answer_text(coach, text, one_shot=True).reply.speech))]
    assert differ == [], f"{len(differ)} questions answered differently"


def test_the_console_says_what_alexa_says_in_a_session(skill: Any, nlu: LocalNLU) -> None:
    texts = ["how do I lose belly fat?", "No lunges please, what else works my thighs?",
             "my leg is swollen and I'm short of breath", "will squats make my legs bulky"]
    typed = PipedKeyboard(io.StringIO("".join(f"{line}\n" for line in [*texts, "stop"])))
    out = io.StringIO()
    assert launcher.chat(None, mute=True, keyboard=typed, out=out, fast=True) == 0
    said = [plain(line.split("coach> ", 1)[1]) for line in out.getvalue().splitlines()
            if "coach> " in line]
    # said[0] is the welcome; then one answer per question, in order.
    assert said[1:1 + len(texts)] == [heard(skill, nlu, t, new=False) for t in texts]


def test_the_ask_command_prints_what_alexa_says(skill: Any, nlu: LocalNLU,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("how do I lose belly fat?", "No lunges please, what else works my thighs?",
                 "I'm not ill or hurt, I just want thinner calves",
                 "protein or cutting sugar, which helps more"):
        assert cli.main(["ask", text]) == 0
        assert plain(capsys.readouterr().out) == heard(skill, nlu, text, new=True)


_DIGEST = """
import hashlib, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
import labelled
from skill.questions.matcher import Matcher
from skill.questions.knowledge import load_knowledge
m = Matcher(load_knowledge())
texts = sorted({q.text for q in (*labelled.training(), *labelled.heldout())})
print(hashlib.sha256(repr([m.match(t) for t in texts]).encode()).hexdigest())
"""


def test_every_question_gets_the_same_answer_under_any_hash_seed() -> None:
    digests = set()
    for seed in ("0", "1", "42", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _DIGEST, str(ROOT)], env=env, check=True,
                              capture_output=True, text=True, timeout=120)
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_every_safety_question_the_model_hears_as_a_workout_gets_a_doctor_answer(
        tmp_path: Path, nlu: LocalNLU) -> None:
    # The labelled questions the model sends to a workout intent, held-out ones never
    # read: Alexa sends only that intent and its slots, and the skill answers from them.
    skill = build_skill(SQLiteAdapter(tmp_path / "skill.db"))
    safety = {t.id for t in KNOWLEDGE.safety}
    wrong = []
    for q in labelled.training():
        name, slots = nlu.resolve(q.text)
        if name in QUESTION_INTENTS:
            continue
        response = invoke(skill, E.intent(name, slots or None, new=False))
        doctor = (response.get("sessionAttributes") or {}).get("topic") in safety
        if doctor != (q.kind == "safety"):
            wrong.append(q.text)
    assert wrong == []


def test_nearly_every_labelled_question_reaches_a_question_intent() -> None:
    assert len(QUESTIONS) >= 0.95 * len(ALL_QUESTIONS) and len(QUESTIONS) >= 600
