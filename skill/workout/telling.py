"""Where a guided workout stands, told in words: "how many sets are left",
"what's next", and the week against its goal. The words are the workout's
(skill/core/prompts.toml, ``[workout]``); the guide says where things are
(:mod:`skill.workout.guide`). Pure: a guide and a piece (or counts) in, a
sentence out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from skill.core.prompts import load_words
from skill.workout.guide import Guide
from skill.workout.turns import block_phrase, set_phrase
from skill.workout.turns import words as number
from timer.exercises import get_exercise, number_words


def _words(key: str, /, **values: str) -> str:
    return load_words("workout").pick(key, 0, **values)


def sets_left(guide: Guide, index: int) -> str:
    """ "Four sets left: two of lunges and two of glute bridges, then the cool-down. ..." """
    sets = guide.sets_from(index)
    minutes = max(1, round((guide.timeline.length - guide.pieces[index].start) / 60))
    cooldown = any(b.kind == "cooldown" for b in guide.timeline.blocks)
    if not sets:
        return _words("no_sets_left_cooldown") if cooldown else _words("no_sets_left")
    by_name = Counter(get_exercise(b.exercise_id or "").name.lower() for b in sets)
    parts = [_words("sets_of", number=number(n), exercise=name) for name, n in by_name.items()]
    listed = parts[0] if len(parts) == 1 else _words("and", items=", ".join(parts[:-1]), last=parts[-1])
    count = _words("one_set_left") if len(sets) == 1 else _words("sets_left", number=number(len(sets))).capitalize()
    tail = _words("then_cooldown") if cooldown else ""
    about = _words("about_a_minute") if minutes == 1 else _words("about_minutes", number=number(minutes))
    return _words("sets_left_line", count=count, listed=listed, tail=tail, about=about)


def whats_next(guide: Guide, index: int) -> str:
    """What piece ``index`` starts with, in words."""
    block = guide.block(index)
    if guide.pieces[index].start > block.start + 1e-6:
        return _words("next_more_of", where=block_phrase(block, guide.said))
    if block.kind == "rest":
        return _words("next_rest", number=number(block.duration), set=set_phrase(block, guide.said))
    if block.kind != "set":
        name = get_exercise(block.exercise_id or "").name.lower() if block.exercise_id else ""
        if name:
            return _words("next_part_starting", where=block_phrase(block, guide.said), exercise=name)
        return _words("next_part", where=block_phrase(block, guide.said))
    ex = get_exercise(block.exercise_id or "")
    each = "_each" if ex.sided else ""  # "thirty seconds each leg"
    if block.seconds is not None:
        amount = _words("amount_seconds" + each, number=number(block.seconds), side=ex.side_word)
    else:
        amount = _words("amount_reps" + each, number=number(block.reps // 2 if ex.sided else block.reps),
                        side=ex.side_word)
    return _words("next_set", set=set_phrase(block, guide.said), amount=amount.capitalize())


def weekly_line(count: int, goal: int) -> str:
    """How the week stands against the goal, in one or two sentences."""
    done = _words("one_workout") if count == 1 else _words("workouts", number=number_words(min(count, 999)))
    if count == 0:
        return _words("week_none", goal=number_words(goal))
    if count < goal:
        left = goal - count
        more = _words("one_more") if left == 1 else _words("more", number=number_words(left))
        return _words("week_some", done=done, more=more.capitalize(), goal=number_words(goal))
    return _words("week_reached", done=done, goal=number_words(goal))


#: What the trainer tells, by name: "sets_left" or "whats_next".
TELLS: dict[str, Callable[[Guide, int], str]] = {"sets_left": sets_left, "whats_next": whats_next}
