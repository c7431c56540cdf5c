"""Plays a workout as a stream and follows the device's playback events.

The :class:`Streamer` turns requests into AudioPlayer directives and keeps
the user's stream state (:mod:`skill.workout.stream`) in the persistent
attributes, written atomically before each response, as the turn mode does.
Responses to AudioPlayer and PlaybackController requests carry only
AudioPlayer directives (Alexa rejects speech there); answers to intents may
speak. History: the start, each finished segment's last block and the
finish are logged like the turn mode's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.audioplayer import (
    AudioItem,
    AudioItemMetadata,
    PlayBehavior,
    PlayDirective,
    StopDirective,
    Stream,
)

from skill.core import context
from skill.core.coach import FROM_ENVIRONMENT
from skill.core.responses import ssml
from skill.workout.catalogue import streamed
from skill.workout.flow import words
from skill.workout.plan_spec import DEFAULT_LEVEL, PlanSpec
from skill.workout.progress import Event, Saved
from skill.workout.state import request_time, user_id
from skill.workout.store import WorkoutStore
from skill.workout.stream import (
    FAILED_KEY,
    MODE_KEY,
    STREAM_KEY,
    TURNS,
    StreamState,
    Token,
    player_token,
    resume_segment,
)
from speech.model import Narration
from timer.exercises import number_words

if TYPE_CHECKING:  # segments (and the speech cache under them) load with a stream's first request
    from timer.plans import Plan
    from timer.segments import Playlist

log = logging.getLogger("skill.workout.streamer")


def _plays_audio(handler_input: HandlerInput) -> bool:
    """The device plays audio streams (AudioPlayer), as the request's facts say."""
    return context.facts(handler_input).audio_player


