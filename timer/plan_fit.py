"""Plans fitted to a length: "a ten minute leg workout".

:func:`plan_for_minutes` searches near a built-in plan for one whose compiled
session lasts about as long as asked. It changes the plan, never the pacing:
sets, warm-up and cool-down moves and whole exercises are taken away (or sets
added), gentlest change first, and each candidate is measured by compiling it,
so the length is the one the runner and the skill will really play.
"""

from __future__ import annotations

from dataclasses import replace

from timer.compiler import compile_plan
from timer.plans import Plan, PlanError, load_plan

FIT_TOLERANCE = 20.0  # seconds: plan_for_minutes stops trying once this close


def _with_sets(plan: Plan, i: int, delta: int) -> Plan:
    entries = list(plan.exercises)
    entries[i] = replace(entries[i], sets=entries[i].sets + delta)
    return replace(plan, exercises=tuple(entries))


def _neighbours(plan: Plan, grow: bool) -> list[list[Plan]]:
    """Slightly shorter (or longer) versions of a plan, gentlest changes first:
    a set less from the exercises with the most sets (a set more for those with
    the fewest), a warm-up or cool-down move less, then the last exercise less."""
    counts = [e.sets for e in plan.exercises]
    if grow:
        return [[_with_sets(plan, i, 1) for i, n in enumerate(counts) if n == min(counts) and n < 20]]
    gentle = [_with_sets(plan, i, -1) for i, n in enumerate(counts) if n == max(counts) and n > 1]
    if len(plan.warmup) > 1:
        gentle.append(replace(plan, warmup=plan.warmup[:-1]))
    if len(plan.cooldown) > 1:
        gentle.append(replace(plan, cooldown=plan.cooldown[:-1]))
    last = [replace(plan, exercises=plan.exercises[:-1])] if len(counts) > 1 else []
    return [gentle, last]


def plan_for_minutes(minutes: float, base: Plan | None = None) -> Plan:
    """A workout of about ``minutes`` ("a ten minute leg workout"): the easiest
    built-in level that is long enough (or ``base``), with sets, moves and
    exercises taken away (or sets added) until its length fits."""
    if not 2 <= minutes <= 60:
        raise PlanError(f"minutes: must be from 2 to 60, got {minutes:g}")
    target = minutes * 60

    def miss(p: Plan) -> float:
        return abs(compile_plan(p).length - target)

    if base is None:
        levels = [load_plan(name) for name in ("beginner", "intermediate", "advanced")]
        base = next((p for p in levels if compile_plan(p).length >= target), levels[-1])
    plan, best = base, miss(base)
    while best > FIT_TOLERANCE:
        grow = compile_plan(plan).length < target
        for tier in _neighbours(plan, grow):
            scored = sorted((miss(p), i) for i, p in enumerate(tier))
            if scored and scored[0][0] < best:
                best, plan = scored[0][0], tier[scored[0][1]]
                break
        else:
            break
    whole = round(minutes)
    return replace(plan, name=f"{base.name}-{whole}-min", title=f"{whole}-minute leg workout",
                   description=f"{base.title}, fitted to about {whole} minutes.")
