"""espeak-ng is driven from one thread per process, whichever threads ask."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import pytest

from speech import tts
from speech.tts import VoiceOptions, synthesize, tts_available

pytestmark = pytest.mark.skipif(not tts_available(), reason="no espeak-ng here")


def test_many_short_lived_threads_all_speak_on_the_one_speech_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    render = tts._Engine.render

    def recording(self: tts._Engine, *args: object) -> None:
        seen.append(threading.get_ident())
        render(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(tts._Engine, "render", recording)
    errors: list[BaseException] = []

    def speak(i: int) -> None:
        try:
            synthesize(f"Set {i}.", tmp_path / f"{i}.wav", VoiceOptions())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(seen) >= 12 and len(set(seen)) == 1
    assert seen[0] not in {t.ident for t in threads} | {threading.get_ident()}
    for i in range(12):
        with wave.open(str(tmp_path / f"{i}.wav"), "rb") as w:
            assert w.getnframes() > 0


def test_an_error_on_the_speech_thread_reaches_the_caller(tmp_path: Path) -> None:
    with pytest.raises(tts.UnknownVoice):
        synthesize("Hello.", tmp_path / "x.wav", VoiceOptions(voice="no-such-voice-xyz"))
    assert synthesize("Hello.", tmp_path / "y.wav", VoiceOptions()).exists()  # the thread lives on
