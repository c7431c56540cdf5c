"""The console as a device that plays streams: the Echo side of AudioPlayer.

Mixed into :class:`skill.devtools.chat.Console`. When a response carries
``AudioPlayer.Play``, the console fetches the segment from its URL, sends
``PlaybackStarted`` and, the whole file being buffered, at once
``PlaybackNearlyFinished`` (its answer enqueues the next segment), then plays
it in real time: through the local player where there is an audio device,
and always as its cues printed at their second in the segment
(:mod:`skill.devtools.segments`). At its end it sends ``PlaybackFinished``
and starts the enqueued segment. A line typed while a segment plays pauses
it there, as a wake word ducks a device: pause, resume, next, previous,
start over and stop become the built-in intents Alexa sends the skill that
holds the player (``stop`` is ``AMAZON.PauseIntent`` then); "press play",
"press pause", "press next" and "press previous" press the device's
buttons (``PlaybackController`` requests, see :data:`BUTTONS`); anything else
goes to the skill as "Alexa, ask leg coach ..." would; if the answer leaves
the player alone, the segment carries on from where it was. ``fast`` takes
each segment as heard to its end at once. Playback events go outside any
session, each stamped with the console's time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from skill.devtools.answers import directives_of, speech_of
from skill.devtools.audioplayer import (
    FAILED_EVENT,
    NEARLY_FINISHED,
    STARTED,
    STOPPED,
    AudioPlayer,
    Item,
    PlaybackEvent,
)
from skill.devtools.envelopes import Conversation
from skill.devtools.segments import FetchError, Script, SegmentBook, fetch
from speech.text import to_text

log = logging.getLogger("skill.devtools.streaming")

Envelope = dict[str, Any]

#: What a device sends for these words while it holds a skill's stream and no
#: session is open: Alexa's built-in playback intents ("stop" pauses).
PLAYER_WORDS = {
    **dict.fromkeys(("pause", "stop", "cancel", "pause the workout", "stop the workout"), "AMAZON.PauseIntent"),
    **dict.fromkeys(("resume", "continue", "play", "carry on"), "AMAZON.ResumeIntent"),
    **dict.fromkeys(("next", "skip"), "AMAZON.NextIntent"),
    **dict.fromkeys(("previous", "back", "go back"), "AMAZON.PreviousIntent"),
    **dict.fromkeys(("start over", "restart"), "AMAZON.StartOverIntent"),
    "repeat": "AMAZON.RepeatIntent",
    "loop on": "AMAZON.LoopOnIntent", "loop off": "AMAZON.LoopOffIntent",
    "shuffle on": "AMAZON.ShuffleOnIntent", "shuffle off": "AMAZON.ShuffleOffIntent",
}
#: Typed lines that press the device's buttons: the PlaybackController
#: requests a device sends (not intents: no speech, no session).
BUTTONS = {f"press {name.lower()}": f"PlaybackController.{name}CommandIssued"
           for name in ("Play", "Pause", "Next", "Previous")}
#: Players that read MP3 themselves (libsndfile, Core Audio); others get WAV.
MP3_PLAYERS = ("paplay", "pw-play", "afplay")


def clock_label(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class StreamPlayback:
    """The device's player, for :class:`~skill.devtools.chat.Console`."""

    transport: Any
    conversation: Conversation
    speaker: Any
    fast: bool
    heard_ahead: float
    clock: Any
    device: AudioPlayer
    book: SegmentBook
    _print: Callable[[str], None]
    _write: Callable[[str], None]
    _listen: Callable[[float, Callable[[], None]], str | None]

    def _init_player(self, device: AudioPlayer | None, book: SegmentBook | None) -> None:
        self.device = device or AudioPlayer()
        self.book = book or SegmentBook()
        self._script = Script(0.0)
        self._audio: Path | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def player_intent(self, words: str) -> str | None:
        """The built-in intent a device sends for ``words`` while it holds a stream."""
        return PLAYER_WORDS.get(words) if self.device.current is not None else None

    def press(self, button: str) -> str | None:
        """Press the device's ``button`` (a :data:`BUTTONS` request type) and
        play what follows; a line typed meanwhile, or None. Without a stream
        the device has no buttons for this skill: nothing is sent."""
        if self.device.current is None:
            self._print("(no workout audio on this device: its buttons do nothing for leg coach yet)")
            return None
        response = self.transport.send(self.conversation.button(button))
        if speech_of(response):
            self._print(f"(the skill answered {button} with speech: Alexa refuses that)")
        self.apply(response)
        typed = self.stream()
        if typed is None and self.device.activity == STOPPED and self.device.failed_item is None:
            self._print(f"(the workout audio is paused at {clock_label(self.device.offset_ms / 1000)}; "
                        "type press play or resume to carry on, or quit)")
        return typed

    def apply(self, response: Envelope) -> None:
        """Carry out a response's AudioPlayer directives and send what they cause."""
        for event in self.device.apply(directives_of(response)):
            self.send_event(event)
        while self.device.ignored:
            self._print(f"(the device ignored {self.device.ignored.pop(0)})")

    def send_event(self, event: PlaybackEvent | None, **fields: Any) -> None:
        if event is None:
            return
        envelope = self.conversation.playback(event.kind, event.token, event.offset_ms, **fields)
        response = self.transport.send(envelope)
        if speech_of(response):
            self._print(f"(the skill answered {event.kind} with speech: Alexa refuses that)")
        self.apply(response)

    def stream(self) -> str | None:
        """Play what the device has to play until it stops or runs out; a line
        typed meanwhile (the segment paused there), or None."""
        while True:
            item = self.device.take_next()
            if item is not None:
                if not self._begin(item):
                    continue
            elif not self.device.playing:
                return None
            else:
                self._print(f"  (carries on at {clock_label(self.device.offset_ms / 1000)})")
            typed = self._hear()
            if typed is not None:
                return typed
            self.send_event(self.device.finished(round(self._script.seconds * 1000)))

    def start_pending(self) -> None:
        """Start a stream a response asked for though its speech was interrupted."""
        item = self.device.take_next()
        if item is not None:
            self._begin(item)

    def _begin(self, item: Item) -> bool:
        """Fetch ``item`` and report it started (and buffered); False if it failed."""
        try:
            data = fetch(item.url)
        except FetchError as exc:
            self._print(f"(the device cannot play {item.title or item.token}: {exc})")
            self.device.failed()
            self.send_event(PlaybackEvent(FAILED_EVENT, item.token, item.offset_ms),
                            error={"type": exc.kind, "message": str(exc)[:200]},
                            currentPlaybackState={"token": item.token, "offsetInMilliseconds": item.offset_ms,
                                                  "playerActivity": STOPPED})
            return False
        self._script = self.book.script(item.token, item.url, data)
        self._audio = self._audio_file(data) if item.offset_ms == 0 else None
        self._print(f"▶ {item.title or item.token} ({clock_label(self._script.seconds)})")
        self.send_event(PlaybackEvent(STARTED, item.token, item.offset_ms))
        self.send_event(PlaybackEvent(NEARLY_FINISHED, item.token, item.offset_ms))
        return True

    def _hear(self) -> str | None:
        """The current segment from the device's offset to its end, in real
        time; a line typed meanwhile (the offset is where the first key came)."""
        script, start = self._script, self.device.offset_ms / 1000
        cues: list[tuple[float, str | None]] = [(at, to_text(n)) for at, n in script.cues if at >= start]
        if self.fast:
            for at, text in cues:
                self._print(f"  {clock_label(at)}  {text}")
            self.heard_ahead += max(0.0, script.seconds - start)
            return None
        if self._audio is not None and start == 0:
            self.speaker.player.play(self._audio)
        began, pressed = self.clock.now(), []

        def on_key() -> None:
            pressed.append(self.clock.now())
            self._stop_stream_audio()
            self._write("you> ")

        def heard() -> None:
            at = _seconds((pressed[0] if pressed else self.clock.now()) - began)
            self.device.offset_ms = round((start + at) * 1000)

        for at, text in [*cues, (script.seconds, None)]:  # None: the end
            wait = at - start - _seconds(self.clock.now() - began)
            try:
                typed = self._listen(wait, on_key) if wait > 0 else None
            except (EOFError, KeyboardInterrupt):  # the console closes with the segment playing
                heard()
                raise
            if typed is not None:
                heard()
                return typed
            if text is not None:
                self._print(f"  {clock_label(at)}  {text}")
        return None

    def _stop_stream_audio(self) -> None:
        if self._audio is not None:
            self.speaker.player.stop()
            self._audio = None  # a segment carried on after a pause is shown, not heard

    def _audio_file(self, data: bytes) -> Path | None:
        """The segment as a file the local player can play, or None (no audio device)."""
        player = getattr(self.speaker, "player", None)
        if not getattr(self.speaker, "audible", False) or player is None:
            return None
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="leg-coach-stream-")
        folder = Path(self._folder.name)
        if getattr(player, "name", "") in MP3_PLAYERS:
            (folder / "segment.mp3").write_bytes(data)
            return folder / "segment.mp3"
        try:
            import miniaudio
        except ImportError:
            return None  # aplay reads WAV only and nothing here decodes MP3: shown, not heard
        from speech.audio import Clip, write_wav

        decoded = miniaudio.decode(data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
        return write_wav(Clip(decoded.samples, decoded.sample_rate), folder / "segment.wav")

    def stop_player(self) -> None:
        """The console is leaving: what plays stops there, and the skill hears so."""
        if self.device.playing and self.device.current is not None:
            self.device.activity = STOPPED
            self.send_event(PlaybackEvent("AudioPlayer.PlaybackStopped", self.device.current.token,
                                          self.device.offset_ms))
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def _seconds(delta: Any) -> float:
    return float(delta.total_seconds())
