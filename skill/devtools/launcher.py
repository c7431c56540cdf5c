"""`python -m skill chat` and `python -m skill run` (a local server plus the console).

``run`` starts ``python -m skill serve --dev`` on 127.0.0.1 as a child
process (log in ``<data home>/server.log``), waits for ``/healthz``, opens
the console on it and stops the server when the console ends. With
``LEGCOACH_STORE=dynamodb-local`` the server keeps users in Amazon's
DynamoDB Local, started for the run (see skill.devtools.dynamodb_local).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from skill.devtools.keyboard import Keyboard, OnKey, PipedKeyboard, TerminalKeyboard
from speech.paths import data_home

if TYPE_CHECKING:
    from skill.devtools.chat import Clock

HOST = "127.0.0.1"
START_TIMEOUT = 20.0


class LaunchError(Exception):
    """The local server could not be started."""


# The console (the skill, its topics and the local NLU: about 380 ms here),
# the live voice (about 140 ms) and DynamoDB Local's helper (about 10 ms)
# load when they are first used: ``make run`` opens its keyboard first, so a
# key pressed while the rest loads is a key, never a signal.


def make_speaker(mute: bool) -> Any:
    from speech.live import make_speaker as speech_speaker

    return speech_speaker(mute=mute)


def audio_note(speaker: Any, mute: bool, fast: bool) -> str | None:
    """What the console says once about its voice and pace, or None."""
    if fast:
        heard = "each answer and stream segment counts as heard to its end"
        return f"fast mode: {heard}" + ("" if getattr(speaker, "audible", False) else "; audio is off")
    if getattr(speaker, "audible", False):
        return None
    why = "--mute" if mute else "no audio device or text-to-speech here"
    return f"audio is off ({why}): the coach's words appear at the pace they'd be spoken"


def chat(url: str | None, *, mute: bool = False, keyboard: Keyboard | None = None,
         out: TextIO | None = None, fast: bool = False, clock: Clock | None = None) -> int:
    """Open the console on ``url`` (a --dev server) or on a skill in this process.

    Without ``keyboard`` it reads the terminal (or piped lines) on stdin.
    """
    from skill.builder import build_skill, interaction_model
    from skill.devtools.chat import Console, HttpTransport, InProcess, Transport
    from skill.questions.knowledge import load_knowledge
    from skill.devtools.nlu import LocalNLU

    transport: Transport
    if url:
        transport = HttpTransport(url)
    else:
        transport = InProcess(build_skill())
    nlu = LocalNLU(interaction_model(load_knowledge()))
    out = out or sys.stdout
    speaker = make_speaker(mute)
    try:
        with _keyboard(keyboard, out) as keys:
            console = Console(transport, nlu, speaker, out, keys, clock=clock, fast=fast,
                              note=audio_note(speaker, mute, fast))
            return console.run()
    finally:
        speaker.close()
        if isinstance(transport, HttpTransport):
            transport.close()


@contextlib.contextmanager
def _keyboard(given: Keyboard | None, out: TextIO) -> Iterator[Keyboard]:
    if given is not None:
        yield given
    elif sys.stdin.isatty():
        with TerminalKeyboard(sys.stdin.fileno(), out) as keys:
            yield keys
    else:
        yield PipedKeyboard(sys.stdin, echo=out)


def port_free(port: int, host: str = HOST) -> bool:
    """True if a server could listen on ``port`` now.

    SO_REUSEADDR as the server itself binds: connections of a stopped server
    that linger in TIME_WAIT do not make the port busy, a listener does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = START_TIMEOUT,
                 pause: Callable[[float], None] = time.sleep) -> None:
    """Return once GET /healthz answers 200; LaunchError if the server dies or is slow.

    ``pause(seconds)`` waits between tries (the console listens to the keyboard then).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchError(f"the server exited with code {process.returncode}")
        connection = http.client.HTTPConnection(HOST, port, timeout=1.0)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        pause(0.1)
    raise LaunchError(f"the server did not answer on {HOST}:{port} within {timeout:.0f} s")


class TypedAhead:
    """The console's keyboard, first giving back lines typed while the server started."""

    def __init__(self, keys: Keyboard) -> None:
        self.keys = keys
        self.early: list[str] = []

    def listen(self, seconds: float) -> None:
        """Wait ``seconds`` with the keyboard open: Ctrl-C and Ctrl-D raise as in the console."""
        line = self.keys.line(seconds)
        if line is not None:
            self.early.append(line)

    @property
    def typing(self) -> bool:
        return self.keys.typing

    def line(self, timeout: float | None, on_key: OnKey | None = None) -> str | None:
        if self.early:
            return self.early.pop(0)
        return self.keys.line(timeout, on_key)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_log() -> Path:
    home = data_home()
    home.mkdir(parents=True, exist_ok=True)
    return home / "server.log"


def run(port: int, *, mute: bool = False, keyboard: Keyboard | None = None,
        out: TextIO | None = None, fast: bool = False) -> int:
    """Start a --dev server on 127.0.0.1:``port``, chat with it, stop it."""
    if not port_free(port):
        raise LaunchError(f"port {port} on {HOST} is in use; choose another with --port "
                          f"(under make: make run PORT=...)")
    from skill.devtools.dynamodb_local import local_store_env

    log_path = server_log()
    command = [sys.executable, "-m", "skill", "serve", "--dev", "--host", HOST, "--port", str(port)]
    out = out or sys.stdout
    # The keyboard is open before the server starts: Ctrl-C is a key from the
    # first moment (never a signal that reaches make), and what is typed while
    # the server starts is kept for the console.
    with _keyboard(keyboard, out) as keys, local_store_env(os.environ, log_path) as env:
        with open(log_path, "ab") as log_file:
            # its own session: Ctrl-C at the console is the console's, not the server's
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        out.write(f"starting the skill on http://{HOST}:{port} (log: {log_path})\n")
        out.flush()
        typed = TypedAhead(keys)
        try:
            try:
                wait_healthy(port, process, pause=typed.listen)
            except LaunchError as exc:
                raise LaunchError(f"{exc} (see {log_path})") from None
            return chat(f"http://{HOST}:{port}/alexa", mute=mute, keyboard=typed, out=out,
                        fast=fast)
        except (KeyboardInterrupt, EOFError):  # Ctrl-C or Ctrl-D while the server was starting
            out.write("\n")
            return 0
        finally:
            stop(process)
