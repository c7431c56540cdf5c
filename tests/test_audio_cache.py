"""The audio cache's size limit: use marks, LRU pruning, temp files, the
environment variable, the live speaker's pruning and ``python -m speech cache``.

Files are plain WAVs written with ``write_wav`` and given explicit mtimes, so
the order of use is set by the test, never by how fast it runs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from speech.audio import silence, write_wav
from speech.cache import (
    CACHE_MB_ENV,
    DEFAULT_CACHE_MB,
    MB,
    TEMP_MAX_AGE,
    AudioCache,
    CacheUsage,
    PruneResult,
    cache_limit_from_env,
)
from speech.live import LiveSpeaker
from speech.model import Narration, Pause, Sound
from speech.paths import audio_cache_dir
from speech.player import SilentPlayer
from speech.tts import VoiceOptions

ROOT = Path(__file__).resolve().parent.parent
LONG_AGO = 1_000_000_000.0  # 2001: older than any file the tests write for real


def cached_wav(path: Path, seconds: float = 0.1, mtime: float | None = None) -> Path:
    """A WAV at ``path``, last used at ``mtime`` (seconds since the epoch)."""
    write_wav(silence(seconds), path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def stale_files(root: Path, count: int, seconds: float = 0.1) -> list[Path]:
    """``count`` cached-looking files, oldest first, all used long ago; their
    names sort the other way, so only the use order can explain what is kept."""
    return [cached_wav(root / f"{count - i:064x}.wav", seconds, LONG_AGO + i) for i in range(count)]


def size(*paths: Path) -> int:
    return sum(p.stat().st_size for p in paths)


def names(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()}


# --- marking use -------------------------------------------------------------


def test_a_hit_from_a_new_cache_marks_the_file_used_once(tmp_path: Path) -> None:
    writer = AudioCache(tmp_path, VoiceOptions())
    path = cached_wav(tmp_path / f"{writer.key('Rest.')}.wav", mtime=LONG_AGO)
    reader = AudioCache(tmp_path, VoiceOptions())  # a later session
    assert reader.phrase_path("Rest.") == path and reader.rendered == 0
    assert path.stat().st_mtime > LONG_AGO + 1  # now: used
    os.utime(path, (LONG_AGO, LONG_AGO))
    assert reader.path_for(Narration.of("Rest.")) == path
    assert reader.phrase_path("Rest.") == path
    assert path.stat().st_mtime == LONG_AGO  # repeated hits: no filesystem writes


def test_a_whole_narration_hit_is_marked_once_too(tmp_path: Path) -> None:
    n = Narration.of(Sound("go"), Pause(0.2), "Go!")
    path = AudioCache(tmp_path, VoiceOptions()).path_for(n)
    assert path.name.startswith("n-")
    os.utime(path, (LONG_AGO, LONG_AGO))
    later = AudioCache(tmp_path, VoiceOptions())
    assert later.path_for(n) == path and later.rendered == 0
    assert path.stat().st_mtime > LONG_AGO + 1
    os.utime(path, (LONG_AGO, LONG_AGO))
    assert later.path_for(n) == path  # as when a cue fires
    assert path.stat().st_mtime == LONG_AGO


def test_a_file_that_vanished_is_rendered_again(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, VoiceOptions())
    path = cache.phrase_path("Rest.")
    path.unlink()  # pruned by another process
    assert cache.path_for(Narration.of("Rest.")) == path and path.exists()
    assert cache.rendered == 2


# --- pruning -----------------------------------------------------------------


def test_prune_removes_the_least_recently_used_not_the_oldest(tmp_path: Path) -> None:
    user = AudioCache(tmp_path, VoiceOptions())
    first = cached_wav(tmp_path / f"{user.key('Squats.')}.wav", mtime=LONG_AGO)  # created first
    second = cached_wav(tmp_path / ("b" * 64 + ".wav"), mtime=LONG_AGO + 10)
    third = cached_wav(tmp_path / ("c" * 64 + ".wav"), mtime=LONG_AGO + 20)
    user.phrase_path("Squats.")  # ...but used last
    result = AudioCache(tmp_path).prune(size(first, third))
    assert names(tmp_path) == {first.name, third.name}
    assert result == PruneResult(removed=1, freed=size(first), kept_files=2, kept=size(first, third))


@pytest.mark.parametrize(("limit_files", "left"), [(0, 0), (1, 1), (2.5, 2), (5, 5), (9, 5)])
def test_prune_keeps_the_newest_files_within_the_limit(
    tmp_path: Path, limit_files: float, left: int
) -> None:
    files = stale_files(tmp_path, 5)
    each = size(files[0])
    result = AudioCache(tmp_path).prune(int(limit_files * each))
    assert names(tmp_path) == {p.name for p in files[5 - left:]}
    assert (result.removed, result.freed) == (5 - left, (5 - left) * each)
    assert (result.kept_files, result.kept) == (left, left * each)
    assert AudioCache(tmp_path).usage().bytes == result.kept <= limit_files * each


def test_prune_rejects_a_negative_limit(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        AudioCache(tmp_path).prune(-1)


def test_old_temp_files_go_young_ones_stay_and_neither_counts(tmp_path: Path) -> None:
    kept = cached_wav(tmp_path / ("a" * 64 + ".wav"), mtime=LONG_AGO)
    crashed = time.time() - TEMP_MAX_AGE - 600
    left_by_crash = cached_wav(tmp_path / ".raw-x1.wav", mtime=crashed)
    also_crashed = cached_wav(tmp_path / ".tmp-x2.wav", mtime=crashed)
    writing = cached_wav(tmp_path / ".tmp-x3.wav", seconds=5.0)  # another process, right now
    not_ours = tmp_path / ".lock"
    not_ours.write_text("")
    os.utime(not_ours, (crashed, crashed))
    assert AudioCache(tmp_path).usage() == CacheUsage(files=1, bytes=size(kept))
    crash_bytes = size(left_by_crash, also_crashed)
    result = AudioCache(tmp_path).prune(size(kept))  # the young temp file alone is bigger
    assert names(tmp_path) == {kept.name, writing.name, ".lock"}
    assert result == PruneResult(removed=2, freed=crash_bytes, kept_files=1, kept=size(kept))


def test_prune_never_removes_what_the_instance_uses(tmp_path: Path) -> None:
    old = stale_files(tmp_path, 3)
    cache = AudioCache(tmp_path, VoiceOptions())
    reused = cached_wav(tmp_path / f"{cache.key('Rest.')}.wav", mtime=LONG_AGO - 10)  # oldest of all
    cues = [Narration.of("Rest."), Narration.of("Squats."), Narration.of(Sound("beep"), "Go!")]
    cache.render_all(cues)
    mine = {cache.path_for(n) for n in cues} | {cache.phrase_path("Go!")}
    result = cache.prune(0)
    assert names(tmp_path) == {p.name for p in mine} and reused in mine
    assert result.removed == len(old) and result.kept == size(*mine) > 0
    assert cache.rendered == 2  # Squats, Go!: nothing pruned had to be rendered again
    cache.render_all(cues)
    assert cache.rendered == 2
    AudioCache(tmp_path).prune(0)  # another instance protects nothing of this one's
    assert not names(tmp_path)


class _RacingScan:
    """os.scandir whose files vanish mid-prune, as if another process pruned:
    every other one before it is stat'ed, the rest after the scan."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        with _real_scandir(path) as it:
            self.entries = sorted(it, key=lambda e: e.name)

    def __enter__(self) -> _RacingScan:
        return self

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        for i, entry in enumerate(self.entries):
            if i % 2 == 0:
                os.unlink(entry.path)
            yield entry

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for entry in self.entries[1::2]:
            os.unlink(entry.path)


