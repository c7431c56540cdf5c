"""Rendered narrations cached on disk, so a cue plays the instant it is due.

Each spoken phrase is synthesised once per engine, voice, rate, volume and
text, trimmed of the silence espeak-ng leaves around it, and stored as
``<sha256>.wav``; a whole narration (phrases, pauses and tones) as
``n-<sha256>.wav``. Files are written atomically (temp file + replace), so
a crash or a second process never leaves a half-written cue behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from speech.audio import RATE, Clip, concat, read_wav, resample, silence, tone_clip, trim, write_wav
from speech.model import Narration, Part, Pause, Say, Sound
from speech.tts import VoiceOptions, engine_id, resolve_voice, synthesize


def _digest(*fields: object) -> str:
    blob = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _part_key(part: Part) -> list[object]:
    if isinstance(part, Say):
        return ["say", part.text.strip()]
    if isinstance(part, Pause):
        return ["pause", part.seconds]
    return ["sound", part.name]


class AudioCache:
    """Audio for narrations spoken with ``options``, kept under ``root``."""

    def __init__(self, root: Path, options: VoiceOptions | None = None, rate: int = RATE) -> None:
        self.root = Path(root)
        self.options = options or VoiceOptions()
        self.rate = rate
        #: Phrases this instance had to synthesise (not found on disk).
        self.rendered = 0
        self._ident: tuple[str, str] | None = None
        self._clips: dict[str, Clip] = {}
        self._paths: dict[Narration, Path] = {}

    def _identity(self) -> tuple[str, str]:
        """(engine id, voice id): loads the engine on first use."""
        if self._ident is None:
            self._ident = (engine_id(), resolve_voice(self.options.voice))
        return self._ident

    def key(self, text: str) -> str:
        """Cache key of one phrase: engine, voice, rate, volume and text."""
        engine, voice = self._identity()
        o = self.options
        return _digest("say", engine, voice, o.rate, o.volume, self.rate, text.strip())

    def phrase_path(self, text: str) -> Path:
        """The WAV of one phrase, synthesised if it is not cached yet."""
        path = self.root / f"{self.key(text)}.wav"
        if not path.exists():
            self._render_phrase(text, path)
        return path

    def _render_phrase(self, text: str, path: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(prefix=".raw-", suffix=".wav", dir=self.root)
        os.close(fd)
        try:
            synthesize(text.strip(), Path(raw), self.options)
            clip = resample(trim(read_wav(raw)), self.rate)
        finally:
            Path(raw).unlink(missing_ok=True)
        write_wav(clip, path)
        self._clips[path.stem] = clip
        self.rendered += 1

    def _phrase_clip(self, text: str) -> Clip:
        path = self.phrase_path(text)
        clip = self._clips.get(path.stem)
        if clip is None:
            clip = self._clips[path.stem] = read_wav(path)
        return clip

    def _part_clip(self, part: Part) -> Clip:
        if isinstance(part, Say):
            return self._phrase_clip(part.text)
        if isinstance(part, Pause):
            return silence(part.seconds, self.rate)
        clip = self._clips.get(f"sound:{part.name}")
        if clip is None:
            clip = self._clips[f"sound:{part.name}"] = tone_clip(part.name, self.rate)
        return clip

    def clip_for(self, n: Narration) -> Clip:
        """The audio of ``n``: phrases synthesised (cached), pauses and sounds generated."""
        return concat((self._part_clip(p) for p in n), self.rate)

    def path_for(self, n: Narration) -> Path:
        """A WAV of the whole narration, rendered once and cached."""
        known = self._paths.get(n)
        if known is not None and known.exists():
            return known
        if len(n) == 1 and isinstance(n.parts[0], Say):
            path = self.phrase_path(n.parts[0].text)
        else:
            engine, voice = self._identity()
            o = self.options
            parts = [_part_key(p) for p in n]
            name = _digest("narration", engine, voice, o.rate, o.volume, self.rate, parts)
            path = self.root / f"n-{name}.wav"
            if not path.exists():
                write_wav(self.clip_for(n), path)
        self._paths[n] = path
        return path

    def render_all(self, ns: Iterable[Narration]) -> None:
        """Render every narration now (distinct phrases synthesised once)."""
        for n in ns:
            if n:
                self.path_for(n)
