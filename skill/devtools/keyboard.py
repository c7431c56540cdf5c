"""What the console hears: typed lines, with barge-in while the coach speaks.

A :class:`Keyboard` waits for a line for at most ``timeout`` seconds (None:
for as long as it takes), so the console uses it as its sleep while a turn
plays: the first key pressed calls ``on_key`` (the console stops playback
there, as a wake word would) and the finished line is returned.

On a terminal, :class:`TerminalKeyboard` reads keys one at a time with
line editing of its own (backspace, Ctrl-U) and takes Ctrl-C and Ctrl-D as
keys, not signals, so they end the console cleanly and never reach ``make``.
Piped input (:class:`PipedKeyboard`) is read a line at a time when the
coach is listening, never during a turn, so a script behaves the same
every time.
"""

from __future__ import annotations

import codecs
import math
import os
import select
import termios
import time
import tty
from collections.abc import Callable
from typing import Any, Protocol, TextIO

OnKey = Callable[[], None]

CTRL_C, CTRL_D, CTRL_U = "\x03", "\x04", "\x15"
BACKSPACES, ENTER = ("\x7f", "\x08"), ("\r", "\n")


class Keyboard(Protocol):
    def line(self, timeout: float | None, on_key: OnKey | None = None) -> str | None:
        """The next typed line, or None if none was finished within ``timeout``.

        Raises EOFError at end of input (Ctrl-D) and KeyboardInterrupt on Ctrl-C.
        """

    @property
    def typing(self) -> bool:
        """A line has been started and not finished."""


class PipedKeyboard:
    """Lines from a pipe or file; they are heard only when the coach listens."""

    typing = False

    def __init__(self, stream: TextIO, echo: TextIO | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.stream, self.echo, self.sleep = stream, echo, sleep

    def line(self, timeout: float | None, on_key: OnKey | None = None) -> str | None:
        if timeout is not None:
            self.sleep(max(0.0, timeout))
            return None
        text = self.stream.readline()
        if not text:
            raise EOFError
        line = text.rstrip("\r\n")
        if self.echo is not None:  # so a transcript shows what was said
            self.echo.write(line + "\n")
        return line


class TerminalKeyboard:
    """Keys from a terminal in non-canonical mode, echoed to ``out``.

    Use it as a context manager: the terminal's settings are restored on exit.
    """

    def __init__(self, fd: int, out: TextIO) -> None:
        self.fd, self.out = fd, out
        self.buffer = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._saved: list[Any] | None = None
        self._escape = False  # inside an escape sequence (arrow keys): ignored

    def __enter__(self) -> TerminalKeyboard:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~termios.ISIG  # Ctrl-C and Ctrl-D arrive as keys
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    @property
    def typing(self) -> bool:
        return bool(self.buffer)

    def line(self, timeout: float | None, on_key: OnKey | None = None) -> str | None:
        deadline = None if timeout is None else time.monotonic() + max(0.0, timeout)
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            poller = select.poll()  # not select(), which fails on descriptors from 1024
            poller.register(self.fd, select.POLLIN)
            ready = poller.poll(None if wait is None else math.ceil(wait * 1000))
            if not ready:
                return None
            data = os.read(self.fd, 1024)
            if not data:
                raise EOFError
            for key in self._decoder.decode(data):
                if not self.buffer and on_key is not None and key not in (CTRL_C, CTRL_D):
                    on_key()
                done = self._key(key)
                if done is not None:
                    return done

    def _key(self, key: str) -> str | None:
        """Apply one key; the finished line on Enter."""
        if key == "\x1b" or self._escape:
            self._escape = key == "\x1b" or not (key.isalpha() or key == "~")
            return None
        if key == CTRL_C:
            self.buffer = ""
            raise KeyboardInterrupt
        if key == CTRL_D and not self.buffer:
            raise EOFError
        if key in ENTER:
            done, self.buffer = self.buffer, ""
            self._echo("\n")
            return done
        if key in BACKSPACES:
            if self.buffer:
                self.buffer = self.buffer[:-1]
                self._echo("\b \b")
        elif key == CTRL_U:
            self._echo("\b \b" * len(self.buffer))
            self.buffer = ""
        elif key.isprintable():
            self.buffer += key
            self._echo(key)
        return None

    def _echo(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
