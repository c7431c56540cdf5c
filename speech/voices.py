"""Who speaks: the synthesizer behind the audio cache.

A :class:`Synthesizer` turns one phrase into a mono 16-bit WAV file and
names itself by engine and voice; that name is part of every cached
phrase's key and every stream segment's digest, so audio of two voices
never collides. The default is the offline local voice (:class:`LocalVoice`,
pyttsx3 over espeak-ng). A voice written ``polly:<VoiceId>`` is Amazon
Polly's (:class:`speech.polly.PollyVoice`), for publishing streams.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from speech.tts import VoiceOptions, engine_id, resolve_voice, synthesize

POLLY_PREFIX = "polly:"


class Synthesizer(Protocol):
    def identity(self) -> tuple[str, str]:
        """(engine, voice): what makes this voice's audio different from another's."""

    def synthesize(self, text: str, path: Path) -> Path:
        """Speak ``text`` into ``path``, a mono 16-bit WAV file; its folder exists."""


class LocalVoice:
    """pyttsx3 over espeak-ng, on this machine, with ``options``."""

    def __init__(self, options: VoiceOptions) -> None:
        self.options = options

    def identity(self) -> tuple[str, str]:
        return engine_id(), resolve_voice(self.options.voice)

    def synthesize(self, text: str, path: Path) -> Path:
        return synthesize(text, path, self.options)


def voice_for(options: VoiceOptions) -> Synthesizer:
    """The synthesizer ``options.voice`` names: Amazon Polly for ``polly:<VoiceId>``,
    else the local voice."""
    voice = options.voice or ""
    if voice.startswith(POLLY_PREFIX):
        from speech.polly import PollyVoice  # boto3 loads only for Polly

        return PollyVoice(voice[len(POLLY_PREFIX):])
    return LocalVoice(options)