_real_scandir = os.scandir


def test_files_vanishing_during_a_prune_are_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale_files(tmp_path, 6)
    with monkeypatch.context() as m:
        m.setattr(os, "scandir", _RacingScan)
        result = AudioCache(tmp_path).prune(0)
    assert not names(tmp_path)
    assert result == PruneResult(removed=0, freed=0, kept_files=0, kept=0)  # others removed them


def test_a_missing_folder_is_an_empty_cache(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path / "never-written")
    assert cache.prune(0) == PruneResult(0, 0, 0, 0)
    assert (cache.usage().files, cache.usage().bytes) == (0, 0)
    assert not cache.root.exists()


def test_two_prunes_at_once_both_finish(tmp_path: Path) -> None:
    files = stale_files(tmp_path, 400, seconds=0.001)
    limit = size(*files[300:])
    start = threading.Barrier(2)
    results: list[PruneResult] = []
    errors: list[BaseException] = []

    def prune() -> None:
        start.wait()
        try:
            results.append(AudioCache(tmp_path).prune(limit))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=prune) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert names(tmp_path) == {p.name for p in files[300:]}
    assert sum(r.removed for r in results) == 300  # each file removed by one of them


# --- the limit from the environment ---------------------------------------------


@pytest.mark.parametrize(("raw", "limit"), [("", DEFAULT_CACHE_MB * MB), ("50", 50 * MB), (" 0 ", 0)])
def test_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str, limit: int) -> None:
    monkeypatch.setenv(CACHE_MB_ENV, raw)
    assert cache_limit_from_env() == limit


def test_limit_defaults_to_200_mb_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_MB_ENV, raising=False)
    assert cache_limit_from_env() == 200 * MB


@pytest.mark.parametrize("raw", ["lots", "-1", "1.5", "200MB"])
def test_bad_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(CACHE_MB_ENV, raw)
    with pytest.raises(ValueError, match=rf"^{CACHE_MB_ENV}='{raw}': give a whole number of megabytes"):
        cache_limit_from_env()


# --- the live speaker prunes after preparing ----------------------------------------


