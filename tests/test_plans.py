"""Exercises and plans: the built-in data, the file format and its errors."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timer import plans as plans_module
from timer.compiler import compile_plan
from timer.exercises import Tempo, find_exercise, get_exercise, load_exercises, number_words
from timer.plan_fit import plan_for_minutes
from timer.plans import (
    DEFAULT_PLAN,
    PlanError,
    builtin_plans,
    load_plan,
    load_plan_file,
    loads_plan,
    resolve_plan,
)

GOOD = """\
name = "my-legs"
title = "My leg day"

[[exercises]]
exercise = "squat"
sets = 3
reps = 12
"""


# -- exercises -------------------------------------------------------------

def test_core_exercises_have_form_cues_and_tempo() -> None:
    exercises = load_exercises()
    for ex_id in ("squat", "lunge", "glute-bridge", "calf-raise"):
        assert exercises[ex_id].kind == "reps"
        assert exercises[ex_id].tempo.seconds > 0
        assert len(exercises[ex_id].form_cues) >= 3
    for ex_id in ("wall-sit", "march", "jumping-jacks", "skipping"):
        assert exercises[ex_id].kind == "timed"
    assert exercises["lunge"].sided


def test_tempo_seconds_is_the_length_of_one_rep() -> None:
    assert Tempo(down=2, hold=1, up=1).seconds == 4
    assert load_exercises()["squat"].tempo.phrase() == "Two seconds down, one second up."
    bridge = load_exercises()["glute-bridge"]
    assert bridge.tempo.phrase(bridge.lift_first) == "One second up, hold for one, two seconds down."


@pytest.mark.parametrize(("words", "ex_id"), [
    ("squats", "squat"), ("Glute Bridges", "glute-bridge"), ("jump rope", "skipping"),
    ("wall sit", "wall-sit"), ("marching in place", "march"),
], ids=lambda v: str(v))
def test_find_exercise_understands_everyday_names(words: str, ex_id: str) -> None:
    found = find_exercise(words)
    assert found is not None and found.id == ex_id


def test_find_exercise_returns_none_for_unknown_words() -> None:
    assert find_exercise("bench press") is None


def test_get_exercise_names_known_ids_when_unknown() -> None:
    with pytest.raises(KeyError, match="squat"):
        get_exercise("deadlift")


def test_number_words_spells_counts() -> None:
    assert [number_words(n) for n in (1, 12, 20, 21, 100, 115)] == [
        "one", "twelve", "twenty", "twenty-one", "one hundred", "one hundred and fifteen"]


# -- built-in plans --------------------------------------------------------

def test_builtin_plans_are_listed_easiest_first() -> None:
    assert builtin_plans()[:4] == ["beginner", "intermediate", "advanced", "move-break"]
    assert DEFAULT_PLAN == "beginner"


@pytest.mark.parametrize("name", builtin_plans())
def test_builtin_plan_loads_and_is_named_after_its_file(name: str) -> None:
    plan = load_plan(name)
    assert plan.name == name
    assert plan.title and plan.description and plan.exercises


@pytest.mark.parametrize(("name", "low", "high"), [
    ("beginner", 10, 12), ("intermediate", 15, 20), ("advanced", 25, 30), ("move-break", 2, 5),
])
def test_builtin_plan_lasts_a_sensible_time(name: str, low: float, high: float) -> None:
    assert low <= compile_plan(load_plan(name)).length / 60 <= high


def test_move_break_needs_no_floor() -> None:
    plan = load_plan("move-break")
    moves = [e.exercise for e in plan.exercises] + [s.exercise for s in plan.warmup + plan.cooldown]
    assert all(m.standing for m in moves)
    assert {"calf-raise", "march", "squat"} <= set(plan.exercise_ids)


@pytest.mark.parametrize("name", builtin_plans())
def test_plan_survives_a_round_trip_through_toml(name: str) -> None:
    plan = load_plan(name)
    assert loads_plan(plan.to_toml()) == plan
    assert loads_plan(plan.to_toml()).digest == plan.digest


def test_unknown_builtin_plan_lists_the_known_ones() -> None:
    with pytest.raises(PlanError, match=r"^expert: no such plan; built-in plans: beginner, "):
        load_plan("expert")


# -- user plan files -------------------------------------------------------

def test_user_plan_file_uses_exercise_defaults(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD + '\n[[exercises]]\nexercise = "wall-sit"\nsets = 2\n', encoding="utf-8")
    plan = load_plan_file(path)
    squat, wall = plan.exercises
    assert (squat.sets, squat.reps, squat.rest) == (3, 12, 30.0)
    assert squat.tempo == get_exercise("squat").tempo
    assert wall.seconds == get_exercise("wall-sit").seconds and wall.reps is None


def test_partial_tempo_keeps_the_other_phases(tmp_path: Path) -> None:
    plan = loads_plan(GOOD + "tempo = { down = 3 }\n")
    assert plan.exercises[0].tempo == Tempo(down=3, hold=0, up=1)


def test_lunges_can_be_done_one_leg_at_a_time() -> None:
    plan = loads_plan(GOOD.replace('"squat"', '"lunge"') + 'sides = "each"\n')
    assert plan.exercises[0].sides == "each"
    assert plan.exercises[0].counted == 24


def test_resolve_plan_takes_a_name_or_a_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert resolve_plan("advanced").name == "advanced"
    assert resolve_plan(str(path)).name == "my-legs"


def test_sets_given_as_a_word_fail_with_one_exact_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("myplan.toml").write_text(GOOD.replace("sets = 3", 'sets = "three"'), encoding="utf-8")
    with pytest.raises(PlanError) as error:
        load_plan_file("myplan.toml")
    assert str(error.value) == 'myplan.toml: exercises[1].sets: must be a whole number from 1 to 20, got "three"'


def _edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


BAD_PLANS = [
    ("sets-zero", _edit("sets = 3", "sets = 0"), "exercises[1].sets", "from 1 to 20, got 0"),
    ("sets-fraction", _edit("sets = 3", "sets = 2.5"), "exercises[1].sets", "whole number"),
    ("sets-boolean", _edit("sets = 3", "sets = true"), "exercises[1].sets", "got true"),
    ("sets-too-many", _edit("sets = 3", "sets = 21"), "exercises[1].sets", "got 21"),
    ("sets-missing", _edit("sets = 3\n", ""), "exercises[1].sets", "missing"),
    ("reps-too-many", _edit("reps = 12", "reps = 500"), "exercises[1].reps", "from 1 to 100"),
    ("exercise-misspelt", _edit('"squat"', '"sqat"'), "exercises[1].exercise", 'did you mean "squat"?'),
    ("exercise-missing", _edit('exercise = "squat"\n', ""), "exercises[1].exercise", "must name an exercise"),
    ("reps-on-timed", _edit('"squat"', '"wall-sit"'), "exercises[1].reps", "wall-sit is timed: give seconds"),
    ("seconds-on-counted", _edit("reps = 12", "seconds = 30"), "exercises[1].seconds", "counted in reps"),
    ("seconds-too-short", _edit('"squat"', '"wall-sit"').replace("reps = 12", "seconds = 2"),
     "exercises[1].seconds", "from 5 to 600, got 2"),
    ("tempo-unknown-phase", GOOD + "tempo = { dwn = 2 }\n", "exercises[1].tempo.dwn", "did you mean down?"),
    ("tempo-negative", GOOD + "tempo = { down = -1 }\n", "exercises[1].tempo.down", "from 0 to 10"),
    ("tempo-too-fast", GOOD + "tempo = { down = 0, up = 0.2 }\n", "exercises[1].tempo", "0.5 to 20 seconds"),
    ("tempo-not-table", GOOD + "tempo = 3\n", "exercises[1].tempo", "must be a table"),
    ("sides-on-squats", GOOD + 'sides = "each"\n', "exercises[1].sides", "no sides"),
    ("sides-unknown", _edit('"squat"', '"lunge"') + 'sides = "both"\n', "exercises[1].sides", '"alternate" or "each"'),
    ("entry-field-misspelt", _edit("reps = 12", "rep = 12"), "exercises[1].rep", "did you mean reps?"),
    ("second-entry-wrong", GOOD + '\n[[exercises]]\nexercise = "lunge"\nsets = "x"\n', "exercises[2].sets", '"x"'),
    ("top-field-misspelt", _edit("title", "titel"), "titel", "did you mean title?"),
    ("name-with-spaces", _edit('"my-legs"', '"My Legs"'), "name", "lower-case letters"),
    ("name-missing", _edit('name = "my-legs"\n', ""), "name", "got nothing"),
    ("title-empty", _edit('"My leg day"', '" "'), "title", "1 to 80 characters"),
    ("no-exercises", 'name = "x"\ntitle = "X"\n', "exercises", "at least one [[exercises]]"),
    ("exercises-not-tables", 'name = "x"\ntitle = "X"\nexercises = ["squat"]\n', "exercises", "[[exercises]]"),
    ("rest-negative", "rest_between_sets = -5\n" + GOOD, "rest_between_sets", "from 0 to 600, got -5"),
    ("rest-as-text", _edit("reps = 12", 'reps = 12\nrest = "long"'), "exercises[1].rest", 'got "long"'),
    ("switch-too-long", "switch_seconds = 99\n" + GOOD, "switch_seconds", "from 2 to 30"),
    ("warmup-too-long", GOOD + '\n[[warmup]]\nexercise = "march"\nseconds = 601\n', "warmup[1].seconds", "got 601"),
    ("cooldown-unknown", GOOD + '\n[[cooldown]]\nexercise = "yoga"\n', "cooldown[1].exercise", "unknown exercise"),
    ("toml-syntax", GOOD + "reps == 3\n", "line 8, column 7", "invalid TOML: Invalid value"),
    ("toml-unclosed", GOOD + '[[exercises\n', "line 8, column 12", "invalid TOML"),
    ("toml-duplicate-key", GOOD + "reps = 10\n", "line 8, column 10", "Cannot overwrite a value"),
    ("toml-cut-short", GOOD + "reps = ", "line 8 (end of file)", "invalid TOML"),
]


@pytest.mark.parametrize(("text", "field", "problem"), [b[1:] for b in BAD_PLANS], ids=[b[0] for b in BAD_PLANS])
def test_bad_plan_fails_with_one_line_naming_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, field: str, problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("myplan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as error:
        load_plan_file("myplan.toml")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"myplan.toml: {field}: "), message
    assert problem in message


def test_missing_plan_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"nope\.toml: cannot read: No such file"):
        load_plan_file(tmp_path / "nope.toml")


def test_plan_file_that_is_not_utf8_is_a_plan_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'title = "\xe9"\n')
    with pytest.raises(PlanError, match=r"latin\.toml: cannot read"):
        load_plan_file(path)


# -- derived plans ---------------------------------------------------------

def test_only_keeps_just_the_named_exercises_with_warmup_and_cooldown() -> None:
    beginner = load_plan("beginner")
    squats = beginner.only(["squat"])
    assert squats.exercise_ids == ("squat",)
    assert squats.warmup == beginner.warmup and squats.cooldown == beginner.cooldown
    assert "squats only" in squats.title
    assert loads_plan(squats.to_toml()) == squats


def test_only_adds_an_exercise_the_plan_lacks_with_its_usual_amount() -> None:
    plan = load_plan("beginner").only(["wall-sit"])
    (entry,) = plan.exercises
    assert entry.seconds == get_exercise("wall-sit").seconds and entry.sets == 2


@pytest.mark.parametrize(("ids", "problem"), [([], "at least one"), (["deadlift"], "unknown exercise")],
                         ids=["none", "unknown"])
def test_only_rejects_nothing_or_unknown_exercises(ids: list[str], problem: str) -> None:
    with pytest.raises(PlanError, match=problem):
        load_plan("beginner").only(ids)


@pytest.mark.parametrize("minutes", [5, 10, 15, 25, 40])
def test_plan_for_minutes_fits_the_length_asked_for(minutes: int) -> None:
    plan = plan_for_minutes(minutes)
    assert abs(compile_plan(plan).length / 60 - minutes) <= 1
    assert re.fullmatch(r"[a-z0-9-]+", plan.name) and f"{minutes}-minute" in plan.title
    assert loads_plan(plan.to_toml()) == plan


def test_plan_for_minutes_rejects_silly_lengths() -> None:
    with pytest.raises(PlanError, match="minutes: must be from 2 to 60"):
        plan_for_minutes(500)


plain_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80).map(str.strip).filter(bool)


@settings(max_examples=100, deadline=None)
@given(title=plain_text, description=plain_text)
def test_any_title_and_description_survive_a_round_trip(title: str, description: str) -> None:
    plan = dataclasses.replace(load_plan("move-break"), title=title, description=description)
    assert loads_plan(plan.to_toml()) == plan


def test_format_example_in_the_documentation_is_a_valid_plan() -> None:
    doc = plans_module.__doc__ or ""
    body = doc.split("::\n\n", 1)[1].split("\n\nCounted", 1)[0]
    example = "\n".join(line[4:] for line in body.splitlines())
    plan = loads_plan(example, "example.toml")
    assert plan.exercise_ids == ("squat", "lunge", "wall-sit")
    assert plan.exercises[0].tempo == Tempo(down=3, hold=0, up=1)
