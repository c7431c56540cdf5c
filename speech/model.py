"""The narration model: what is said, as plain values.

A :class:`Narration` is a sequence of parts: :class:`Say` (words),
:class:`Pause` (silence) and :class:`Sound` (a short generated tone). The
same value is rendered four ways: plain text, SSML for Alexa, a WAV file and
live local playback. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Union

#: Words per minute used to estimate spoken length when no audio is rendered.
DEFAULT_WPM = 165


@dataclass(frozen=True)
class Say:
    """Words to speak."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("Say needs non-empty text")


@dataclass(frozen=True)
class Pause:
    """Silence, in seconds."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"Pause cannot be negative: {self.seconds}")


@dataclass(frozen=True)
class Sound:
    """A short tone generated in code; ``name`` is a key of :data:`SOUNDS`."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in SOUNDS:
            raise ValueError(f"unknown sound {self.name!r}; known: {', '.join(SOUNDS)}")

    @property
    def seconds(self) -> float:
        return SOUNDS[self.name].seconds


class Tone(NamedTuple):
    """How a sound is synthesised: a list of (frequency Hz, seconds) steps."""

    steps: tuple[tuple[float, float], ...]
    #: Alexa sound-library clip used in SSML, or None to render as a pause.
    alexa_url: str | None = None

    @property
    def seconds(self) -> float:
        return sum(duration for _, duration in self.steps)


_SOUNDBANK = "soundbank://soundlibrary"
SOUNDS: dict[str, Tone] = {
    "beep": Tone(((880.0, 0.15),)),
    "go": Tone(((1320.0, 0.35),)),
    "whistle": Tone(
        ((1800.0, 0.12), (0.0, 0.05), (1800.0, 0.3)),
        alexa_url=f"{_SOUNDBANK}/sports/whistles/sports_whistles_02",
    ),
    "chime": Tone(
        ((660.0, 0.18), (880.0, 0.18), (1320.0, 0.3)),
        alexa_url=f"{_SOUNDBANK}/ui/gameshow/amzn_ui_sfx_gameshow_positive_response_01",
    ),
}

Part = Union[Say, Pause, Sound]


@dataclass(frozen=True)
class Narration:
    """An immutable sequence of parts. ``+`` concatenates."""

    parts: tuple[Part, ...] = ()

    @classmethod
    def of(cls, *items: Part | str | Narration) -> Narration:
        """Build from parts, strings (become :class:`Say`) and narrations."""
        parts: list[Part] = []
        for item in items:
            if isinstance(item, Narration):
                parts.extend(item.parts)
            elif isinstance(item, str):
                if item.strip():
                    parts.append(Say(item))
            else:
                parts.append(item)
        return cls(tuple(parts))

    def __add__(self, other: Narration | Part | str) -> Narration:
        return Narration.of(self, other)

    def __iter__(self) -> Iterator[Part]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    @property
    def text(self) -> str:
        """The words only, joined with spaces."""
        return " ".join(p.text.strip() for p in self.parts if isinstance(p, Say))

    def estimated_seconds(self, wpm: float = DEFAULT_WPM) -> float:
        """Spoken length estimated from word count, plus pauses and sounds."""
        return sum(part_seconds(p, wpm) for p in self.parts)


def part_seconds(part: Part, wpm: float = DEFAULT_WPM) -> float:
    if isinstance(part, Say):
        return estimate_speech_seconds(part.text, wpm)
    return part.seconds


def estimate_speech_seconds(text: str, wpm: float = DEFAULT_WPM) -> float:
    """A conservative estimate of how long ``text`` takes to say."""
    words = len(text.split())
    # Short phrases carry a fixed onset/offset cost in every TTS engine.
    return 0.25 + words * 60.0 / wpm


def join(items: Iterable[Narration], pause: float = 0.0) -> Narration:
    """Concatenate narrations with an optional pause between them."""
    out: list[Part | Narration] = []
    for i, n in enumerate(items):
        if i and pause > 0:
            out.append(Pause(pause))
        out.append(n)
    return Narration.of(*out)
