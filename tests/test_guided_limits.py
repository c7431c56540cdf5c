"""Every guided turn fits what Alexa allows, and keeps the plan's cues and tempo."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from skill.builder import interaction_model
from skill.devtools.chat import narration_from_ssml
from skill.questions.knowledge import load_knowledge
from skill.workout.guide import Guide, guide_for, turn_seconds_from_env
from skill.workout.plan_spec import LEVELS, PlanSpec
from skill.workout.turns import FINISH_RESERVE, Piece, pieces_for
from skill.workout.flow import ago, reprompt_for, turn_words, words
from skill.workout.intents import exercise_values, level_named, parse_number
from skill.workout.progress import Progress, Saved, week_count
from skill.workout.telling import weekly_line
from speech.model import Narration, Say
from speech.ssml import check_ssml, to_ssml
from timer.compiler import Cue, compile_plan
from timer.exercises import load_exercises
from timer.history import History
from timer.plans import builtin_plans, load_plan, loads_plan

#: The longest things said before a piece: a first visit's notice plus the
#: first-time note, and a resume greeting.
PREFIXES = (
    Narration.of(load_knowledge().prompts.pick("disclaimer"), words("first_workout")),
    Narration.of("You stopped eleven months ago at glute bridges, set three of three. Let's pick up there."),
)
LONGEST_WEEKLY = max((Narration.of(weekly_line(n, 3)) for n in range(30)),
                     key=lambda n: n.estimated_seconds())


def specs() -> list[PlanSpec]:
    out = [PlanSpec(level) for level in LEVELS]
    out += [PlanSpec(level, minutes) for level in LEVELS for minutes in (2, 5, 10, 15, 20, 30, 45, 60)]
    out += [PlanSpec(level, None, ex) for level in LEVELS for ex in load_exercises()]
    return out


def problems(speech: Narration, limit: float) -> list[str]:
    return check_ssml(to_ssml(speech), max_seconds=limit, seconds=speech.estimated_seconds())


def check_guide(guide: Guide) -> None:
    limit = guide.limit
    for piece in guide.pieces:
        final = piece.question is None
        speech = piece.narration + (LONGEST_WEEKLY if final else piece.question or Narration())
        assert problems(speech, limit) == [], (guide.plan.name, piece.index)
        if final:
            assert LONGEST_WEEKLY.estimated_seconds() <= FINISH_RESERVE
        else:
            assert problems(reprompt_for(piece.question or Narration()), limit) == []
        for prefix in PREFIXES:
            composed = guide.compose(prefix, piece.index)
            fallback = prefix + guide.ask(piece.index)
            assert problems(composed if composed is not None else fallback, limit) == []


@pytest.mark.parametrize("name", builtin_plans())
@pytest.mark.parametrize("sounds", [True, False], ids=["sounds", "no-sounds"])
def test_every_turn_of_every_builtin_plan_fits_alexa(name: str, sounds: bool) -> None:
    timeline = compile_plan(load_plan(name))
    pieces = pieces_for(timeline, turn_words(), 90.0, sounds)
    for piece in pieces:
        tail = piece.question.estimated_seconds() if piece.question else FINISH_RESERVE
        assert piece.seconds + tail <= 90.0
        speech = piece.narration + (piece.question or LONGEST_WEEKLY)
        assert problems(speech, 90.0) == []
        assert sounds or "<audio" not in to_ssml(speech)


@pytest.mark.parametrize("spec", specs(), ids=lambda s: "-".join(str(v) for v in s.to_json().values()))
def test_every_turn_of_levels_minutes_and_single_exercise_plans_fits_alexa(spec: PlanSpec) -> None:
    check_guide(guide_for(spec, turn_words()))


@pytest.mark.parametrize("limit", [45.0, 60.0, 240.0])
def test_a_different_turn_limit_is_kept(limit: float) -> None:
    for level in LEVELS:
        guide = guide_for(PlanSpec(level), turn_words(), limit)
        check_guide(guide)
    advanced = PlanSpec("advanced")
    assert len(guide_for(advanced, turn_words(), 45.0).pieces) > len(guide_for(advanced, turn_words(), 90.0).pieces)


def test_turn_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert turn_seconds_from_env() == 90.0
    monkeypatch.setenv("LEGCOACH_TURN_SECONDS", "60")
    assert turn_seconds_from_env() == 60.0
    for bad in ("soon", "10", "900"):
        monkeypatch.setenv("LEGCOACH_TURN_SECONDS", bad)
        with pytest.raises(ValueError, match="LEGCOACH_TURN_SECONDS"):
            turn_seconds_from_env()


@pytest.mark.parametrize("level", LEVELS)
def test_pieces_tile_the_timeline_and_carry_every_cue_once(level: str) -> None:
    guide = guide_for(PlanSpec(level), turn_words())
    pieces, timeline = guide.pieces, guide.timeline
    assert pieces[0].start == 0 and pieces[-1].end == pytest.approx(timeline.length)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:], strict=False))
    assert [p.group for p in pieces] == sorted(p.group for p in pieces)
    spoken = [part for p in pieces for part in p.narration.parts if isinstance(part, Say)]
    expected = [part for c in timeline.cues for part in c.narration.parts if isinstance(part, Say)]
    leads = [part for part in spoken if part not in expected]
    assert [part for part in spoken if part in expected] == expected
    assert all(p.text.startswith(("Keep going", "Still resting, ")) for p in leads)


def say_starts(ssml: str) -> list[tuple[float, str]]:
    """(time, words) of each run of words in SSML as a speaker plays it."""
    at, out = 0.0, []
    for part in narration_from_ssml(ssml).parts:
        if isinstance(part, Say):
            out.append((at, part.text.strip()))
        at += Narration((part,)).estimated_seconds()
    return out


def cue_starts(piece: Piece, cues: list[Cue]) -> list[float]:
    """When each cue starts within the piece's narration, as a speaker plays it."""
    parts, at, i, out = piece.narration.parts, 0.0, 0, []
    for cue in cues:
        while parts[i] != cue.narration.parts[0]:
            at, i = at + Narration((parts[i],)).estimated_seconds(), i + 1
        out.append(at)
        at, i = at + cue.narration.estimated_seconds(), i + len(cue.narration.parts)
    return out


