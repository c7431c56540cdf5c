"""SSML rendering for Alexa, and a check against Alexa's response limits.

Limits (Alexa custom skills): at most 8,000 characters of SSML, each
``<break>`` at most 10 s, at most 5 ``<audio>`` clips per response.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from speech.model import SOUNDS, Narration, Pause, Say, Sound, estimate_speech_seconds

# str.translate rather than xml.sax.saxutils: that module imports urllib and
# http.client, which costs a Lambda cold start tens of milliseconds.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})

MAX_CHARS = 8000
MAX_BREAK = 10.0
MAX_AUDIO = 5

# Characters XML 1.0 forbids; they cannot be spoken, so they are dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")


class SSMLLimitError(ValueError):
    """The SSML breaks an Alexa limit; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def xml_text(text: str) -> str:
    """``text`` made safe as XML character data (escaped, invalid chars dropped)."""
    return _NOT_XML.sub("", text).translate(_ESCAPES)


def _break_tags(seconds: float, max_break: float = MAX_BREAK) -> list[str]:
    """Breaks adding up to ``seconds``, none longer than ``max_break``."""
    total = round(seconds * 1000)
    step = round(max_break * 1000)
    tags = []
    while total > 0:
        ms = min(total, step)
        value = f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"
        tags.append(f'<break time="{value}"/>')
        total -= ms
    return tags


def to_ssml(n: Narration) -> str:
    """``<speak>...</speak>`` for ``n``; user text can never inject tags."""
    out: list[str] = []
    for part in n:
        if isinstance(part, Say):
            out.append(xml_text(part.text.strip()))
        elif isinstance(part, Pause):
            out.extend(_break_tags(part.seconds))
        elif isinstance(part, Sound):
            url = SOUNDS[part.name].alexa_url
            if url:
                out.append(f'<audio src="{xml_text(url)}"/>')
            else:
                out.extend(_break_tags(part.seconds))
    return "<speak>" + " ".join(out) + "</speak>"


def ssml_seconds(n: Narration) -> float:
    """Estimated length of ``to_ssml(n)`` when Alexa speaks it."""
    return n.estimated_seconds()


def _time_seconds(value: str) -> float | None:
    match = _TIME.match(value)
    if not match:
        return None
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def _declare_amazon(ssml: str) -> str:
    """Bind the ``amazon:`` prefix Alexa accepts undeclared, so XML parses."""
    if "amazon:" not in ssml or "xmlns:amazon" in ssml:
        return ssml
    return ssml.replace("<speak", '<speak xmlns:amazon="urn:alexa:ssml"', 1)


def _estimate(root: ET.Element) -> float:
    """Spoken length of parsed SSML: words plus breaks (audio clips unknown)."""
    words = " ".join(root.itertext()).strip()
    total = estimate_speech_seconds(words) if words else 0.0
    for brk in root.iter("break"):
        total += _time_seconds(brk.get("time", "")) or 0.0
    return total


def check_ssml(
    ssml: str,
    *,
    max_chars: int = MAX_CHARS,
    max_break: float = MAX_BREAK,
    max_audio: int = MAX_AUDIO,
    max_seconds: float | None = None,
    seconds: float | None = None,
) -> list[str]:
    """Problems that would make Alexa reject or cut ``ssml`` (empty = OK).

    ``seconds`` is the known spoken length; when omitted and ``max_seconds``
    is given, it is estimated from the words and breaks.
    """
    problems: list[str] = []
    if len(ssml) > max_chars:
        problems.append(f"SSML is {len(ssml)} characters, limit {max_chars}")
    try:
        root = ET.fromstring(_declare_amazon(ssml))
    except ET.ParseError as exc:
        return problems + [f"SSML is not well-formed XML: {exc}"]
    if root.tag != "speak":
        problems.append(f"root element is <{root.tag}>, expected <speak>")
    for brk in root.iter("break"):
        value = brk.get("time", "")
        length = _time_seconds(value)
        if length is None:
            problems.append(f"break time {value!r} is not like '500ms' or '2s'")
        elif length > max_break:
            problems.append(f"break of {length:g} s is longer than {max_break:g} s")
    clips = sum(1 for _ in root.iter("audio"))
    if clips > max_audio:
        problems.append(f"{clips} audio clips, limit {max_audio}")
    if max_seconds is not None:
        length = seconds if seconds is not None else _estimate(root)
        if length > max_seconds:
            problems.append(f"about {length:.1f} s of speech, limit {max_seconds:g} s")
    return problems


def ensure_ssml_ok(
    ssml: str,
    *,
    max_chars: int = MAX_CHARS,
    max_break: float = MAX_BREAK,
    max_audio: int = MAX_AUDIO,
    max_seconds: float | None = None,
    seconds: float | None = None,
) -> str:
    """Return ``ssml`` unchanged, or raise :class:`SSMLLimitError`."""
    problems = check_ssml(
        ssml,
        max_chars=max_chars,
        max_break=max_break,
        max_audio=max_audio,
        max_seconds=max_seconds,
        seconds=seconds,
    )
    if problems:
        raise SSMLLimitError(problems)
    return ssml
