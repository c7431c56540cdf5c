"""SSML rendering for Alexa, and a check against Alexa's response limits.

Limits (Alexa custom skills): at most 8,000 characters of SSML, each
``<break>`` at most 10 s, at most 5 ``<audio>`` clips per response.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from speech.model import SOUNDS, Narration, Pause, Say, Sound, estimate_speech_seconds

# str.translate rather than xml.sax.saxutils: that module imports urllib and
# http.client, which costs a Lambda cold start tens of milliseconds.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})

MAX_CHARS = 8000
MAX_BREAK = 10.0
MAX_AUDIO = 5

# Characters XML 1.0 forbids (everything outside #x9 | #xA | #xD |
# [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]); they cannot be
# spoken, so they are dropped. Listed directly: the negated form of the
# allowed ranges takes 3 ms to compile, a Lambda cold start's worth noticing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
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


def from_ssml(ssml: str) -> Narration:
    """The narration :func:`to_ssml` would render as ``ssml``: its words,
    its breaks and the Alexa clips of :data:`SOUNDS`; other markup (tags,
    attributes, clips from anywhere else) is dropped, its words kept. So
    ``to_ssml(from_ssml(x))`` is ``x`` for SSML this package wrote, and
    harmless for any other. ValueError if ``ssml`` is not well-formed."""
    clips = {sound.alexa_url: name for name, sound in SOUNDS.items() if sound.alexa_url}
    parts: list[Say | Pause | Sound | str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == "break":
            seconds = _time_seconds(attributes.get("time", ""))
            if seconds:
                parts.append(Pause(min(seconds, MAX_BREAK)))
        elif name == "audio" and attributes.get("src") in clips:
            parts.append(Sound(clips[attributes["src"]]))

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.CharacterDataHandler = parts.append
    try:
        parser.Parse(ssml, True)
    except expat.ExpatError as exc:
        raise ValueError(f"not SSML: {exc}") from None
    return Narration.of(*parts)


def _declare_amazon(ssml: str) -> str:
    """Bind the ``amazon:`` prefix Alexa accepts undeclared, so XML parses."""
    if "amazon:" not in ssml or "xmlns:amazon" in ssml:
        return ssml
    return ssml.replace("<speak", '<speak xmlns:amazon="urn:alexa:ssml"', 1)


class _Parsed:
    """What the checks need from SSML: the root tag, each ``<break>``'s time,
    the number of ``<audio>`` clips, and the text runs between tags."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.breaks: list[str] = []
        self.audio = 0
        self.texts: list[str] = []
        self._run: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self._run:
            self.end()
        if name == "break":
            self.breaks.append(attributes.get("time", ""))
        elif name == "audio":
            self.audio += 1
        if self.root is None:
            self.root = "{" + name if "}" in name else name  # "{uri}name", as ElementTree spells it

    def text(self, data: str) -> None:
        self._run.append(data)

    def end(self, name: str = "") -> None:
        if self._run:
            self.texts.append("".join(self._run))
            self._run.clear()


def _parse(ssml: str, *, texts: bool = True) -> _Parsed:
    """Parse ``ssml`` with expat (namespace-aware, as ElementTree does; the
    ``xml.etree`` import alone costs a Lambda cold start over a millisecond).
    ``texts=False`` skips collecting the text runs. Raises
    ``expat.ExpatError`` if it is not well-formed."""
    parsed = _Parsed()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = parsed.start
    if texts:
        parser.buffer_text = True
        parser.EndElementHandler = parsed.end
        parser.CharacterDataHandler = parsed.text
    parser.Parse(ssml, True)
    parsed.end()
    return parsed


def _estimate(parsed: _Parsed) -> float:
    """Spoken length of parsed SSML: words plus breaks (audio clips unknown)."""
    words = " ".join(parsed.texts).strip()
    total = estimate_speech_seconds(words) if words else 0.0
    for value in parsed.breaks:
        total += _time_seconds(value) or 0.0
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
        parsed = _parse(_declare_amazon(ssml), texts=max_seconds is not None and seconds is None)
    except expat.ExpatError as exc:
        return problems + [f"SSML is not well-formed XML: {exc}"]
    if parsed.root != "speak":
        problems.append(f"root element is <{parsed.root}>, expected <speak>")
    for value in parsed.breaks:
        length = _time_seconds(value)
        if length is None:
            problems.append(f"break time {value!r} is not like '500ms' or '2s'")
        elif length > max_break:
            problems.append(f"break of {length:g} s is longer than {max_break:g} s")
    clips = parsed.audio
    if clips > max_audio:
        problems.append(f"{clips} audio clips, limit {max_audio}")
    if max_seconds is not None:
        length = seconds if seconds is not None else _estimate(parsed)
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
