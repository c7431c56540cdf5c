"""A console that behaves like an Alexa speaker talking to the skill.

It opens a session with a LaunchRequest, turns each typed line into an
intent with :class:`skill.devtools.nlu.LocalNLU`, sends real request envelopes to the
skill (in this process, or over HTTP to a server running with ``--dev``,
since the console cannot sign requests like Alexa does), prints each answer
as text and speaks it through speech/. The session ends when the skill ends
it, or with a SessionEndedRequest on end of input.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from skill.devtools.envelopes import Conversation
from skill.core.sdk import invoke
from skill.devtools.nlu import LocalNLU
from speech.model import SOUNDS, Narration, Part, Pause, Sound
from speech.text import to_text

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


def _reason(data: bytes) -> str:
    try:
        return str(json.loads(data)["error"])
    except (ValueError, KeyError, TypeError):
        return data[:200].decode("utf-8", "replace")


def narration_from_ssml(ssml: str) -> Narration:
    """Parse Alexa SSML back into a narration: words, breaks and known sounds."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError:
        return Narration.of(ssml)
    parts: list[Part | str] = []
    _walk(root, parts)
    return Narration.of(*parts)


def _walk(element: ET.Element, parts: list[Part | str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag == "break":
            parts.append(Pause(_seconds(child.get("time", "0ms"))))
        elif child.tag == "audio":
            name = next((n for n, t in SOUNDS.items() if t.alexa_url == child.get("src")), None)
            if name is not None:
                parts.append(Sound(name))
        else:
            _walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def _seconds(value: str) -> float:
    value = value.strip()
    try:
        return float(value[:-2]) / 1000 if value.endswith("ms") else float(value.rstrip("s"))
    except ValueError:
        return 0.0


def speech_of(response: Envelope) -> Narration:
    body = response.get("response") or {}
    speech = body.get("outputSpeech") or {}
    if speech.get("type") == "SSML":
        return narration_from_ssml(str(speech.get("ssml", "")))
    text = str(speech.get("text", "")).strip()
    return Narration.of(text) if text else Narration()


def card_of(response: Envelope) -> str | None:
    card = (response.get("response") or {}).get("card") or {}
    if not card:
        return None
    return f"{card.get('title', '')}: {card.get('content') or card.get('text') or ''}".strip()


class Console:
    """The conversation loop; input, output and voice are injected."""

    def __init__(self, transport: Transport, nlu: LocalNLU, speaker: Any, out: TextIO,
                 read: Callable[[str], str] = input) -> None:
        self.transport, self.nlu, self.speaker, self.out, self.read = transport, nlu, speaker, out, read
        self.conversation = Conversation()

    def turn(self, envelope: Envelope) -> None:
        response = self.transport.send(envelope)
        self.conversation.received(response)
        narration = speech_of(response)
        if narration:
            print(f"coach> {to_text(narration)}", file=self.out, flush=True)
        card = card_of(response)
        if card:
            print(f"  card: {card}".replace("\n", "\n        "), file=self.out, flush=True)
        self._speak(narration)

    def _speak(self, narration: Narration) -> None:
        if not narration or not getattr(self.speaker, "audible", False):
            return
        self.speaker.speak(narration)
        seconds = self.speaker.seconds(narration)
        if seconds:
            time.sleep(seconds)  # like a speaker: listen once it has finished

    def run(self) -> int:
        self.turn(self.conversation.launch())
        while not self.conversation.ended:
            try:
                line = self.read("you> ")
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                self.transport.send(self.conversation.session_ended("USER_INITIATED"))
                return 0
            if line.strip():
                name, slots = self.nlu.resolve(line)
                self.turn(self.conversation.intent(name, slots))
        return 0
