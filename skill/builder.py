"""The skill factory: the one list of features, their handlers and intents.

To add an intent: declare it in its feature's intents (``intents.toml`` or
``intents.py`` in the feature's folder), write a handler class (subclass of
``skill.core.coach.IntentHandler`` naming the intent in ``intents``), add
it to :data:`HANDLERS` below, then run ``python -m skill model``; the
consistency tests check both sides.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

from skill.core.coach import FROM_ENVIRONMENT, Coach, IntentHandler, RequestTypeHandler
from skill.core.visits import Visits
from skill.core.deferred import deferred
from skill.core.prompts import Prompts, load_prompts
from skill.core.sdk import timed_api_client
from skill.general.builtins import (
    CancelHandler,
    ExceptionEncounteredHandler,
    FallbackHandler,
    HelpHandler,
    SessionEndedHandler,
    StopHandler,
    UnknownIntentHandler,
)
from skill.general.errors import CatchAllExceptionHandler
from skill.general.intents import BUILTIN_INTENTS
from skill.general.launch import LaunchHandler, NavigateHomeHandler
from skill.model.generator import build_model
from skill.model.spec import IntentSpec
from skill.questions.followups import (
    MoreHandler,
    NoHandler,
    RepeatHandler,
    SourceHandler,
    YesHandler,
    add_question_offers,
)
from skill.questions.handlers import QuestionHandler, TopicHandler
from skill.questions.intents import question_intents
from skill.reminders.intents import CANCEL_INTENT, SET_INTENT, reminder_intents
from skill.store import make_store
from skill.workout import intents as workout_intents
from skill.workout.stream_handlers import STREAM_HANDLERS
from skill.workout.handlers import (
    StartWorkoutHandler,
    WeeklyProgressHandler,
    WorkoutBackHandler,
    WorkoutFallbackHandler,
    WorkoutFormHandler,
    WorkoutHelpHandler,
    WorkoutHomeHandler,
    WorkoutMoreHandler,
    WorkoutMoreRestHandler,
    WorkoutNextHandler,
    WorkoutPauseHandler,
    WorkoutQuestionHandler,
    WorkoutRepeatHandler,
    WorkoutRestartSetHandler,
    WorkoutResumeHandler,
    WorkoutSessionEndedHandler,
    WorkoutSetsLeftHandler,
    WorkoutSkipHandler,
    WorkoutSkipRestHandler,
    WorkoutStopHandler,
    WorkoutWhatsNextHandler,
    trainer_of,
)

if TYPE_CHECKING:
    from skill.questions.knowledge import Knowledge
    from skill.questions.matcher import Matcher

#: Before the general handlers: during a workout, stop, repeat, help,
#: fallback, questions, "go on" and "go home" mean workout things.
WORKOUT_HANDLERS = (
    StartWorkoutHandler, WorkoutNextHandler, WorkoutMoreHandler, WorkoutResumeHandler,
    WorkoutPauseHandler, WorkoutSkipHandler, WorkoutBackHandler, WorkoutRepeatHandler,
    WorkoutSkipRestHandler, WorkoutRestartSetHandler, WorkoutMoreRestHandler,
    WorkoutStopHandler, WorkoutSessionEndedHandler, WorkoutSetsLeftHandler,
    WorkoutWhatsNextHandler, WorkoutFormHandler, WeeklyProgressHandler, WorkoutHelpHandler,
    WorkoutFallbackHandler, WorkoutQuestionHandler, WorkoutHomeHandler,
)

#: Reminders load on first use: they pull in the Alexa API client.
REMINDER_HANDLERS = (
    deferred("skill.reminders.handlers:SetWorkoutRemindersHandler", SET_INTENT),
    deferred("skill.reminders.handlers:CancelRemindersHandler", CANCEL_INTENT),
)

HandlerClass = type[IntentHandler] | type[RequestTypeHandler]

#: Request handlers in the order the dispatcher tries them; the catch-all
#: UnknownIntentHandler stays last.
HANDLERS: tuple[HandlerClass, ...] = (
    *STREAM_HANDLERS,  # a workout playing as a stream: its events and the intents that steer it
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


def all_intents(knowledge: Knowledge) -> tuple[IntentSpec, ...]:
    """Every intent of every feature, built-ins included, sorted by name."""
    builtins = tuple(IntentSpec(name, ()) for name in BUILTIN_INTENTS + workout_intents.builtins())
    custom = (question_intents() + knowledge.intent_specs() + workout_intents.workout_intents()
              + reminder_intents())
    return tuple(sorted(builtins + custom, key=lambda spec: spec.name))


def interaction_model(knowledge: Knowledge) -> dict[str, Any]:
    """The interaction model (a JSON value) of every feature; raises
    :class:`~skill.model.generator.ModelError` if Alexa would reject it."""
    return build_model(all_intents(knowledge), workout_intents.slot_types())


class LazyApiClient(ApiClient):  # type: ignore[misc]
    """The SDK's ``DefaultApiClient`` with a timeout, created on the first call
    to an Alexa API.

    ``ask_sdk_core.api_client`` imports ``requests`` (about 45 ms here), which
    a cold start that only opens the skill or answers a question never needs.
    The SDK's client sets no timeout, so a stalled Alexa API would hold the
    response past Alexa's 8 s limit; every call here gives up instead after
    ``timeout`` (seconds to connect, seconds to wait for the answer: at most
    5 s in all by default, inside the Lambda function's 7 s), and the
    handler falls back or apologises.
    """

    def __init__(self, timeout: float | tuple[float, float] = (2.0, 3.0)) -> None:
        self.timeout = timeout
        self._client: ApiClient | None = None

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        check_api_url(request.url or "")
        if self._client is None:
            self._client = timed_api_client(self.timeout)
        return self._client.invoke(request)


#: Where Alexa's APIs live (a request's ``apiEndpoint``): North America,
#: Europe and India, the Far East.
ALEXA_API_HOSTS = frozenset({"api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com"})


def check_api_url(url: str) -> None:
    """Raise ApiClientException unless ``url`` is https on one of Alexa's API
    hosts (default port) or on this machine: an unverified request (``--dev``)
    could otherwise make the server call anywhere."""
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise ApiClientException("Alexa API URL is malformed") from None
    if parts.scheme == "https" and host in ALEXA_API_HOSTS and port in (None, 443) and "@" not in parts.netloc:
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback or parts.scheme not in ("http", "https"):
        raise ApiClientException(f"not an Alexa API host: {host or url!r}")


# The topics and the matcher load on first use: importing them would add
# about 21 ms and 75 ms to a cold start that only opens the skill
# (measured after importing the Lambda entry and building the skill).


def default_knowledge() -> Knowledge:
    from skill.questions.knowledge import load_knowledge

    return load_knowledge()  # read once, then cached


def matcher_over(knowledge: Knowledge) -> Matcher:
    from skill.questions.matcher import Matcher

    return Matcher(knowledge)


def package_matcher() -> Matcher:
    """The matcher over the package's own topics: one per process, built on first use."""
    from skill.questions.matcher import default_matcher

    return default_matcher()


def make_coach(adapter: Any, knowledge: Knowledge | None = None, prompts: Prompts | None = None,
               audio: object = FROM_ENVIRONMENT) -> Coach:
    """The content, matcher, store and audio source the handlers share. The
    topics are read on first use (the package's, unless ``knowledge`` is given)."""
    if prompts is None:
        prompts = knowledge.prompts if knowledge is not None else load_prompts()
    if knowledge is None:
        coach = Coach(default_knowledge, prompts, Visits(adapter), package_matcher, audio)
    else:
        given = knowledge
        coach = Coach(lambda: given, prompts, Visits(adapter), lambda: matcher_over(given), audio)
    add_question_offers(coach)
    return coach


def warm_up(coach: Coach) -> None:
    """Load now what the handlers otherwise load on first use: the topics,
    the matcher, and the workout machinery with each level's guide. For a
    long-lived server, so that no request pays for it (and under gunicorn's
    ``preload_app`` workers fork with it loaded); a Lambda cold start skips
    this. The Alexa API client (reminders only) still loads on first use.
    Opens no database or network connection."""
    _ = coach.matcher  # reads the topics and builds the matcher
    trainer_of(coach).warm_up()


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
    warm: bool = False,
) -> CustomSkill:
    """The Leg Coach skill.

    ``adapter``: a persistence adapter (default: ``make_store(config["STORE"])``,
    i.e. LEGCOACH_STORE or SQLite under the data home). ``config`` keys:
    ``STORE`` (adapter spec), ``SKILL_ID`` (reject other application ids).
    ``warm``: load everything now (:func:`warm_up`) rather than on first use.
    """
    config = config or {}
    if adapter is None:
        adapter = make_store(config.get("STORE"))
    # The app's segment source (None: no stream); else the environment's.
    coach = make_coach(adapter, audio=config.get("AUDIO", FROM_ENVIRONMENT))
    if warm:
        warm_up(coach)
    # The API client lets handlers call Alexa's services (reminders, settings).
    builder = CustomSkillBuilder(persistence_adapter=adapter, api_client=LazyApiClient())
    builder.skill_id = config.get("SKILL_ID")
    for handler in make_handlers(coach, handlers):
        builder.add_request_handler(handler)
    builder.add_exception_handler(CatchAllExceptionHandler(coach))
    skill: CustomSkill = builder.create()
    return skill
