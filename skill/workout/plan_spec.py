"""What the user asked for ("beginner", "ten minutes", "just squats"): enough
to rebuild the same :class:`~timer.plans.Plan` whenever it is needed, and
stored as JSON in the user's workout progress. Pure: no SDK, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from timer.exercises import load_exercises
from timer.plan_fit import plan_for_minutes
from timer.plans import Plan, load_plan

LEVELS = ("beginner", "intermediate", "advanced")
DEFAULT_LEVEL = "beginner"


@dataclass(frozen=True)
class PlanSpec:
    """What the user asked for; enough to rebuild the same plan later."""

    level: str = DEFAULT_LEVEL
    minutes: int | None = None
    exercise: str | None = None

    def plan(self) -> Plan:
        return _plan(self)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"level": self.level}
        if self.minutes is not None:
            value["minutes"] = self.minutes
        if self.exercise is not None:
            value["exercise"] = self.exercise
        return value

    @classmethod
    def from_json(cls, value: Any) -> PlanSpec | None:
        """The spec stored as ``value``, or None if it no longer makes sense."""
        if not isinstance(value, dict) or value.get("level") not in LEVELS:
            return None
        minutes, exercise = value.get("minutes"), value.get("exercise")
        if minutes is not None and (not isinstance(minutes, int) or not 2 <= minutes <= 60):
            return None
        if exercise is not None and exercise not in load_exercises():
            return None
        return cls(value["level"], minutes, exercise)


@lru_cache(maxsize=64)
def _plan(spec: PlanSpec) -> Plan:
    plan = load_plan(spec.level)
    if spec.exercise is not None:
        plan = plan.only([spec.exercise])
    if spec.minutes is not None:
        plan = plan_for_minutes(spec.minutes, plan)
    return plan
