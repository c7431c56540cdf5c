"""Ctrl-C while ``make run`` is still starting the server: a key for the
console, not a signal for make. The console runs under make on a pseudo-terminal
that is make's controlling terminal, as in a shell, so a Ctrl-C that stayed a
signal would reach make and end it with "Interrupt"."""

from __future__ import annotations

import fcntl
import os
import select
import shutil
import socket
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from skill.devtools.launcher import TypedAhead

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def take_terminal() -> None:
    """In the child: a new session whose controlling terminal is its stdin."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def read_until(master: int, text: str, seen: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while text not in seen:
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"no {text!r} within {timeout} s; saw {seen[-600:]!r}")
        try:
            chunk = os.read(master, 4096)
        except OSError:
            raise AssertionError(f"ended before {text!r}; saw {seen[-600:]!r}") from None
        seen += chunk.decode("utf-8", "replace")
    return seen


def read_rest(master: int, seen: str) -> str:
    while True:
        ready, _, _ = select.select([master], [], [], 5.0)
        if not ready:
            return seen
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return seen
        if not chunk:
            return seen
        seen += chunk.decode("utf-8", "replace")


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_a_key_while_the_server_starts_ends_make_run_cleanly(
        tmp_path: Path, legcoach_home: Path, key: str) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"run:\n\t{sys.executable} -m skill run --mute --fast --port {free_port()}\n")
    master, slave = os.openpty()
    env = {**os.environ, "LEGCOACH_HOME": str(legcoach_home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(["make", "-s", "-f", str(makefile), "run"], stdin=slave, stdout=slave,
                               stderr=slave, env=env, cwd=ROOT, preexec_fn=take_terminal)
    os.close(slave)
    try:
        seen = read_until(master, "starting the skill on", "")
        os.write(master, key.encode())  # before the server answers: "you>" has not been shown
        code = process.wait(timeout=30)
        seen = read_rest(master, seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert code == 0, seen
    assert "you> " not in seen
    assert "Interrupt" not in seen and "Error" not in seen and "Traceback" not in seen


class Keys:
    typing = False

    def __init__(self, *lines: str | None) -> None:
        self.lines = list(lines)

    def line(self, timeout: float | None, on_key: object = None) -> str | None:
        return self.lines.pop(0)


def test_a_line_typed_while_the_server_starts_is_the_consoles_first() -> None:
    typed = TypedAhead(Keys(None, "what about diet", None, "start a workout"))
    for _ in range(3):
        typed.listen(0.1)
    assert typed.line(None) == "what about diet"
    assert typed.line(None) == "start a workout"
