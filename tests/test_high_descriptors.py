"""Waiting for input works whatever a descriptor's number: a long-running
process (a server, a test run) can hold more than 1,024 files, and select()
cannot watch a descriptor numbered 1024 or above ("filedescriptor out of
range in select()")."""

from __future__ import annotations

import io
import os
import pty
import resource
from collections.abc import Iterator

import pytest

from skill.devtools.keyboard import TerminalKeyboard
from timer.display import Waker

HIGH = 1500


@pytest.fixture
def high() -> Iterator[int]:
    """A free descriptor number above select()'s limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft <= HIGH + 1:
        pytest.skip(f"this process may open only {soft} files")
    yield HIGH


def test_the_timer_wakes_for_a_watched_descriptor_numbered_above_1023(high: int) -> None:
    r, w = os.pipe()
    os.dup2(r, high)
    os.close(r)
    seen: list[bytes] = []
    waker = Waker()
    try:
        waker.watch(high, lambda: seen.append(os.read(high, 10)))
        os.write(w, b"k")
        waker.wait(5.0)
        assert seen == [b"k"]
        waker.unwatch(high)
        waker.wait(0.0)  # nothing to read: returns at once
    finally:
        os.close(high)
        os.close(w)


def test_the_console_keyboard_reads_a_terminal_numbered_above_1023(high: int) -> None:
    controller, terminal = pty.openpty()
    os.dup2(terminal, high)
    os.close(terminal)
    try:
        with TerminalKeyboard(high, io.StringIO()) as keyboard:
            assert keyboard.line(0.0) is None  # nothing typed yet
            os.write(controller, b"next\n")
            assert keyboard.line(5.0) == "next"
    finally:
        os.close(high)
        os.close(controller)
