"""The narration model: what is said, as plain values.

A :class:`Narration` is a sequence of parts: :class:`Say` (words),
:class:`Pause` (silence) and :class:`Sound` (a short generated tone). The
same value is rendered four ways: plain text, SSML for Alexa, a WAV file and
live local playback (by a :class:`Speaker`). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any, NamedTuple, Protocol, Union

#: Words per minute used to estimate spoken length when no audio is rendered.
DEFAULT_WPM = 165


class _Value:
    """Base of the parts and :class:`Narration`: immutable values, equal when
    of the same class with equal fields, hashable, with a dataclass-style repr.

    Written out rather than ``@dataclass(frozen=True)``: this module is
    imported on every Lambda cold start of the skill, where generating four
    frozen dataclasses costs over a millisecond (about a tenth of all the
    skill adds to the SDK's own import time).
    """

    __slots__: tuple[str, ...] = ()
    #: The fields' values (one field: the value itself), set per subclass.
    _key: Callable[[Any], object]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._key = attrgetter(*cls.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) == self._key(other)

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)


class Say(_Value):
    """Words to speak."""

    __slots__ = ("text",)
    text: str

    def __init__(self, text: str) -> None:
        if not text.strip():
            raise ValueError("Say needs non-empty text")
        object.__setattr__(self, "text", text)


class Pause(_Value):
    """Silence, in seconds."""

    __slots__ = ("seconds",)
    seconds: float

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"Pause cannot be negative: {seconds}")
        object.__setattr__(self, "seconds", seconds)


class Sound(_Value):
    """A short tone generated in code; ``name`` is a key of :data:`SOUNDS`."""

    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        if name not in SOUNDS:
            raise ValueError(f"unknown sound {name!r}; known: {', '.join(SOUNDS)}")
        object.__setattr__(self, "name", name)

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


class Narration(_Value):
    """An immutable sequence of parts. ``+`` concatenates."""

    __slots__ = ("parts",)
    parts: tuple[Part, ...]

    def __init__(self, parts: tuple[Part, ...] = ()) -> None:
        object.__setattr__(self, "parts", tuple(parts))

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


class Speaker(Protocol):
    """Says a narration aloud: the live voice, a mute one, a test's recorder
    (:mod:`speech.live` has the ones that also prepare their audio ahead)."""

    def speak(self, narration: Narration, /) -> None: ...
