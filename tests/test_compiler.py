"""The pure compiler: plan in, timed cues out. Properties hold for any plan
and any spoken lengths; examples pin down what the coach says and when."""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from speech.model import Narration, Sound
from timer.compiler import BLOCK_KINDS, CUE_KINDS, FINISH, GAP, READY, Timeline, compile_plan
from timer.exercises import Exercise, Sides, Tempo, load_exercises
from timer.plan_model import Entry, Step
from timer.plans import Plan, load_plan, loads_plan

EPS = 1e-6
EXERCISES = list(load_exercises().values())
Durations = Callable[[Narration], "float | None"]


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    ex: Exercise = draw(st.sampled_from(EXERCISES))
    sets = draw(st.integers(1, 4))
    rest = draw(st.sampled_from([0.0, 5.0, 12.0, 30.0, 45.0]))
    if ex.timed:
        seconds = draw(st.sampled_from([5.0, 12.0, 20.0, 30.0, 45.0]))
        return Entry(ex, sets, None, seconds, ex.tempo, rest, None)
    tempo = Tempo(draw(st.sampled_from([0.0, 0.5, 2.0, 3.0])), draw(st.sampled_from([0.0, 1.0])),
                  draw(st.sampled_from([0.5, 1.0])))
    sides: Sides | None = draw(st.sampled_from(["alternate", "each"])) if ex.sided else None
    return Entry(ex, sets, draw(st.integers(1, 12)), None, tempo, rest, sides)


steps = st.builds(Step, st.sampled_from(EXERCISES), st.sampled_from([5.0, 20.0, 45.0]))
plans = st.builds(
    Plan, name=st.just("test"), title=st.just("Test workout"),
    exercises=st.lists(entries(), min_size=1, max_size=4).map(tuple),
    warmup=st.lists(steps, max_size=2).map(tuple), cooldown=st.lists(steps, max_size=2).map(tuple),
    rest_between_exercises=st.sampled_from([0.0, 10.0, 40.0]), switch_seconds=st.sampled_from([2.0, 5.0]),
)


@st.composite
def spoken_lengths(draw: st.DrawFn) -> Durations:
    """A voice: each narration gets a fixed length, from far shorter to far
    longer than estimated; some have no measurement (None)."""
    scale = draw(st.floats(0.1, 6.0))
    missing = draw(st.integers(0, 4))

    def durations(n: Narration) -> float | None:
        h = zlib.crc32(repr(n).encode())
        if h % 5 < missing // 2:
            return None
        return n.estimated_seconds() * scale * (0.5 + (h % 100) / 100)
    return durations


def _spoken(n: Narration, durations: Durations) -> float:
    measured = durations(n)
    return n.estimated_seconds() if measured is None else measured


@settings(max_examples=150, deadline=None)
@given(plans, spoken_lengths())
def test_cues_are_ordered_and_never_overlap(plan: Plan, durations: Durations) -> None:
    cues = compile_plan(plan, durations).cues
    for cue in cues:
        assert cue.seconds == pytest.approx(_spoken(cue.narration, durations))
    for a, b in zip(cues, cues[1:]):
        assert b.offset >= a.end - EPS, (a, b)


@settings(max_examples=150, deadline=None)
@given(plans, spoken_lengths())
def test_blocks_tile_the_session_and_hold_their_cues(plan: Plan, durations: Durations) -> None:
    timeline = compile_plan(plan, durations)
    blocks = timeline.blocks
    assert blocks[0].start == 0
    assert [b.index for b in blocks] == list(range(len(blocks)))
    for a, b in zip(blocks, blocks[1:]):
        assert a.end == b.start and a.duration > 0
    assert blocks[-1].end == timeline.length
    for cue in timeline.cues:
        block = blocks[cue.block]
        assert block.start - EPS <= cue.offset and cue.end <= block.end + EPS
    assert {c.kind for c in timeline.cues} <= set(CUE_KINDS)
    assert {b.kind for b in blocks} <= set(BLOCK_KINDS)


@settings(max_examples=150, deadline=None)
@given(plans, spoken_lengths())
def test_session_ends_with_the_finish_block_of_fixed_length_unless_its_cue_runs_longer(
        plan: Plan, durations: Durations) -> None:
    timeline = compile_plan(plan, durations)
    last = timeline.cues[-1]
    assert last.kind == "finish" and timeline.blocks[-1].kind == "finish"
    assert timeline.length == pytest.approx(max(last.end, last.offset + FINISH))
    assert max(c.end for c in timeline.cues) <= timeline.length + EPS


