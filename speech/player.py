"""Non-blocking playback of WAV files through a command-line player.

:func:`find_player` picks the first of paplay, pw-play, aplay, afplay that
is installed and has somewhere to play to, else a :class:`SilentPlayer`
(no sound card: the timer still shows every cue on screen). Starting a cue
while another still plays stops the old one: cues are timed not to
overlap, so an overlap means the user skipped ahead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

#: Candidates in order of preference: (program, extra arguments).
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()),
    ("pw-play", ()),
    ("aplay", ("-q",)),
    ("afplay", ()),
)


class Player(Protocol):
    def play(self, path: Path) -> None:
        """Start playing ``path`` and return at once."""

    def stop(self) -> None:
        """Stop whatever is playing."""


class SilentPlayer:
    """Plays nothing (no audio device); remembers the last path asked for."""

    name = "silent"

    def __init__(self) -> None:
        self.last: Path | None = None

    def play(self, path: Path) -> None:
        self.last = Path(path)

    def stop(self) -> None:
        pass


class ProcessPlayer:
    """Plays each file with ``argv + [path]`` in a child process."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = list(argv)
        self.name = Path(self.argv[0]).name
        self._current: subprocess.Popen[bytes] | None = None
        self._stopping: list[subprocess.Popen[bytes]] = []

    @property
    def playing(self) -> bool:
        return self._current is not None and self._current.poll() is None

    def play(self, path: Path) -> None:
        self._reap()
        if self.playing and self._current is not None:
            self._current.terminate()
            self._stopping.append(self._current)
        self._current = subprocess.Popen(
            [*self.argv, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _reap(self) -> None:
        """Collect children that have exited, without waiting."""
        self._stopping = [p for p in self._stopping if p.poll() is None]

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current file has finished playing."""
        if self._current is not None:
            self._current.wait(timeout)

    def stop(self) -> None:
        if self._current is not None:
            self._stopping.append(self._current)
            self._current = None
        for proc in self._stopping:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._stopping:
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._stopping = []


def _alsa_has_card(exe: str, env: Mapping[str, str]) -> bool:
    try:
        listed = subprocess.run(
            [exe, "-l"], capture_output=True, text=True, timeout=3, env=dict(env), check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.startswith("card ") for line in listed.stdout.splitlines())


def _runtime_socket(env: Mapping[str, str], *names: str) -> bool:
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and any(Path(str(runtime), n).exists() for n in names)


def has_output(program: str, exe: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether ``program`` (found at ``exe``) has a device or server to play to."""
    env = os.environ if env is None else env
    if program == "paplay":
        return bool(env.get("PULSE_SERVER")) or _runtime_socket(env, "pulse/native")
    if program == "pw-play":
        return bool(env.get("PIPEWIRE_REMOTE")) or _runtime_socket(env, "pipewire-0")
    if program == "aplay":
        return _alsa_has_card(exe, env)
    return True


def find_player(*, path: str | None = None, env: Mapping[str, str] | None = None) -> Player:
    """The first usable player on ``path`` (default $PATH), else SilentPlayer."""
    env = os.environ if env is None else env
    search = path if path is not None else env.get("PATH", os.defpath)
    for program, extra in PLAYERS:
        exe = shutil.which(program, path=search)
        if exe and has_output(program, exe, env):
            return ProcessPlayer([exe, *extra])
    return SilentPlayer()
