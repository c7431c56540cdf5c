"""A console that behaves like an Alexa speaker talking to the skill.

It opens a session with a LaunchRequest, turns each typed line into an
intent with :class:`skill.devtools.nlu.LocalNLU`, sends real request envelopes to the
skill (in this process, or over HTTP to a server running with ``--dev``,
since the console cannot sign requests like Alexa does), prints each answer
as text and speaks it through speech/. The session ends when the skill ends
it, or with a SessionEndedRequest on end of input. It is a device with
AudioPlayer: it plays the streams the skill starts and sends the playback
events a device sends (:mod:`skill.devtools.streaming`).
"""

from __future__ import annotations

import http.client
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, TextIO

from skill.core.sdk import invoke
from skill.devtools.answers import card_of, for_console, narration_from_ssml, speech_of
from skill.devtools.audioplayer import STOPPED, AudioPlayer
from skill.devtools.envelopes import CONSOLE_DEMO_USER_ID, LOCAL_USER_ID, Conversation
from skill.devtools.keyboard import Keyboard
from skill.devtools.nlu import LocalNLU, normalise
from skill.devtools.segments import SegmentBook
from skill.devtools.streaming import BUTTONS, StreamPlayback, clock_label
from speech.model import Narration, Say, Sound, estimate_speech_seconds
from speech.text import ELLIPSIS, VISIBLE_PAUSE, to_text

__all__ = ["ChatError", "Console", "HttpTransport", "InProcess", "Transport", "card_of", "for_console",
           "narration_from_ssml", "speech_of"]

Envelope = dict[str, Any]


class ChatError(Exception):
    """The skill could not be reached or answered nonsense."""


class Transport(Protocol):
    def send(self, envelope: Envelope) -> Envelope: ...


class InProcess:
    """Sends envelopes to a skill object in this process."""

    def __init__(self, skill: Any) -> None:
        self.skill = skill

    def send(self, envelope: Envelope) -> Envelope:
        return invoke(self.skill, envelope)


class HttpTransport:
    """POSTs envelopes to a running endpoint (keep-alive connection)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChatError(f"not an http(s) URL: {url!r}")
        self.url = url
        self.path = parts.path or "/alexa"
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = kind(parts.hostname, parts.port, timeout=timeout)

    def send(self, envelope: Envelope) -> Envelope:
        body = json.dumps(envelope).encode("utf-8")
        try:
            self.connection.request("POST", self.path, body, {"Content-Type": "application/json"})
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            raise ChatError(f"cannot reach {self.url}: {exc}") from None
        if response.status != 200:
            raise ChatError(f"{self.url} answered HTTP {response.status}: {_reason(data)}")
        try:
            value = json.loads(data)
        except ValueError:
            raise ChatError(f"{self.url} did not answer JSON") from None
        if not isinstance(value, dict):
            raise ChatError(f"{self.url} did not answer a response envelope")
        return value

    def close(self) -> None:
        """Close the connection first, so the server's port is free when it stops."""
        self.connection.close()


def _reason(data: bytes) -> str:
    try:
        return str(json.loads(data)["error"])
    except (ValueError, KeyError, TypeError):
        return data[:200].decode("utf-8", "replace")



class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: Pauses at least this long show a countdown on a terminal.
COUNTDOWN = 3.0
#: What starts a new session once one has ended, as "Alexa, open leg coach" would.
OPEN_WORDS = ("", "open leg coach", "alexa open leg coach", "open", "launch leg coach", "start leg coach")
QUIT = "quit"