@settings(max_examples=150, deadline=None)
@given(plans, spoken_lengths())
def test_every_set_counts_exactly_its_reps(plan: Plan, durations: Durations) -> None:
    timeline = compile_plan(plan, durations)
    expected = [(e.exercise.id, n, e.counted) for e in plan.exercises for n in range(1, e.sets + 1)]
    sets = timeline.set_blocks()
    assert [(b.exercise_id, b.set_no, b.reps) for b in sets] == expected
    for block in sets:
        kinds = [c.kind for c in timeline.cues_in_block(block.index)]
        assert kinds.count("rep") == block.reps
        assert kinds[:5] == ["announce", "countdown", "countdown", "countdown", "go"]
    assert timeline.total_sets == sum(e.sets for e in plan.exercises)
    assert timeline.total_reps == sum(c.kind == "rep" for c in timeline.cues)


@settings(max_examples=100, deadline=None)
@given(plans, spoken_lengths())
def test_rests_give_up_at_most_half_their_time(plan: Plan, durations: Durations) -> None:
    # Measured against the plan's rest, not against a rest that estimated
    # speech already stretched (that one may give up more than half its length).
    sets = [(e, n) for e in plan.exercises for n in range(1, e.sets + 1)]
    rests = [e.rest if n < e.sets else plan.rest_between_exercises for e, n in sets[:-1]]
    rest_blocks = [b for b in compile_plan(plan, durations).blocks if b.kind == "rest"]
    planned = [r for r in rests if r > 0]
    assert len(rest_blocks) == len(planned)
    for block, rest in zip(rest_blocks, planned):
        assert block.duration >= rest / 2 - EPS


@settings(max_examples=50, deadline=None)
@given(plans)
def test_estimated_schedule_keeps_every_planned_rest(plan: Plan) -> None:
    sets = [(e, n) for e in plan.exercises for n in range(1, e.sets + 1)]
    rests = [e.rest if n < e.sets else plan.rest_between_exercises for e, n in sets[:-1]]
    # Plans whose words fit their slots: "Go!" and counts within a rep, and
    # "Rest N seconds. Next up: ..." within the rest (else later rests catch up).
    assume(all(e.tempo.seconds >= 1.5 for e in plan.exercises))
    assume(all(r == 0 or r >= 12 for r in rests))
    timeline = compile_plan(plan)
    rest_blocks = [b for b in timeline.blocks if b.kind == "rest"]
    assert len(rest_blocks) == sum(1 for r in rests if r > 0)
    for block, rest in zip(rest_blocks, (r for r in rests if r > 0)):
        assert block.duration == pytest.approx(rest)


# -- what is said, and when ------------------------------------------------

@pytest.fixture(scope="module")
def beginner() -> Timeline:
    return compile_plan(load_plan("beginner"))


def test_first_set_announces_exercise_set_reps_tempo_and_a_form_cue(beginner: Timeline) -> None:
    first = beginner.set_blocks()[0]
    announce = beginner.cues_in_block(first.index)[0]
    assert announce.kind == "announce"
    squat = load_exercises()["squat"]
    assert announce.text == (f"Squats. Set 1 of 2. 10 reps. Two seconds down, one second up. {squat.form_cues[0]}")
    second = beginner.cues_in_block(beginner.set_blocks()[1].index)[0]
    assert second.text == "Squats. Set 2 of 2. 10 reps."


def test_countdown_beeps_then_go_then_reps_at_the_tempo(beginner: Timeline) -> None:
    cues = beginner.cues_in_block(beginner.set_blocks()[0].index)
    assert [c.text for c in cues[1:5]] == ["Three.", "Two.", "One.", "Go!"]
    assert all(Sound("beep") in c.narration.parts for c in cues[1:4])
    assert Sound("go") in cues[4].narration.parts
    reps = [c for c in cues if c.kind == "rep"]
    assert [c.text for c in reps] == ["One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven.",
                                      "Eight.", "Nine.", "Ten."]
    gaps = [b.offset - a.offset for a, b in zip([cues[4], *reps], reps)]
    assert gaps == pytest.approx([3.0] * 10)


def test_timed_set_says_halfway_and_ten_seconds_left_on_time() -> None:
    timeline = compile_plan(load_plan("intermediate"))
    wall = next(b for b in timeline.set_blocks() if b.exercise_id == "wall-sit")
    cues = timeline.cues_in_block(wall.index)
    go = next(c for c in cues if c.kind == "go")
    marks = {c.text: c.offset - go.offset for c in cues if c.kind == "time_left"}
    assert marks == pytest.approx({"Halfway.": 15.0, "10 seconds left.": 20.0})
    assert wall.end - go.offset == pytest.approx(30.0)
    assert not [c for c in cues if c.kind == "rep"]


