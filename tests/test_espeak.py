"""espeak-ng reads the text it synthesises and nothing past it.

pyttsx3's binding told espeak_Synth the text was ten times its length, and
espeak-ng copies that many bytes: past the end of mapped memory the process
died with SIGSEGV (see speech/espeak.py). Here every text espeak_Synth gets
lies at the end of readable memory (tests/espeak_guard.py), so any read past
it faults at once, not now and then. Each check runs in a child process: a
crash is a failed test, not a lost test run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from speech.espeak import Espeak, TTSUnavailable
from speech.tts import tts_available

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not tts_available(), reason="no espeak-ng here")

SPEAK = """
import sys, wave
from pathlib import Path
from espeak_guard import guard_synth_texts
guard_synth_texts()
from speech.tts import VoiceOptions, list_voices, synthesize
voices = [None] + [v.id for v in list_voices()[:40:10]]
texts = ["Go.", "Squats, ten reps.", "Keep your chest up and push through your heels. " * 30,
         "Fünf Kniebeugen, café, naïve: ÜBUNG.", "Rest for twenty seconds. Next: lunges."]
for i in range(40):
    text = texts[i % len(texts)] + f" {i}."
    out = synthesize(text, Path(sys.argv[1]) / f"{i}.wav", VoiceOptions(voice=voices[i % len(voices)], rate=100 + 8 * i))
    with wave.open(str(out)) as w:
        assert w.getnframes() > 0, text
print("spoke", i + 1)
"""

READ_PAST = """
from espeak_guard import guard_synth_texts
guard_synth_texts()
from pyttsx3.drivers import _espeak
from speech.espeak import Espeak, TTSUnavailable
from speech.tts import tts_available
assert tts_available()
text = b"Squats."
print("asking espeak-ng to copy", len(text) * 10, "bytes", flush=True)
_espeak.cSynth(text, len(text) * 10, 0, _espeak.POS_CHARACTER, 0, _espeak.CHARS_UTF8, None, None)
print("read past the text and lived")
"""


def run_child(code: str, *args: str, library: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT), str(ROOT / "tests"))),
           "LEGCOACH_ESPEAK": library}
    return subprocess.run([sys.executable, "-X", "faulthandler", "-c", code, *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("library", ["auto", "wheel"])
def test_synthesis_reads_no_byte_past_the_text(tmp_path: Path, library: str) -> None:
    done = run_child(SPEAK, str(tmp_path), library=library)
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    assert done.stdout.split() == ["spoke", "40"]


def test_a_read_past_the_text_is_caught_at_once() -> None:
    # What pyttsx3's own binding did: the guard must turn it into a crash every time.
    done = run_child(READ_PAST, library="auto")
    assert done.returncode == -signal.SIGSEGV, done.stdout + done.stderr
    assert "asking espeak-ng to copy 70 bytes" in done.stdout
    assert "lived" not in done.stdout


def test_a_pyttsx3_with_another_binding_is_refused_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another pyttsx3 release cannot be installed here: its binding is imitated by removing the
    # function speech/espeak.py calls. Speech is then unavailable with a reason, never wrong.
    from pyttsx3.drivers import _espeak

    monkeypatch.delattr(_espeak, "cSynth")
    with pytest.raises(TTSUnavailable, match="needs updating"):
        Espeak()