class Console(StreamPlayback):
    """The conversation loop, as a speaker runs it; input, output, voice and clock are injected.

    Each answer is played in real time: through ``speaker`` when it is
    audible, otherwise as text paced by its own pauses. A line typed while
    it plays interrupts it (``keyboard`` reports the first key). Every
    request is stamped with ``clock``'s time when it is sent; with ``fast``
    each turn is taken as heard to its end at once, so requests are stamped
    that much later and nothing waits. When the skill ends a session the
    console stays: the next line opens a new one. It ends on ``quit``,
    end of input (Ctrl-D) or Ctrl-C. Streams play on ``device`` with the
    cues ``book`` finds (see :class:`~skill.devtools.streaming.StreamPlayback`).
    """

    def __init__(self, transport: Transport, nlu: LocalNLU, speaker: Any, out: TextIO,
                 keyboard: Keyboard, *, clock: Clock | None = None, fast: bool = False,
                 note: str | None = None, device: AudioPlayer | None = None,
                 book: SegmentBook | None = None) -> None:
        self.transport, self.nlu, self.speaker, self.out = transport, nlu, speaker, out
        self.keyboard, self.clock, self.fast = keyboard, clock or SystemClock(), fast
        self.heard_ahead = 0.0  # seconds of speech taken as heard in fast mode
        self._init_player(device, book)
        self.conversation = self._new_conversation()
        self.note = note
        self._on_terminal = bool(getattr(out, "isatty", lambda: False)())
        self._written = ""

    def _now(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.heard_ahead)

    def _new_conversation(self, old: Conversation | None = None) -> Conversation:
        # fast mode is a demo: its workouts are kept apart and never counted
        conversation = Conversation(clock=self._now, player=self.device.context,
                                    user_id=CONSOLE_DEMO_USER_ID if self.fast else LOCAL_USER_ID)
        if old is not None:
            conversation.device_id = old.device_id
        return conversation

    def run(self) -> int:
        if self.note:
            self._print(f"({self.note})")
        try:
            typed = self.turn(self.conversation.launch())
            while True:
                if typed is None:
                    if not self.keyboard.typing:
                        self._write("you> ")
                    typed = self.keyboard.line(None) or ""
                typed = self.hear(typed.strip())
        except (EOFError, KeyboardInterrupt):
            self._print("")
            self.leave()
        except _Quit:
            self.leave()
        finally:
            self.stop_player()
        return 0

    def hear(self, line: str) -> str | None:
        """Send what ``line`` means; a line typed while the answer played, or None."""
        if line.lower() == QUIT:
            raise _Quit
        if not line and self.device.playing:
            return self.stream()  # "Alexa" and nothing more: the stream carries on
        button = BUTTONS.get(normalise(line))
        if button is not None:
            return self.press(button)
        if self.conversation.ended:
            self.conversation = self._new_conversation(self.conversation)
            words = normalise(line).removeprefix("alexa ")
            if words in OPEN_WORDS:
                return self.turn(self.conversation.launch())
            builtin = self.player_intent(words)
            if builtin is not None:
                return self.turn(self.conversation.intent(builtin))
        elif not line:
            return None
        name, slots = self.nlu.resolve(line)
        return self.turn(self.conversation.intent(name, slots))

    def leave(self) -> None:
        """End the session if one is open, as a speaker does when you walk away."""
        if not self.conversation.ended:
            self.conversation.ended = True
            try:
                self.transport.send(self.conversation.session_ended("USER_INITIATED"))
            except ChatError:
                pass  # the skill is gone already: nothing to end

    def turn(self, envelope: Envelope) -> str | None:
        response = self.transport.send(envelope)
        self.conversation.received(response)
        self.apply(response)
        narration = for_console(speech_of(response))
        typed = self.play(narration)
        card = card_of(response)
        if card and typed is None:
            self._print(f"  card: {card}".replace("\n", "\n        "))
        if typed is not None:
            self.start_pending()
            return typed
        typed = self.stream()
        paused = self.device.activity == STOPPED and self.device.failed_item is None
        if typed is None and paused and self.device.current is not None:
            self._print(f"(the workout audio is paused at {clock_label(self.device.offset_ms / 1000)}; "
                        "type resume to carry on, or quit)")
        elif typed is None and self.conversation.ended:
            self._print("(the session has ended; type to start a new one, or quit)")
        return typed

    # -- playing a turn --------------------------------------------------------

    def play(self, narration: Narration) -> str | None:
        """Play ``narration`` in real time; a line typed meanwhile (which stops it), or None."""
        if not narration:
            return None
        audible = bool(getattr(self.speaker, "audible", False))
        if self.fast or audible:
            self._print(f"coach> {to_text(narration)}")
            length = (self.speaker.seconds(narration) if audible else None) or \
                narration.estimated_seconds()
            if audible:
                self.speaker.speak(narration)
            if self.fast:
                self.heard_ahead += length
                return None
            return self._listen(length, self._stop_audio)
        return self._pace(narration)

    def _stop_audio(self) -> None:
        self.speaker.close()  # stops the player; the next turn plays again
        self._write("you> ")

    def _listen(self, seconds: float, on_key: Callable[[], None]) -> str | None:
        """Wait ``seconds`` for a line; once a key is pressed, wait for the whole line."""
        typed = self.keyboard.line(seconds, on_key)
        if typed is None and self.keyboard.typing:
            typed = self.keyboard.line(None)
        return typed

    def _pace(self, narration: Narration) -> str | None:
        """The words as they would be spoken: each phrase for its length, pauses as pauses."""
        self._write("coach>")

        def barge_in() -> None:
            self._write(("" if self._written.endswith(ELLIPSIS) else f" {ELLIPSIS}") + "\nyou> ")

        waiting, gap_shown = 0.0, False
        for part in narration:
            if isinstance(part, Say):
                for sentence in _SENTENCE_END.split(part.text.strip()):
                    typed = self._wait(waiting, barge_in)
                    if typed is not None:
                        return typed
                    self._write(f" {sentence}")
                    waiting, gap_shown = estimate_speech_seconds(sentence), False
                continue
            if isinstance(part, Sound):
                self._write(f" [{part.name}]")
            elif part.seconds >= VISIBLE_PAUSE and not gap_shown:
                self._write(f" {ELLIPSIS}")
                gap_shown = True
            waiting += part.seconds
        typed = self._wait(waiting, barge_in)
        if typed is None:
            self._print("")
        return typed

    def _wait(self, seconds: float, on_key: Callable[[], None]) -> str | None:
        """Wait ``seconds`` for a typed line, with a countdown for long pauses on a terminal."""
        if seconds <= 0:
            return None
        if seconds < COUNTDOWN or not self._on_terminal:
            return self._listen(seconds, on_key)
        left, shown = seconds, ""

        def erase_then(action: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                self._write("\b \b" * len(shown))
                action()
            return run

        while left > 0:
            label = f" ({math.ceil(left)} s)"
            self._write("\b \b" * len(shown) + label)
            shown = label
            step = left - (math.ceil(left) - 1)
            typed = self._listen(step, erase_then(on_key))
            if typed is not None:
                return typed
            left -= step
        self._write("\b \b" * len(shown))
        return None

    def _write(self, text: str) -> None:
        if text:
            self._written = text
        self.out.write(text)
        self.out.flush()

    def _print(self, text: str) -> None:
        self._write(text + "\n")


class _Quit(Exception):
    """``quit`` was typed."""