def test_lunges_one_leg_at_a_time_switch_sides_between_counts() -> None:
    plan = loads_plan('name = "l"\ntitle = "L"\n[[exercises]]\nexercise = "lunge"\nsets = 1\nreps = 3\n'
                      'sides = "each"\n')
    cues = compile_plan(plan).cues
    said = [c.text for c in cues if c.kind in ("rep", "switch", "go")]
    assert said == ["Go!", "One.", "Two.", "Three.", "Switch sides. Right leg.", "Go!", "One.", "Two.", "Three."]
    assert "3 reps each leg. Left leg first." in cues[0].text


def test_alternating_lunges_call_the_side_and_count_per_leg() -> None:
    plan = loads_plan('name = "l"\ntitle = "L"\n[[exercises]]\nexercise = "lunge"\nsets = 1\nreps = 2\n')
    timeline = compile_plan(plan)
    assert [c.text for c in timeline.cues if c.kind == "rep"] == [
        "Left, one.", "Right, one.", "Left, two.", "Right, two."]
    assert timeline.set_blocks()[0].sides == "alternate"
    assert "2 reps each leg, alternating." in timeline.cues[0].text


def test_rest_says_how_long_what_is_next_and_a_tip(beginner: Timeline) -> None:
    rest = next(b for b in beginner.blocks if b.kind == "rest" and b.exercise_id == "lunge")
    cues = beginner.cues_in_block(rest.index)
    assert [c.kind for c in cues] == ["rest", "next_up", "tip"]
    assert cues[0].text == "Rest 40 seconds." and Sound("whistle") in cues[0].narration.parts
    assert cues[1].text == "Next up: lunges, set 1 of 2."
    assert cues[2].text in load_exercises()["lunge"].form_cues
    assert rest.duration == pytest.approx(40.0)


def test_session_opens_with_warmup_and_closes_with_cooldown_and_finish(beginner: Timeline) -> None:
    kinds = [b.kind for b in beginner.blocks]
    assert kinds[:2] == ["warmup", "warmup"] and kinds[-3:] == ["cooldown", "cooldown", "finish"]
    assert beginner.cues[0].text.startswith("Beginner leg workout. Squats, lunges and glute bridges.")
    assert beginner.cues[0].kind == "warmup"
    assert next(c for c in beginner.cues if c.kind == "cooldown").text.startswith("Great work.")
    assert beginner.cues[-1].text.startswith("Workout complete. 6 sets and 64 reps in about 11 minutes.")


def test_long_announcement_delays_the_countdown_and_keeps_the_rep_pace() -> None:
    plan = load_plan("beginner")

    def slow_announce(n: Narration) -> float | None:
        return 30.0 if n.text.startswith("Squats. Set 1") else None

    cues = compile_plan(plan, slow_announce).cues
    announce = next(c for c in cues if c.kind == "announce")
    block = [c for c in cues if c.block == announce.block]
    assert announce.seconds == 30.0 and block[1].offset >= announce.end
    reps = [c.offset for c in block if c.kind == "rep"]
    assert [b - a for a, b in zip(reps, reps[1:])] == pytest.approx([3.0] * 9)


@pytest.mark.parametrize(("overrun", "rest_left"), [(6.0, 30 - (6 + GAP - READY)), (100.0, 15.0)],
                         ids=["absorbed", "capped"])
def test_next_rest_absorbs_an_overrun_up_to_half_its_time(overrun: float, rest_left: float) -> None:
    plan = load_plan("beginner")

    def long_announce(n: Narration) -> float | None:
        estimate = n.estimated_seconds()
        return estimate + overrun if n.text.startswith("Squats. Set 1") else None

    planned, late = compile_plan(plan), compile_plan(plan, long_announce)
    first_rest = next(b.index for b in planned.blocks if b.kind == "rest")
    assert late.blocks[first_rest].duration == pytest.approx(rest_left)
    if overrun <= 15:
        assert late.blocks[first_rest + 1].start == pytest.approx(planned.blocks[first_rest + 1].start)


# -- helpers for the runner and the skill ------------------------------------

def test_block_at_finds_the_running_block(beginner: Timeline) -> None:
    for block in beginner.blocks:
        assert beginner.block_at(block.start) == block
        assert beginner.block_at((block.start + block.end) / 2) == block
    assert beginner.block_at(-5).index == 0
    assert beginner.block_at(beginner.length + 10) == beginner.blocks[-1]


