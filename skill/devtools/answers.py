"""What a response says to the person at the device: speech, card, directives.

Reads response envelopes as JSON values: the SSML back into a narration
(words, breaks and known sounds), the card as one line, the directives, and
what to say to a device turned into what to type at the console.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from speech.model import SOUNDS, Narration, Part, Pause, Say, Sound

Envelope = dict[str, Any]


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
    if card.get("type") == "AskForPermissionsConsent":
        asked = ", ".join(str(p) for p in card.get("permissions") or ())
        return f"Alexa app, permission request: allow Leg Coach {asked}"
    return f"{card.get('title', '')}: {card.get('content') or card.get('text') or ''}".strip()




#: "say: Alexa, ask leg coach to resume my workout" -> what a console user types.
_ASK_DEVICE = re.compile(r"\b[Ss]ay:? Alexa, (?:ask|tell) leg coach(?: to)? ([^.!?]*)", re.IGNORECASE)
_OPEN_DEVICE = re.compile(r"\b[Ss]ay:? Alexa, open leg coach,?", re.IGNORECASE)


def for_console(n: Narration) -> Narration:
    """``n`` with what to say to a device turned into what to type here."""
    parts: list[Part | str] = []
    for part in n:
        if isinstance(part, Say):
            text = _ASK_DEVICE.sub(r"type: \1", part.text)
            parts.append(_OPEN_DEVICE.sub("type: open leg coach,", text))
        else:
            parts.append(part)
    return Narration.of(*parts)


def directives_of(response: Envelope) -> list[dict[str, Any]]:
    """The response's directives (JSON objects only)."""
    body = response.get("response") or {}
    found = body.get("directives") if isinstance(body, dict) else None
    return [d for d in found or () if isinstance(d, dict)]
