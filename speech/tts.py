"""Text-to-speech to WAV files through pyttsx3 over espeak-ng.

pyttsx3 2.99's espeak driver runs espeak-ng in retrieval mode, where
synthesis and parameter changes go through espeak-ng's own worker thread,
and ``runAndWait()`` returns after one 10 ms poll whether or not the file
is written. Its ``endLoop`` cancels whatever that thread is still doing, so
a rate change queued with ``setProperty`` or an unfinished utterance can be
dropped silently (seen here: mixed rates and empty files). This wrapper
therefore, under one process-wide lock and with one engine kept for the
life of the process:

* waits until espeak-ng is idle before each step (``espeak_IsPlaying``),
* applies voice, rate and volume itself through the driver's own ctypes
  binding (:class:`speech.espeak.Espeak`), then waits for them to take effect,
* queues exactly one ``save_to_file`` per ``runAndWait`` (only the last one
  queued would be kept),
* waits for the ``finished-utterance`` callback, checks the file, retries,
* keeps pyttsx3's "Audio saved to ..." line (a Python ``print`` from the
  callback) out of our stdout, replaying anything else that was printed.

Without a system libespeak-ng it loads the one shipped in the
``espeakng-loader`` wheel (see :func:`speech.espeak.ensure_espeak`).

espeak-ng is driven from one Python thread for the life of the process (the
"speech" thread): the engine is made there and every synthesis runs there,
whichever thread asks, one at a time. A forked child gets its own speech
thread. (The crashes inside ``espeak_Synth`` that once were blamed on many
threads came from pyttsx3's binding reading past the text it synthesises,
on any thread; :mod:`speech.espeak` corrects it.)
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from speech.espeak import ESPEAK_ENV, Espeak, TTSUnavailable, ensure_espeak

__all__ = [
    "ESPEAK_ENV",
    "MAX_RATE",
    "MIN_RATE",
    "TTSError",
    "TTSUnavailable",
    "UnknownVoice",
    "VoiceInfo",
    "VoiceOptions",
    "engine_id",
    "ensure_espeak",
    "list_voices",
    "resolve_voice",
    "synthesize",
    "tts_available",
]

MIN_RATE, MAX_RATE = 80, 450
_CHATTER = re.compile(r"^Audio saved to .*\n?", re.MULTILINE)
_ATTEMPTS = 3


class TTSError(RuntimeError):
    """The engine is there but did not produce the audio."""


class UnknownVoice(ValueError):
    """The requested voice is not installed."""


@dataclass(frozen=True)
class VoiceOptions:
    """How to speak: voice (id or name, None = engine default), words per
    minute and volume (0.0 to 1.0)."""

    voice: str | None = None
    rate: int = 175
    volume: float = 1.0

    def __post_init__(self) -> None:
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise ValueError(f"rate must be {MIN_RATE} to {MAX_RATE} words per minute, not {self.rate}")
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"volume must be 0.0 to 1.0, not {self.volume}")


@dataclass(frozen=True)
class VoiceInfo:
    """An installed voice."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None

    def matches(self, wanted: str) -> bool:
        """True for this voice's id, last id segment, name or language code."""
        w = wanted.strip().lower()
        names = (self.id, self.id.rsplit("/", 1)[-1], self.name, *self.languages)
        return w in (n.lower() for n in names)


@dataclass
class _Runtime:
    """Process-wide speech state (espeak-ng itself is one per process)."""

    engine: _Engine | None = None
    failure: str | None = None  # why the engine could not start
    thread: ThreadPoolExecutor | None = None  # the speech thread
    ident: int | None = None  # its thread id


_LOCK = threading.RLock()
_rt = _Runtime()


class _Engine:
    """The one pyttsx3 engine of this process. Use only under ``_LOCK``."""

    def __init__(self) -> None:
        self._espeak = Espeak()
        try:
            import pyttsx3

            self._engine = pyttsx3.init("espeak")
        except (ImportError, OSError, RuntimeError) as exc:
            raise TTSUnavailable(f"pyttsx3 could not start espeak-ng: {exc}") from exc
        self._done = threading.Event()
        self._completed = False
        self._engine.connect("finished-utterance", self._on_finished)
        self.default_voice = str(self._engine.getProperty("voice") or "")
        version, source = self._espeak.version(), self._espeak.source
        self.id = f"pyttsx3 {metadata.version('pyttsx3')} espeak-ng {version} ({source})"
        self.voices = [_voice_info(v) for v in self._engine.getProperty("voices")]
        self._applied: tuple[str, int, float] | None = None

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self._completed = bool(completed)
        self._done.set()

    def _wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self._espeak.busy():
            if time.monotonic() > deadline:
                raise TTSError("espeak-ng stayed busy for more than 10 s")
            time.sleep(0.0005)

    def _apply(self, voice: str, options: VoiceOptions) -> None:
        wanted = (voice, options.rate, options.volume)
        if wanted == self._applied:
            return
        self._wait_idle()
        if not self._espeak.set_voice(voice):
            raise UnknownVoice(f"espeak-ng could not load voice {voice!r}")
        self._espeak.set_rate_and_volume(options.rate, round(options.volume * 100))
        self._wait_idle()
        self._applied = wanted

    def render(self, text: str, target: Path, voice: str, options: VoiceOptions) -> None:
        """Write ``text`` spoken to ``target`` (overwritten)."""
        self._apply(voice, options)
        timeout = 10.0 + len(text) / 100
        for _ in range(_ATTEMPTS):
            self._wait_idle()
            self._done.clear()
            captured = io.StringIO()
            with contextlib.redirect_stdout(captured):
                self._engine.save_to_file(text, str(target))
                self._engine.runAndWait()
                finished = self._done.wait(timeout)
            _replay(captured.getvalue())
            if finished and self._completed and _has_frames(target):
                return
        raise TTSError(f"espeak-ng produced no audio for {text[:40]!r}")


