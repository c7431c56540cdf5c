"""Leg Coach workouts: exercises, plans, the timeline compiler and history.

``compile_plan(load_plan("beginner"))`` gives the timed cues of a session;
the runner speaks them, the skill hands them out a turn at a time.
"""

from timer.compiler import CUE_KINDS, Block, Cue, Timeline, compile_plan
from timer.exercises import Exercise, Tempo, find_exercise, get_exercise, load_exercises
from timer.history import WEEKLY_GOAL, History, Session
from timer.plan_fit import plan_for_minutes
from timer.plan_model import Entry, Step
from timer.plans import (
    DEFAULT_PLAN,
    Plan,
    PlanError,
    builtin_plans,
    load_plan,
    load_plan_file,
    loads_plan,
    resolve_plan,
)

__all__ = [
    "CUE_KINDS", "DEFAULT_PLAN", "WEEKLY_GOAL", "Block", "Cue", "Entry", "Exercise", "History",
    "Plan", "PlanError", "Session", "Step", "Tempo", "Timeline", "builtin_plans", "compile_plan",
    "find_exercise", "get_exercise", "load_exercises", "load_plan", "load_plan_file", "loads_plan",
    "plan_for_minutes", "resolve_plan",
]
