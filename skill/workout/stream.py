"""The workout as one stream (Alexa's AudioPlayer), beside the turn mode.

On a device that plays audio (``AudioPlayer`` in its supported interfaces),
"start a workout" says a short intro and plays the first segment of the
plan's stream (:mod:`timer.segments`, one segment per set and its rest);
the device asks for each next one as the current one nearly finishes, so
the user speaks once for the whole workout. Segments come from a
:class:`~skill.workout.stream_sources.SegmentSource`.

Tokens name content and place only, never the user:
``lc1|<plan digest>|<segment>|<level>|<minutes>|<exercise>``. A token that
does not parse, or is not the user's current stream, is ignored.

The user's stream state is the persistent attribute ``stream``: the token
of the segment playing (or stopped), the offset where it stopped, and the
status. ``workout_mode`` = ``"turns"`` keeps the user in the turn mode
("set by set"); ``stream_failed`` holds why the last stream failed, so the
next start says so and guides turn by turn. Light to import: the handlers
(:mod:`skill.workout.stream_handlers`) check requests with it, and the
:mod:`skill.workout.streamer` plays streams.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ask_sdk_core.handler_input import HandlerInput

    from skill.workout.plan_spec import PlanSpec

    from timer.segments import Playlist

TOKEN_VERSION = "lc1"
MAX_TOKEN = 1024
STREAM_KEY = "stream"
MODE_KEY = "workout_mode"
FAILED_KEY = "stream_failed"
TURNS = "turns"
STREAM = "stream"
#: Seconds after a set's end within which a stop still counts as inside the set.
SET_END_SLACK = 0.5


@dataclass(frozen=True)
class Token:
    """What a stream token says: which plan's stream and which segment."""

    spec: PlanSpec
    plan: str
    segment: int

    def encode(self) -> str:
        s = self.spec
        text = "|".join((TOKEN_VERSION, self.plan, str(self.segment), s.level,
                         str(s.minutes) if s.minutes is not None else "-", s.exercise or "-"))
        if len(text) > MAX_TOKEN:  # cannot happen with known levels and exercises
            raise ValueError("stream token too long")
        return text

    @classmethod
    def parse(cls, raw: Any) -> Token | None:
        """The token ``raw`` encodes, or None for anything else (foreign, stale format)."""
        if not isinstance(raw, str) or len(raw) > MAX_TOKEN:
            return None
        parts = raw.split("|")
        if len(parts) != 6 or parts[0] != TOKEN_VERSION or not parts[2].isdigit():
            return None
        minutes = None if parts[4] == "-" else parts[4]
        if minutes is not None and not minutes.isdigit():
            return None
        from skill.workout.plan_spec import PlanSpec  # plans load on a stream request only

        spec = PlanSpec.from_json({"level": parts[3], **({"minutes": int(minutes)} if minutes else {}),
                                   **({"exercise": parts[5]} if parts[5] != "-" else {})})
        if spec is None:
            return None
        return cls(spec, parts[1], int(parts[2]))

    def at(self, segment: int) -> Token:
        return replace(self, segment=segment)


@dataclass(frozen=True)
class StreamState:
    """The user's stream: the segment ``token`` names, playing or stopped at ``offset_ms``."""

    token: Token
    status: str = "playing"  # "playing", "stopped"
    offset_ms: int = 0
    updated_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"token": self.token.encode(), "status": self.status, "offset_ms": self.offset_ms}
        if self.updated_at is not None:
            value["at"] = self.updated_at.astimezone(timezone.utc).isoformat(timespec="seconds")
        return value

    @classmethod
    def from_json(cls, value: Any) -> StreamState | None:
        if not isinstance(value, dict):
            return None
        token = Token.parse(value.get("token"))
        status, offset = value.get("status"), value.get("offset_ms", 0)
        if token is None or status not in ("playing", "stopped") or not isinstance(offset, int):
            return None
        try:
            at = datetime.fromisoformat(value["at"]) if isinstance(value.get("at"), str) else None
        except ValueError:
            at = None
        return cls(token, status, max(0, offset), at)


def resume_segment(playlist: Playlist, state: StreamState) -> int:
    """Where to carry on after a stop: the stopped segment from its start (its
    set again) unless the stop came after the set's end (in the rest), then
    the next segment. Offsets after a resume are not exact on every device:
    always a segment's start, never a position inside one."""
    index = min(state.token.segment, len(playlist.segments) - 1)
    seg = playlist.segments[index]
    heard = state.offset_ms / 1000
    if seg.set_end is not None and heard >= seg.offset_in_file(seg.set_end) + SET_END_SLACK:
        return min(index + 1, len(playlist.segments) - 1)
    return index


def player_token(handler_input: HandlerInput) -> tuple[Token | None, int]:
    """Our token in the device's player state (None if none or foreign) and its offset."""
    ctx = handler_input.request_envelope.context
    player = ctx.audio_player if ctx is not None else None
    if player is None:
        return None, 0
    return Token.parse(player.token), int(player.offset_in_milliseconds or 0)
