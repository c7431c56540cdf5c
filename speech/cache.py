"""Rendered narrations cached on disk, so a cue plays the instant it is due.

Each spoken phrase is synthesised once per engine, voice, rate, volume and
text (by the local voice, or the one :func:`speech.voices.voice_for` picks), trimmed of the silence espeak-ng leaves around it, and stored as
``<sha256>.wav``; a whole narration (phrases, pauses and tones) as
``n-<sha256>.wav``; other content-addressed files (a stream's MP3 segments)
through :meth:`AudioCache.file_for`. Files are written atomically (temp file + replace), so
a crash or a second process never leaves a half-written cue behind.

The folder is kept to a size limit (:data:`CACHE_MB_ENV`, default
:data:`DEFAULT_CACHE_MB` MB) by :meth:`AudioCache.prune`, least recently used
first. A file's mtime is its last use: a cache hit sets it to now, once per
:class:`AudioCache` (atime is unreliable under relatime/noatime). Pruning
never removes a file the pruning instance has used, so a workout in progress
keeps its cues, and it tolerates files vanishing under it: another process
may write or prune the same folder at the same time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from speech.audio import RATE, Clip, concat, read_wav, resample, silence, tone_clip, trim, write_wav
from speech.model import Narration, Part, Pause, Say
from speech.tts import VoiceOptions
from speech.voices import Synthesizer, voice_for


#: Environment variable: the cache's size limit in megabytes (0: keep only what is in use).
CACHE_MB_ENV = "LEGCOACH_AUDIO_CACHE_MB"
DEFAULT_CACHE_MB = 200
MB = 1_000_000
#: Temp files (``.raw-*.wav``, ``.tmp-*.wav``) older than this, in seconds, were
#: left by a crash; younger ones may be a write in progress in another process.
TEMP_MAX_AGE = 3600.0


def megabytes(raw: str) -> int:
    """A size limit given in whole megabytes, as bytes.

    Raises ValueError (saying what to give, not repeating ``raw``) otherwise.
    """
    try:
        mb = int(raw.strip())
    except ValueError:
        mb = -1
    if mb < 0:
        raise ValueError("give a whole number of megabytes, 0 or more")
    return mb * MB


def cache_limit_from_env() -> int:
    """The cache size limit in bytes: $LEGCOACH_AUDIO_CACHE_MB, else 200 MB.

    Raises ValueError naming the variable when it is not a whole number >= 0.
    """
    raw = os.environ.get(CACHE_MB_ENV, "").strip()
    if not raw:
        return DEFAULT_CACHE_MB * MB
    try:
        return megabytes(raw)
    except ValueError as exc:
        raise ValueError(f"{CACHE_MB_ENV}={raw!r}: {exc}") from None


@dataclass(frozen=True)
class CacheUsage:
    """The cached audio in a folder (temp files not counted)."""

    files: int
    bytes: int


@dataclass(frozen=True)
class PruneResult:
    """What :meth:`AudioCache.prune` did: files and bytes it removed (old temp
    files included), and the cached audio left."""

    removed: int
    freed: int
    kept_files: int
    kept: int


@dataclass(frozen=True)
class _File:
    path: Path
    size: int
    mtime: float

    @property
    def temp(self) -> bool:
        return self.path.name.startswith(".")


CACHED_SUFFIXES = (".wav", ".mp3")


def _scan(root: Path) -> list[_File]:
    """The cached files (``*.wav``, ``*.mp3``) directly in ``root`` (temp files
    too); [] if it is missing.

    A file removed by another process while we look is left out, not an error.
    """
    try:
        entries = os.scandir(root)
    except FileNotFoundError:
        return []
    found: list[_File] = []
    with entries:
        for entry in entries:
            if not entry.name.endswith(CACHED_SUFFIXES):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            found.append(_File(root / entry.name, st.st_size, st.st_mtime))
    return found


def _remove(path: Path) -> bool:
    """Delete ``path``; False if another process got there first."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _digest(*fields: object) -> str:
    blob = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def part_key(part: Part) -> list[object]:
    """What identifies one part of a narration in a cache key."""
    if isinstance(part, Say):
        return ["say", part.text.strip()]
    if isinstance(part, Pause):
        return ["pause", part.seconds]
    return ["sound", part.name]


