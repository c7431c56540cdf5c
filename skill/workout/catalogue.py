"""The workouts stream mode can start: what is published and rendered ahead.

A stream is audio made ahead of time (on AWS only ``infra/publish_audio.py``
makes it), and a length fitted to the minute is a plan of its own whose
segments are nearly all new audio: the sets, rests and cues move, so almost
no segment is the same file as another length's. Measured over every
workout the voice can start (3 levels, each as planned or with one of 15
exercises alone, fitted to 2 to 60 minutes: 2,880 plans), each minute
value adds 39 to 805 new segments (up to 19 hours of audio), 19,585
segments and 489 hours in all. So stream mode plays the nearest length of
:data:`STREAM_MINUTES` (asked for 18 minutes, a 20-minute workout, and the
intro says so), and the turn mode keeps the exact length.

:func:`catalogue` lists every workout stream mode can start, most likely
first: the levels as planned, the levels at each streamed length, then the
same for one exercise alone. The publish step uploads it all; a
self-hosted server renders it ahead in this order, within its audio cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from skill.workout.plan_spec import LEVELS, PlanSpec
from timer.exercises import load_exercises

#: The lengths (minutes) a streamed workout is fitted to.
STREAM_MINUTES = (2, *range(5, 61, 5))
#: The lengths the voice accepts ("a 12 minute workout").
VOICE_MINUTES = range(2, 61)


def streamed_minutes(asked: int | None) -> int | None:
    """The length a stream plays for ``asked`` minutes: the nearest of
    :data:`STREAM_MINUTES` (the shorter of two as near); None stays None
    (the plan's own length)."""
    if asked is None:
        return None
    return min(STREAM_MINUTES, key=lambda m: (abs(m - asked), m))


def streamed(spec: PlanSpec) -> PlanSpec:
    """The workout a stream plays when ``spec`` is asked for."""
    return replace(spec, minutes=streamed_minutes(spec.minutes))


def catalogue(levels: Iterable[str] = LEVELS, exercises: Iterable[str] | None = None) -> Iterator[PlanSpec]:
    """Every workout stream mode can start at ``levels`` (with each of
    ``exercises`` alone, default every exercise), most likely first."""
    levels = tuple(levels)
    alone = tuple(load_exercises() if exercises is None else exercises)
    for exercise in (None, *alone):
        for minutes in (None, *STREAM_MINUTES):
            for level in levels:
                yield PlanSpec(level, minutes, exercise)