@pytest.mark.parametrize(("level", "tempo"), [("beginner", 3.0), ("advanced", 5.0)])
def test_rep_counts_keep_the_plans_tempo_on_the_speaker(level: str, tempo: float) -> None:
    guide = guide_for(PlanSpec(level), turn_words())
    piece = next(p for p in guide.pieces if "Squats. Set 1 of" in p.narration.text)
    reps = [at for at, words in say_starts(to_ssml(piece.narration)) if words in ("Four.", "Five.", "Six.")]
    assert [round(b - a, 2) for a, b in zip(reps, reps[1:], strict=False)] == [tempo] * 2


@pytest.mark.parametrize("level", LEVELS)
def test_every_cue_is_spoken_at_its_planned_offset_within_its_turn(level: str) -> None:
    guide = guide_for(PlanSpec(level), turn_words())
    for piece in guide.pieces:
        cues = [c for c in guide.timeline.cues if piece.start - 1e-6 <= c.offset < piece.end - 1e-6]
        starts = cue_starts(piece, cues)
        planned = [c.offset - piece.start for c in cues]
        if piece.lead == 0:
            assert starts == pytest.approx(planned, abs=0.002)
        assert piece.seconds == pytest.approx(piece.end - piece.start + piece.lead, abs=0.01) or \
            piece.seconds > piece.end - piece.start


LONG = """
name = "long-holds"
title = "Long holds"
rest_between_sets = 120
[[exercises]]
exercise = "wall-sit"
sets = 2
seconds = 600
[[exercises]]
exercise = "squat"
sets = 1
reps = 100
tempo = { down = 10, hold = 0, up = 10 }
"""


def test_long_holds_and_rests_are_split_with_continuations() -> None:
    timeline = compile_plan(loads_plan(LONG))
    pieces = pieces_for(timeline, turn_words(), 90.0)
    texts = [p.narration.text for p in pieces]
    assert len(pieces) > timeline.length / 90
    assert any(t.startswith("Keep going, nine minutes left.") for t in texts)
    assert any(t.startswith("Keep going, ") and " seconds left." in t for t in texts)
    assert any(t.startswith("Still resting, ") for t in texts)
    for piece in pieces:
        assert problems(piece.narration + (piece.question or LONGEST_WEEKLY), 90.0) == []
    asks = {p.question.text for p in pieces if p.question is not None}
    assert "Say next to keep going." in asks and "Say next for the rest of your break." in asks