def _voice_info(v: Any) -> VoiceInfo:
    langs = tuple(str(x) for x in (getattr(v, "languages", None) or ()))
    return VoiceInfo(str(v.id), str(v.name or v.id), langs, getattr(v, "gender", None))


def _replay(printed: str) -> None:
    rest = _CHATTER.sub("", printed)
    if rest:
        sys.stdout.write(rest)


def _has_frames(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, wave.Error, EOFError):
        return False


_T = TypeVar("_T")
_THREAD_LOCK = threading.Lock()


def _mark_speech_thread() -> None:
    _rt.ident = threading.get_ident()


def _forget_speech_thread() -> None:
    """In a forked child: the parent's speech thread did not come along."""
    global _THREAD_LOCK
    _THREAD_LOCK = threading.Lock()
    _rt.thread, _rt.ident = None, None


os.register_at_fork(after_in_child=_forget_speech_thread)


def _on_speech_thread(fn: Callable[..., _T], *args: Any) -> _T:
    """``fn(*args)`` run on the process's speech thread; its result or its exception."""
    if threading.get_ident() == _rt.ident:
        return fn(*args)
    with _THREAD_LOCK:
        if _rt.thread is None:
            _rt.thread = ThreadPoolExecutor(1, thread_name_prefix="speech", initializer=_mark_speech_thread)
        thread = _rt.thread
    return thread.submit(fn, *args).result()


def _engine() -> _Engine:
    return _on_speech_thread(_start_engine)


def _start_engine() -> _Engine:
    with _LOCK:
        if _rt.failure:
            raise TTSUnavailable(_rt.failure)
        if _rt.engine is None:
            try:
                _rt.engine = _Engine()
            except TTSUnavailable as exc:
                _rt.failure = str(exc)
                raise
        return _rt.engine


def tts_available() -> bool:
    """True when speech can be synthesised on this machine."""
    try:
        _engine()
    except TTSUnavailable:
        return False
    return True


def engine_id() -> str:
    """Names the engine and its version, e.g. for cache keys."""
    return _engine().id


def list_voices() -> list[VoiceInfo]:
    """Installed voices, as espeak-ng lists them."""
    return list(_engine().voices)


def resolve_voice(wanted: str | None) -> str:
    """The voice id for ``wanted`` (id, short id or name; None = default).

    Raises :class:`UnknownVoice` for a voice that is not installed (pyttsx3
    itself would ignore it silently).
    """
    engine = _engine()
    if wanted is None or not wanted.strip():
        return engine.default_voice
    for info in engine.voices:
        if info.matches(wanted):
            return info.id
    close = closest_voices(wanted, engine.voices)
    hint = f"closest: {', '.join(close)}; " if close else ""
    raise UnknownVoice(f"unknown voice {wanted.strip()[:40]!r}; {hint}`python -m speech voices` lists them all")


def closest_voices(wanted: str, voices: Iterable[VoiceInfo], n: int = 3) -> list[str]:
    """Up to ``n`` installed voice names that look like ``wanted`` (best first)."""
    names: dict[str, str] = {}
    for info in voices:
        for key in (info.name, info.id.rsplit("/", 1)[-1]):
            names.setdefault(key.lower(), info.name)
    found = difflib.get_close_matches(wanted.strip().lower()[:40], list(names), n=n * 2, cutoff=0.6)
    return list(dict.fromkeys(names[key] for key in found))[:n]


def synthesize(text: str, path: Path, options: VoiceOptions) -> Path:
    """Speak ``text`` into ``path``: mono 16-bit WAV at espeak-ng's rate
    (22,050 Hz), written atomically. ``path``'s folder must exist.
    Thread-safe; blocks while rendering."""
    if not text.strip():
        raise ValueError("nothing to say: text is empty")
    return _on_speech_thread(_synthesize, text, Path(path), options)


def _synthesize(text: str, path: Path, options: VoiceOptions) -> Path:
    with _LOCK:
        engine = _engine()
        voice = resolve_voice(options.voice)
        fd, tmp = tempfile.mkstemp(prefix=".tts-", suffix=".wav", dir=path.parent)
        os.close(fd)
        try:
            engine.render(text, Path(tmp), voice, options)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return path