def test_live_speaker_prunes_after_rendering_and_keeps_the_workout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_MB_ENV, "0")
    old = stale_files(tmp_path, 3)
    player = SilentPlayer()
    speaker = LiveSpeaker(VoiceOptions(), tmp_path, player)
    cues = [Narration.of("Squats."), Narration.of(Sound("go"), Pause(0.2), "Go!")]
    speaker.prepare(cues)
    assert speaker.cache_limit == 0
    assert not any(p.exists() for p in old)
    speaker.speak(cues[1])
    assert player.last is not None and player.last.exists()
    speaker.prepare([Narration.of("Rest.")])  # a later prepare (the welcome back) keeps them all
    assert all(speaker.cache.path_for(n).exists() for n in cues)
    assert speaker.cache.rendered == 3


def test_live_speaker_with_a_bad_limit_warns_once_and_uses_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(CACHE_MB_ENV, "lots")
    monkeypatch.setattr("speech.live._warned", set())
    with caplog.at_level(logging.WARNING, logger="speech.live"):
        first = LiveSpeaker(VoiceOptions(), tmp_path, SilentPlayer())
        second = LiveSpeaker(VoiceOptions(), tmp_path, SilentPlayer())
    assert first.cache_limit == second.cache_limit == DEFAULT_CACHE_MB * MB
    assert len(caplog.records) == 1
    assert f"{CACHE_MB_ENV}='lots'" in caplog.records[0].getMessage()


def test_live_speaker_that_cannot_prune_warns_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(self: AudioCache, max_bytes: int) -> PruneResult:
        raise PermissionError(13, "Permission denied", str(self.root))

    monkeypatch.setattr(AudioCache, "prune", refuse)
    monkeypatch.setattr("speech.live._warned", set())
    player = SilentPlayer()
    speaker = LiveSpeaker(VoiceOptions(), tmp_path, player, cache_limit=0)
    with caplog.at_level(logging.WARNING, logger="speech.live"):
        speaker.prepare([Narration.of("Squats.")])
        speaker.prepare([Narration.of("Rest.")])
    speaker.speak(Narration.of("Squats."))
    assert player.last is not None and player.last.exists()
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"could not prune the audio cache {tmp_path}"
    ]


# --- python -m speech cache ----------------------------------------------------------


def run_cache(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}  # LEGCOACH_HOME: conftest's tmp dir
    argv = [sys.executable, "-m", "speech", "cache", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=60)


def half_mb_files(root: Path) -> list[Path]:
    """Three files of about 0.53 MB (12 s of audio), oldest first."""
    return stale_files(root, 3, seconds=12.0)


def test_cli_shows_the_folder_count_and_size() -> None:
    root = audio_cache_dir()
    files = half_mb_files(root)
    done = run_cache()
    assert done.returncode == 0, done.stderr
    mb = size(*files) / MB
    assert done.stdout == f"{root}: 3 files, {mb:.1f} MB (limit 200 MB)\n"
    assert names(root) == {p.name for p in files}


def test_cli_prunes_to_max_mb_least_recently_used_first() -> None:
    root = audio_cache_dir()
    files = half_mb_files(root)
    freed, kept = size(*files[:2]) / MB, size(files[2]) / MB
    done = run_cache("--prune", "--max-mb", "1")
    assert done.returncode == 0, done.stderr
    assert names(root) == {files[2].name}
    assert done.stdout == (
        f"{root}: removed 2 files ({freed:.1f} MB), kept 1 file ({kept:.1f} MB, limit 1 MB)\n"
    )


def test_cli_prune_takes_the_limit_from_the_environment() -> None:
    root = audio_cache_dir()
    half_mb_files(root)
    done = run_cache("--prune", **{CACHE_MB_ENV: "0"})
    assert done.returncode == 0, done.stderr
    assert "removed 3 files" in done.stdout and "limit 0 MB" in done.stdout
    assert not names(root)


def test_cli_with_an_empty_home_creates_nothing() -> None:
    done = run_cache("--prune")
    assert done.returncode == 0, done.stderr
    assert "removed 0 files" in done.stdout
    assert not audio_cache_dir().exists()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--prune", "--max-mb", "lots"], {},
         "argument --max-mb: give a whole number of megabytes, 0 or more, not 'lots'"),
        (["--prune", "--max-mb", "-5"], {}, "not '-5'"),
        (["--max-mb", "5"], {}, "--max-mb applies to --prune only"),
        (["--prune"], {CACHE_MB_ENV: "1.5"}, f"{CACHE_MB_ENV}='1.5': give a whole number of megabytes"),
    ],
    ids=["word", "negative", "without-prune", "bad-env"],
)
def test_cli_errors_are_one_line_and_exit_2(args: list[str], env: dict[str, str], message: str) -> None:
    root = audio_cache_dir()
    files = half_mb_files(root)
    done = run_cache(*args, **env)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("speech: error:") and message in lines[0], done.stderr
    assert names(root) == {p.name for p in files}  # nothing removed