def test_turns_say_the_words_they_are_given() -> None:
    said = replace(turn_words(), still_resting="Resting, {left}.", ready_for="Set up for {where}?",
                   seconds_left="{number} seconds to go")
    pieces = pieces_for(compile_plan(loads_plan(LONG)), said, 90.0)
    texts = [p.narration.text for p in pieces]
    asks = {p.question.text for p in pieces if p.question is not None}
    assert any(t.startswith("Resting, ") for t in texts)
    assert not any(t.startswith("Still resting, ") for t in texts)
    assert any(t.startswith("Keep going, ") and " seconds to go." in t for t in texts)
    assert "Set up for wall sit, set two of two?" in asks


# -- where to carry on ------------------------------------------------------------------

def test_resume_index_redoes_an_unheard_set_and_keeps_a_heard_one() -> None:
    guide = guide_for(PlanSpec("beginner"), turn_words())
    squats = next(p for p in guide.pieces if "Squats. Set 2 of 2." in p.narration.text)
    set_block = guide.timeline.block_at(squats.start)
    assert guide.resume_index(squats.index, 0.0) == squats.index
    assert guide.resume_index(squats.index, set_block.duration / 2) == squats.index
    assert guide.resume_index(squats.index, set_block.duration + 1) == squats.index + 1  # in the rest
    assert guide.resume_index(squats.index, squats.seconds + 30) == squats.index + 1


def test_progress_round_trips_through_json_and_rejects_garbage() -> None:
    guide = guide_for(PlanSpec("intermediate", 20), turn_words())
    now = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)
    progress = Progress(guide.spec, guide.digest, 3, now, now, "paused", 2, now, 4.5, False, "squats")
    saved = Saved(progress, "intermediate", (now,))
    attributes = saved.into({"seen": True})
    assert attributes["seen"] is True and Saved.from_attributes(attributes) == saved
    for garbage in (None, "x", {"plan": {"level": "olympic"}}, {**progress.to_json(), "next": "3"}):
        assert Progress.from_json(garbage) is None


def test_week_count_matches_the_timer_history(tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")
    now = datetime(2026, 3, 5, 18, tzinfo=timezone.utc).astimezone()  # a Thursday
    stamps = [now - timedelta(days=d, hours=h) for d, h in ((0, 1), (2, 0), (3, 5), (4, 0), (9, 0))]
    for stamp in stamps:
        history.finish(history.start("beginner", user="u", now=stamp), now=stamp)
    assert week_count(stamps, now) == history.week_count(now, "u")
    assert week_count(stamps, now + timedelta(days=7)) == history.week_count(now + timedelta(days=7), "u")


@pytest.mark.parametrize(("delta", "said"), [
    (timedelta(seconds=30), "a moment ago"), (timedelta(minutes=20), "twenty minutes ago"),
    (timedelta(hours=1, minutes=5), "an hour ago"), (timedelta(hours=5), "five hours ago"),
    (timedelta(days=1, hours=2), "yesterday"), (timedelta(days=2), "two days ago"),
    (timedelta(days=21), "three weeks ago"), (timedelta(days=100), "three months ago"),
])
def test_time_ago_is_said_in_words(delta: timedelta, said: str) -> None:
    assert ago(delta) == said


# -- the interaction model -------------------------------------------------------------

def test_the_model_has_workout_intents_slot_types_and_builtins() -> None:
    language = interaction_model(load_knowledge())["interactionModel"]["languageModel"]
    intents = {i["name"]: i for i in language["intents"]}
    types = {t["name"]: t for t in language["types"]}
    for name in ("AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "StartWorkoutIntent",
                 "WorkoutNextIntent", "WorkoutResumeIntent", "WeeklyProgressIntent", "WorkoutFormIntent"):
        assert name in intents
    slots = {s["name"]: s["type"] for s in intents["StartWorkoutIntent"]["slots"]}
    assert slots == {"level": "LEVEL", "minutes": "AMAZON.NUMBER", "exercise": "EXERCISE"}
    assert {v["id"] for v in types["LEVEL"]["values"]} == set(LEVELS)
    assert {v["id"] for v in types["EXERCISE"]["values"]} == set(load_exercises())
    assert "start a workout" in intents["StartWorkoutIntent"]["samples"]


def test_slot_words_are_understood() -> None:
    assert [parse_number(w) for w in ("10", "ten", "twenty five", "twenty-five", "lots", None)] == \
        [10, 10, 25, 25, None, None]
    assert [level_named(w) for w in ("Easy", "medium", "advanced", "olympic", None)] == \
        ["beginner", "intermediate", "advanced", None, None]
    assert "glute bridge" in exercise_values()["glute-bridge"]
