"""The live local voice: render every cue up front, then play without waiting.

After rendering, the speaker prunes the audio cache to its size limit
(``LEGCOACH_AUDIO_CACHE_MB``): the cues just rendered or found are the most
recently used and are never pruned while this speaker lives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from speech.audio import AudioError, wav_seconds
from speech.cache import DEFAULT_CACHE_MB, MB, AudioCache, cache_limit_from_env
from speech.model import Narration, Speaker
from speech.paths import audio_cache_dir
from speech.player import Player, SilentPlayer, find_player
from speech.tts import TTSError, VoiceOptions, resolve_voice, tts_available

log = logging.getLogger(__name__)
_warned: set[str] = set()  # warnings already given in this process


class PreparingSpeaker(Speaker, Protocol):
    """A :class:`~speech.model.Speaker` that renders narrations before a workout
    starts (``prepare``), can tell how long each one sounds (``seconds``, None
    when it cannot) and is closed afterwards: :class:`LiveSpeaker` and
    :class:`MuteSpeaker` are two."""

    def prepare(self, ns: Iterable[Narration], /) -> None: ...
    def seconds(self, n: Narration, /) -> float | None: ...
    def close(self) -> None: ...


class LiveSpeaker:
    """Speaks narrations through ``player`` from a disk cache of rendered audio.

    ``prepare`` renders everything before a session starts, then prunes the
    cache to ``cache_limit`` bytes (default: from the environment); ``speak``
    then only starts a player process and returns.
    """

    def __init__(self, options: VoiceOptions, cache_dir: Path, player: Player | None = None,
                 cache_limit: int | None = None) -> None:
        self.options = options
        self.cache = AudioCache(cache_dir, options)
        self.cache_limit = _limit_from_env() if cache_limit is None else cache_limit
        self.player: Player = player if player is not None else find_player()
        self._seconds: dict[Narration, float] = {}
        self._failed = False

    @property
    def audible(self) -> bool:
        """False when there is no audio device (cues are rendered but not heard)."""
        return not isinstance(self.player, SilentPlayer)

    def prepare(self, ns: Iterable[Narration]) -> None:
        """Render every narration now, so later cues start instantly; then
        prune the cache (one folder scan, before the session, never during it)."""
        self.cache.render_all(ns)
        self._prune()

    def _prune(self) -> None:
        """Keep the cache to its limit; a failure only costs disk space, so it
        is logged once and the workout goes on."""
        try:
            result = self.cache.prune(self.cache_limit)
        except OSError as exc:
            _warn_once("prune", "could not prune the audio cache %s: %s", self.cache.root, exc)
            return
        if result.removed:
            log.debug("audio cache: removed %d files (%d bytes), kept %d (%d bytes)",
                      result.removed, result.freed, result.kept_files, result.kept)

    def seconds(self, n: Narration) -> float | None:
        """Length of ``n``'s rendered audio, or None if it cannot be rendered."""
        if n in self._seconds:
            return self._seconds[n]
        try:
            length = wav_seconds(self.cache.path_for(n))
        except (TTSError, AudioError, OSError) as exc:
            self._warn(exc)
            return None
        self._seconds[n] = length
        return length

    def speak(self, n: Narration) -> None:
        """Start playing ``n`` and return at once (stops a cue still playing)."""
        if not n:
            return
        try:
            path = self.cache.path_for(n)
        except (TTSError, AudioError, OSError) as exc:
            self._warn(exc)
            return
        self.player.play(path)

    def _warn(self, exc: Exception) -> None:
        if not self._failed:
            log.warning("could not render a cue (%s); it is shown on screen only", exc)
            self._failed = True

    def close(self) -> None:
        """Stop playback and collect the player processes."""
        self.player.stop()


def _warn_once(key: str, message: str, *args: object) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def _limit_from_env() -> int:
    """The cache limit from the environment; a bad value is a warning, not a
    failed workout (as a bad LEGCOACH_ESPEAK mutes the voice rather than stop)."""
    try:
        return cache_limit_from_env()
    except ValueError as exc:
        _warn_once("cache-limit", "%s; using the default, %d MB", exc, DEFAULT_CACHE_MB)
        return DEFAULT_CACHE_MB * MB


class MuteSpeaker:
    """A speaker that says nothing; the timer shows its cues on screen."""

    audible = False

    def prepare(self, ns: Iterable[Narration]) -> None:
        pass

    def seconds(self, n: Narration) -> float | None:
        return None

    def speak(self, n: Narration) -> None:
        pass

    def close(self) -> None:
        pass


def make_speaker(
    options: VoiceOptions | None = None,
    cache_dir: Path | None = None,
    mute: bool = False,
    player: Player | None = None,
) -> LiveSpeaker | MuteSpeaker:
    """A :class:`LiveSpeaker`, or a :class:`MuteSpeaker` when ``mute`` or when
    this machine has no text-to-speech (then with one logged warning per
    process). ``cache_dir`` defaults to :func:`speech.paths.audio_cache_dir`,
    ``player`` to :func:`speech.player.find_player`.

    Raises :class:`speech.tts.UnknownVoice` for a voice that is not installed.
    """
    if mute:
        return MuteSpeaker()
    if not tts_available():
        if "tts" not in _warned:
            _warned.add("tts")
            log.warning(
                "text-to-speech is unavailable (no espeak-ng library; install the espeak-ng"
                " package or `pip install espeakng-loader`): cues are shown on screen only"
            )
        return MuteSpeaker()
    options = options or VoiceOptions()
    resolve_voice(options.voice)
    return LiveSpeaker(options, cache_dir or audio_cache_dir(), player)
