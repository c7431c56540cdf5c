"""The skill factory: one place that wires content, store and handlers together.

To add an intent: write a handler class (subclass of
``skill.handlers.base.IntentHandler`` naming the intent in ``intents``), add
it to :data:`HANDLERS` below, and add the intent's samples to
``skill.interaction`` (then run ``python -m skill model``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ask_sdk_core.api_client import DefaultApiClient
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.context import Visits
from skill.handlers.base import Coach, IntentHandler, RequestTypeHandler
from skill.handlers.builtins import (
    CancelHandler,
    ExceptionEncounteredHandler,
    FallbackHandler,
    HelpHandler,
    SessionEndedHandler,
    StopHandler,
    UnknownIntentHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler
from skill.handlers.followups import (
    MoreHandler,
    NoHandler,
    RepeatHandler,
    SourceHandler,
    YesHandler,
    add_offers,
)
from skill.handlers.launch import LaunchHandler, NavigateHomeHandler
from skill.handlers.questions import QuestionHandler, TopicHandler
from skill.handlers.reminders import REMINDER_HANDLERS

# -- guided workouts (skill/handlers/workout*.py) --
from skill.handlers.workout import (
    StartWorkoutHandler,
    WorkoutBackHandler,
    WorkoutMoreHandler,
    WorkoutNextHandler,
    WorkoutPauseHandler,
    WorkoutRepeatHandler,
    WorkoutResumeHandler,
    WorkoutSessionEndedHandler,
    WorkoutSkipHandler,
    WorkoutStopHandler,
)
from skill.handlers.workout_info import (
    WeeklyProgressHandler,
    WorkoutFallbackHandler,
    WorkoutFormHandler,
    WorkoutHelpHandler,
    WorkoutHomeHandler,
    WorkoutQuestionHandler,
    WorkoutSetsLeftHandler,
    WorkoutWhatsNextHandler,
)

#: Before the general handlers: during a workout, stop, repeat, help,
#: fallback, questions, "go on" and "go home" mean workout things.
WORKOUT_HANDLERS = (
    StartWorkoutHandler, WorkoutNextHandler, WorkoutMoreHandler, WorkoutResumeHandler,
    WorkoutPauseHandler, WorkoutSkipHandler, WorkoutBackHandler, WorkoutRepeatHandler,
    WorkoutStopHandler, WorkoutSessionEndedHandler, WorkoutSetsLeftHandler,
    WorkoutWhatsNextHandler, WorkoutFormHandler, WeeklyProgressHandler, WorkoutHelpHandler,
    WorkoutFallbackHandler, WorkoutQuestionHandler, WorkoutHomeHandler,
)
# -- end guided workouts --

HandlerClass = type[IntentHandler] | type[RequestTypeHandler]

#: Request handlers in the order the dispatcher tries them; the catch-all
#: UnknownIntentHandler stays last.
HANDLERS: tuple[HandlerClass, ...] = (
    LaunchHandler,
    *WORKOUT_HANDLERS,  # guided workouts
    *REMINDER_HANDLERS,
    QuestionHandler,
    TopicHandler,
    MoreHandler,
    SourceHandler,
    YesHandler,
    NoHandler,
    RepeatHandler,
    HelpHandler,
    StopHandler,
    CancelHandler,
    FallbackHandler,
    NavigateHomeHandler,
    SessionEndedHandler,
    ExceptionEncounteredHandler,
    UnknownIntentHandler,
)


def default_matcher(knowledge: Any) -> Any:
    from skill.matcher import Matcher

    return Matcher(knowledge)


def make_coach(adapter: Any, knowledge: Any = None, prompts: Any = None) -> Coach:
    """The content, matcher and store the handlers share."""
    from skill.knowledge import load_knowledge

    knowledge = knowledge if knowledge is not None else load_knowledge()
    prompts = prompts if prompts is not None else knowledge.prompts
    coach = Coach(knowledge, prompts, Visits(adapter), default_matcher)
    add_offers(coach)
    return coach


def make_handlers(coach: Coach, classes: Sequence[HandlerClass] = HANDLERS) -> list[Any]:
    return [cls(coach) for cls in classes]


def handled_intents(handlers: Sequence[Any]) -> set[str]:
    """Every intent name some handler declares in its ``intents``."""
    return {name for handler in handlers for name in getattr(handler, "intents", ())}


def build_skill(
    adapter: Any = None,
    config: Mapping[str, Any] | None = None,
    *,
    handlers: Sequence[HandlerClass] = HANDLERS,
) -> CustomSkill:
    """The Leg Coach skill.

    ``adapter``: a persistence adapter (default: ``make_adapter(config["STORE"])``,
    i.e. LEGCOACH_STORE or SQLite under the data home). ``config`` keys:
    ``STORE`` (adapter spec), ``SKILL_ID`` (reject other application ids).
    """
    config = config or {}
    if adapter is None:
        from skill.persistence import make_adapter

        adapter = make_adapter(config.get("STORE"))
    coach = make_coach(adapter)
    # The API client lets handlers call Alexa's services (reminders, settings).
    builder = CustomSkillBuilder(persistence_adapter=adapter, api_client=DefaultApiClient())
    builder.skill_id = config.get("SKILL_ID")
    for handler in make_handlers(coach, handlers):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler(coach))
    skill: CustomSkill = builder.create()
    return skill