def test_cues_in_block_partition_the_cues(beginner: Timeline) -> None:
    parts = [beginner.cues_in_block(b.index) for b in beginner.blocks]
    assert tuple(c for part in parts for c in part) == beginner.cues
    assert all(c.block == i for i, part in enumerate(parts) for c in part)


def test_first_cue_at_resumes_from_a_block_start(beginner: Timeline) -> None:
    block = beginner.set_blocks()[1]
    i = beginner.first_cue_at(block.start)
    assert beginner.cues[i].block == block.index and beginner.cues[i].kind == "announce"


def test_turns_group_each_set_with_its_rest(beginner: Timeline) -> None:
    turns = beginner.turns()
    assert [i for turn in turns for i in turn] == list(range(len(beginner.blocks)))
    assert turns[0] == (0, 1)
    set_turn = next(t for t in turns if beginner.blocks[t[0]].kind == "set")
    assert [beginner.blocks[i].kind for i in set_turn] == ["set", "rest"]
    assert [beginner.blocks[i].kind for i in turns[-1]] == ["cooldown", "cooldown", "finish"]
    bare = compile_plan(loads_plan('name = "s"\ntitle = "S"\n[[exercises]]\nexercise = "squat"\nsets = 2\n'))
    assert [[bare.blocks[i].kind for i in t] for t in bare.turns()] == [["set", "rest"], ["set", "finish"]]


def test_timeline_is_json_ready(beginner: Timeline) -> None:
    data = json.loads(json.dumps(beginner.to_json()))
    assert len(data) == len(beginner.cues)
    assert data[0] == {"offset": 0.0, "text": beginner.cues[0].text, "kind": "warmup"}
    assert all(set(item) == {"offset", "text", "kind"} for item in data)


def test_compiling_is_pure_and_timelines_are_frozen(beginner: Timeline) -> None:
    assert compile_plan(load_plan("beginner")) == beginner
    with pytest.raises(dataclasses.FrozenInstanceError):
        beginner.cues[0].offset = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        beginner.length = 1.0  # type: ignore[misc]


def test_single_exercise_plan_without_warmup_names_the_exercise_once() -> None:
    plan = loads_plan('name = "s"\ntitle = "Quick squats"\n[[exercises]]\nexercise = "squat"\nsets = 1\n')
    first = compile_plan(plan).cues[0].text
    assert first.startswith("Quick squats. Squats. Set 1 of 1.")
    assert first.count("Squats.") == 1


def test_the_panel_counts_alternating_reps_per_leg() -> None:
    from timer.display import rep_text
    from timer.run_events import RunState

    plan = loads_plan('name = "l"\ntitle = "L"\n[[exercises]]\nexercise = "lunge"\nsets = 1\nreps = 3\n')
    timeline = compile_plan(plan)
    block = timeline.set_blocks()[0]
    reps = [c for c in timeline.cues_in_block(block.index) if c.kind == "rep"]
    assert reps[2].text == "Left, two."
    state = RunState(reps[2].offset, block.index, False, reps[2], 1.0)
    assert rep_text(timeline, state) == "Rep 2 of 3 each leg"


@pytest.mark.parametrize("factor", [0.5, 0.8, 0.95])
@pytest.mark.parametrize("name", ["beginner", "intermediate", "advanced", "move-break"])
def test_measured_speech_never_changes_a_plans_length(name: str, factor: float) -> None:
    """`timer plans` (estimates) and the panel and `render` (measured voice) agree whenever
    the voice is not slower than estimated (it is not, at the default rate: next test)."""
    plan = load_plan(name)
    measured = compile_plan(plan, lambda n: n.estimated_seconds() * factor)
    assert measured.length == pytest.approx(compile_plan(plan).length, abs=1e-9)


def test_the_real_voice_gives_every_plan_the_length_timer_plans_prints(tmp_path, monkeypatch) -> None:
    import io

    from speech.live import make_speaker
    from speech.tts import VoiceOptions, tts_available
    from timer.cli import main
    from timer.display import clock_text
    from timer.session import prepare_timeline

    if not tts_available():
        pytest.skip("no text-to-speech engine here")
    listed = io.StringIO()
    monkeypatch.setattr("sys.stdout", listed)
    assert main(["plans"]) == 0
    monkeypatch.undo()
    speaker = make_speaker(VoiceOptions(), mute=False)
    try:
        for line in listed.getvalue().splitlines():
            name, length = line.split()[:2]
            played = prepare_timeline(load_plan(name), speaker, io.StringIO())
            assert clock_text(played.length) == length, name
    finally:
        speaker.close()