class Streamer:
    """Stream mode for one skill: its segment source and the user's state."""

    def __init__(self, store: WorkoutStore, source: Any = FROM_ENVIRONMENT) -> None:
        self.store = store
        self._source = source

    @property
    def source(self) -> Any:
        if self._source == FROM_ENVIRONMENT:
            import os

            from skill.workout.render_ahead import source_from_settings

            self._source = source_from_settings({}, os.environ)
        return self._source

    # --- state -------------------------------------------------------------------

    def _update(self, handler_input: HandlerInput, step: Callable[[dict[str, Any]], Any],
                events: tuple[Event, ...] = ()) -> Any:
        """Run ``step`` on a copy of the attributes (it changes them in place and
        returns a result), store them atomically with ``events`` for the
        history, return the result."""
        def change(attributes: dict[str, Any]) -> tuple[Any, dict[str, Any], tuple[Event, ...]]:
            new = dict(attributes)
            return step(new), new, events

        return self.store.write(handler_input.request_envelope, change, user_id(handler_input),
                                request_time(handler_input))

    def _attributes(self, handler_input: HandlerInput) -> dict[str, Any]:
        adapter = self.store.adapter
        return dict(adapter.get_attributes(handler_input.request_envelope) or {}) if adapter else {}

    def state(self, handler_input: HandlerInput) -> StreamState | None:
        return StreamState.from_json(self._attributes(handler_input).get(STREAM_KEY))

    def _playlist(self, token: Token) -> tuple[Plan, Playlist] | None:
        source = self.source
        if source is None:
            return None
        plan = token.spec.plan()
        if plan.digest != token.plan:
            return None  # the plan changed since: that stream is gone
        playlist = source.playlist(plan)
        return None if playlist is None else (plan, playlist)

    # --- responses ---------------------------------------------------------------

    def _play(self, handler_input: HandlerInput, token: Token, plan: Plan, playlist: Playlist, *,
              behavior: str = "REPLACE_ALL", expected: str | None = None,
              speech: Narration | None = None) -> Response:
        seg = playlist.segments[token.segment]
        stream = Stream(token=token.encode(), url=self.source.url(plan, seg), offset_in_milliseconds=0,
                        expected_previous_token=expected)
        item = AudioItem(stream=stream, metadata=AudioItemMetadata(title=plan.title, subtitle=words(
            "stream_part", part=str(token.segment + 1), parts=str(len(playlist.segments)))))
        builder = handler_input.response_builder
        if speech:
            builder.speak(ssml(speech))
        builder.add_directive(PlayDirective(play_behavior=PlayBehavior(behavior), audio_item=item))
        if handler_input.request_envelope.session is not None:
            builder.set_should_end_session(True)
        response: Response = builder.response
        return response

    @staticmethod
    def _stop(handler_input: HandlerInput, speech: Narration | None = None) -> Response:
        builder = handler_input.response_builder
        if speech:
            builder.speak(ssml(speech))
        builder.add_directive(StopDirective())
        if handler_input.request_envelope.session is not None:
            builder.set_should_end_session(True)
        response: Response = builder.response
        return response

    @staticmethod
    def _say(handler_input: HandlerInput, speech: Narration) -> Response:
        builder = handler_input.response_builder
        builder.speak(ssml(speech)).set_should_end_session(True)
        response: Response = builder.response
        return response

    @staticmethod
    def empty(handler_input: HandlerInput) -> Response:
        response: Response = handler_input.response_builder.response
        return response

    # --- starting ----------------------------------------------------------------

    def start(self, handler_input: HandlerInput, level: str | None, minutes: int | None,
              exercise: str | None, before: Narration) -> Response | Narration:
        """The stream of the workout asked for, or (turn mode) what to say first."""
        if self.source is None or not _plays_audio(handler_input):
            return before
        attributes = self._attributes(handler_input)
        if attributes.get(MODE_KEY) == TURNS:
            return before
        if attributes.get(FAILED_KEY):
            self._update(handler_input, lambda a: a.pop(FAILED_KEY, None))
            return before + words("stream_failed")
        saved = Saved.from_attributes(attributes)
        spec = streamed(PlanSpec(level or saved.level or DEFAULT_LEVEL, minutes, exercise))
        plan = spec.plan()
        opening = getattr(self.source, "opening", self.source.playlist)  # a local source starts faster
        playlist = opening(plan)
        if playlist is None:
            return before
        note = words("first_workout") if level is None and saved.level is None else ""
        if spec.minutes != minutes:  # streams come in set lengths: the nearest one plays
            note += " " + words("streamed_minutes", number=number_words(spec.minutes or 0))
        token = Token(spec, plan.digest, 0)
        now = request_time(handler_input)

        def begin(a: dict[str, Any]) -> None:
            kept = Saved(None, spec.level, Saved.from_attributes(a).finished).into(a)  # a turn workout ends
            a.clear()
            a.update(kept)
            a[STREAM_KEY] = StreamState(token, "playing", 0, now).to_json()

        self._update(handler_input, begin, (("start", plan),))
        speech = before + note + words("stream_intro", title=plan.title)
        return self._play(handler_input, token, plan, playlist, speech=speech)

    # --- playback events (AudioPlayer.*, no session) -----------------------------------

    def event(self, handler_input: HandlerInput, kind: str) -> Response:
        """An AudioPlayer request ``kind`` ("PlaybackNearlyFinished", ...)."""
        request = handler_input.request_envelope.request
        raw = getattr(request, "token", None)
        token = Token.parse(raw)
        state = self.state(handler_input)
        if token is None or state is None or token.plan != state.token.plan:
            return self.empty(handler_input)  # not ours, or not the current stream: ignored
        now = request_time(handler_input)
        if kind == "PlaybackNearlyFinished":
            found = self._playlist(token)
            if found is None or token.segment + 1 >= len(found[1].segments):
                return self.empty(handler_input)
            return self._play(handler_input, token.at(token.segment + 1), *found, behavior="ENQUEUE", expected=raw)
        if kind == "PlaybackStarted":
            self._put(handler_input, StreamState(token, "playing", 0, now))
        elif kind == "PlaybackFinished":
            self._finished(handler_input, token, now)
        elif kind == "PlaybackStopped":
            offset = int(getattr(request, "offset_in_milliseconds", 0) or 0)
            self._put(handler_input, StreamState(token, "stopped", offset, now))
        elif kind == "PlaybackFailed":
            error = getattr(request, "error", None)
            reason = f"{getattr(error, 'object_type', '') or ''} {getattr(error, 'message', '') or ''}".strip()
            log.warning("stream failed at %s: %s", raw, reason or "no reason given")
            self._update(handler_input, lambda a: a.update({FAILED_KEY: (reason or "failed")[:200],
                                                          STREAM_KEY: StreamState(token, "stopped", 0, now).to_json()}))
        return self.empty(handler_input)

    def _put(self, handler_input: HandlerInput, state: StreamState) -> None:
        self._update(handler_input, lambda a: a.__setitem__(STREAM_KEY, state.to_json()))

    def _finished(self, handler_input: HandlerInput, token: Token, now: datetime) -> None:
        found = self._playlist(token)
        if found is None:
            return
        plan, playlist = found
        seg = playlist.segments[token.segment]
        last = token.segment + 1 >= len(playlist.segments)
        track = self.store.tracks_finished

        def step(a: dict[str, Any]) -> None:
            if last:
                s = Saved.from_attributes(a)
                finished = s.finished + (now,) if track else s.finished
                kept = Saved(s.progress, s.level, finished).into(a)
                a.clear()
                a.update(kept)
                a.pop(STREAM_KEY, None)
            else:
                a[STREAM_KEY] = StreamState(token.at(token.segment + 1), "playing", 0, now).to_json()

        events: tuple[Event, ...] = (("progress", seg.blocks[-1], seg.end),)
        self._update(handler_input, step, events + ((("finish",),) if last else ()))

    # --- steering: intents and device buttons ------------------------------------------

    def current(self, handler_input: HandlerInput) -> tuple[Token, int] | None:
        """The stream segment the device holds (else the saved one) and its offset."""
        token, offset = player_token(handler_input)
        state = self.state(handler_input)
        if state is None:
            return None
        if token is not None and token.plan == state.token.plan:
            return token, offset
        return state.token, state.offset_ms

    def steer(self, handler_input: HandlerInput, action: str, *, spoken: bool = True) -> Response:
        """``action``: pause, resume, next, previous, restart (start over, repeat), stop."""
        here = self.current(handler_input)
        found = self._playlist(here[0]) if here is not None else None
        if here is None or found is None:
            return self._say(handler_input, Narration.of(words("no_stream"))) if spoken \
                else self.empty(handler_input)
        (token, offset), (plan, playlist) = here, found
        now = request_time(handler_input)
        if action in ("pause", "stop"):
            self._put(handler_input, StreamState(token, "stopped", offset, now))
            said = Narration.of(words("stream_stopped")) if action == "stop" and spoken else None
            return self._stop(handler_input, said)
        index = token.segment
        if action == "resume":
            index = resume_segment(playlist, StreamState(token, "stopped", offset, now))
        elif action == "next":
            index += 1
        elif action == "previous":
            index -= 1
        if not 0 <= index < len(playlist.segments):
            edge = "already_last" if index >= len(playlist.segments) else "already_first"
            said = Narration.of(words(edge))
            return self._say(handler_input, said) if spoken else self.empty(handler_input)
        target = token.at(index)
        self._put(handler_input, StreamState(target, "playing", 0, now))
        return self._play(handler_input, target, plan, playlist)

    def can_resume(self, handler_input: HandlerInput) -> bool:
        """A saved stream this device can play on, with its audio to be had."""
        if self.source is None or not _plays_audio(handler_input):
            return False
        state = self.state(handler_input)
        return state is not None and self._playlist(state.token) is not None

    def left_off(self, handler_input: HandlerInput) -> tuple[PlanSpec, int] | None:
        """The saved stream's workout and the first block of the part it was
        at (block 0 if the plan changed since): where to go on set by set
        when it cannot play. None if no stream is saved."""
        from timer.compiler import compile_plan
        from timer.segments import lay_out

        state = self.state(handler_input)
        if state is None:
            return None
        token = state.token
        plan = token.spec.plan()
        if plan.digest != token.plan:
            return token.spec, 0
        segments = lay_out(compile_plan(plan))  # the parts as every stream of the plan cuts them
        return token.spec, segments[min(token.segment, len(segments) - 1)].blocks[0]

    def set_mode(self, handler_input: HandlerInput, mode: str) -> Response:
        """ "Set by set" (turns) or "hands-free" (stream), remembered."""
        self._update(handler_input, lambda a: a.__setitem__(MODE_KEY, mode) if mode == TURNS
                     else a.pop(MODE_KEY, None))
        if mode == TURNS:
            said = words("mode_turns")
        elif self.source is None or not _plays_audio(handler_input):
            said = words("mode_no_audio")
        else:
            said = words("mode_stream")
        return self._say(handler_input, Narration.of(said))