class AudioCache:
    """Audio for narrations spoken with ``options``, kept under ``root``; phrases
    are synthesised by ``voice`` (default: the one ``options.voice`` names)."""

    def __init__(self, root: Path, options: VoiceOptions | None = None, rate: int = RATE,
                 voice: Synthesizer | None = None) -> None:
        self.root = Path(root)
        self.options = options or VoiceOptions()
        self.rate = rate
        self.voice = voice if voice is not None else voice_for(self.options)
        #: Phrases this instance had to synthesise (not found on disk).
        self.rendered = 0
        self._ident: tuple[str, str] | None = None
        self._clips: dict[str, Clip] = {}
        self._paths: dict[Narration, Path] = {}
        #: Files this instance wrote or found on disk: marked used, never pruned by it.
        self._used: set[Path] = set()

    def _identity(self) -> tuple[str, str]:
        """(engine id, voice id): loads the engine on first use."""
        if self._ident is None:
            self._ident = self.voice.identity()
        return self._ident

    def key(self, text: str) -> str:
        """Cache key of one phrase: engine, voice, rate, volume and text."""
        engine, voice = self._identity()
        o = self.options
        return _digest("say", engine, voice, o.rate, o.volume, self.rate, text.strip())

    def content_key(self, kind: str, *fields: object) -> str:
        """Digest of ``fields`` (JSON-able) with this cache's engine, voice, rate,
        volume and sample rate: a name for audio made from them."""
        engine, voice = self._identity()
        o = self.options
        return _digest(kind, engine, voice, o.rate, o.volume, self.rate, *fields)

    def file_for(self, name: str, make: Callable[[], bytes]) -> Path:
        """The cached file ``name`` (e.g. ``s-<digest>.mp3``), written from
        ``make()`` (atomically) if it is not there yet; marked used."""
        path = self.root / name
        if not self._on_disk(path):
            data = make()
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=self.root)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._used.add(path)
        return path

    def phrase_path(self, text: str) -> Path:
        """The WAV of one phrase, synthesised if it is not cached yet."""
        path = self.root / f"{self.key(text)}.wav"
        if not self._on_disk(path):
            self._render_phrase(text, path)
        return path

    def _on_disk(self, path: Path) -> bool:
        """Whether ``path`` is cached; its first hit here marks it used (mtime = now).

        Later hits only check it still exists, as before: no extra work on the
        path a cue takes when it fires.
        """
        if path in self._used:
            return path.exists()
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        except OSError:  # e.g. someone else's read-only cache: usable, just not marked
            if not path.exists():
                return False
        self._used.add(path)
        return True

    def _render_phrase(self, text: str, path: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(prefix=".raw-", suffix=".wav", dir=self.root)
        os.close(fd)
        try:
            self.voice.synthesize(text.strip(), Path(raw))
            clip = resample(trim(read_wav(raw)), self.rate)
        finally:
            Path(raw).unlink(missing_ok=True)
        write_wav(clip, path)
        self._used.add(path)
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
            parts = [part_key(p) for p in n]
            name = _digest("narration", engine, voice, o.rate, o.volume, self.rate, parts)
            path = self.root / f"n-{name}.wav"
            if not self._on_disk(path):
                write_wav(self.clip_for(n), path)
                self._used.add(path)
        self._paths[n] = path
        return path

    def render_all(self, ns: Iterable[Narration]) -> None:
        """Render every narration now (distinct phrases synthesised once)."""
        for n in ns:
            if n:
                self.path_for(n)

    def usage(self) -> CacheUsage:
        """How many cached files there are and their total size."""
        cached = [f for f in _scan(self.root) if not f.temp]
        return CacheUsage(len(cached), sum(f.size for f in cached))

    def prune(self, max_bytes: int) -> PruneResult:
        """Remove the least recently used files until the cached audio takes at
        most ``max_bytes``, and temp files a crash left (older than an hour).

        Files this instance has used are kept whatever the limit, so the total
        may stay above it. Files that vanish meanwhile (another process pruning)
        are skipped, never an error.
        """
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be 0 or more, not {max_bytes}")
        return _prune(_scan(self.root), max_bytes, self._used, time.time())


def _prune(files: list[_File], max_bytes: int, keep: Collection[Path], now: float) -> PruneResult:
    removed = freed = 0
    for f in files:
        if f.temp and now - f.mtime > TEMP_MAX_AGE and _remove(f.path):
            removed, freed = removed + 1, freed + f.size
    cached = sorted((f for f in files if not f.temp), key=lambda f: (f.mtime, f.path.name))
    total, count = sum(f.size for f in cached), len(cached)
    for f in cached:
        if total <= max_bytes:
            break
        if f.path in keep:
            continue
        if _remove(f.path):
            removed, freed = removed + 1, freed + f.size
        total, count = total - f.size, count - 1  # gone either way
    return PruneResult(removed, freed, count, total)
