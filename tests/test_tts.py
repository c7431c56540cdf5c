"""Real text-to-speech (pyttsx3 over espeak-ng), the cue cache and the live speaker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest

from speech.audio import RATE, read_wav, rms, tone_clip, wav_seconds
from speech.cache import AudioCache
from speech.live import LiveSpeaker, MuteSpeaker, make_speaker
from speech.model import SOUNDS, Narration, Pause, Sound
from speech.player import SilentPlayer
from speech.tts import (
    TTSUnavailable,
    UnknownVoice,
    VoiceOptions,
    list_voices,
    resolve_voice,
    synthesize,
    tts_available,
)

ROOT = Path(__file__).resolve().parent.parent
SPEECH_FLOOR = 0.02  # RMS (fraction of full scale) well above silence


def wav_params(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path)) as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=60
    )


# --- synthesis -------------------------------------------------------------


def test_synthesize_writes_mono_16_bit_22050_hz_speech(tmp_path: Path) -> None:
    path = synthesize("Squats. Set two of three. Twelve reps.", tmp_path / "a.wav", VoiceOptions())
    assert wav_params(path) == (1, 2, RATE)
    clip = read_wav(path)
    assert 1.5 < clip.seconds < 5.0
    assert rms(clip) > SPEECH_FLOOR
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav"]  # no temp files left


def test_long_text_is_complete_although_runandwait_returns_early(tmp_path: Path) -> None:
    words = ("Lower slowly, keep your chest up and push through your heels. " * 15).strip()
    clip = read_wav(synthesize(words, tmp_path / "long.wav", VoiceOptions()))
    spoken = len(words.split()) * 60 / 175
    assert clip.seconds > 0.7 * spoken  # the whole text, not a cut-off start


def test_rate_and_volume_change_the_audio(tmp_path: Path) -> None:
    text = "one two three four five six seven eight"
    slow = read_wav(synthesize(text, tmp_path / "slow.wav", VoiceOptions(rate=120)))
    fast = read_wav(synthesize(text, tmp_path / "fast.wav", VoiceOptions(rate=300)))
    quiet = read_wav(synthesize(text, tmp_path / "quiet.wav", VoiceOptions(rate=300, volume=0.3)))
    assert slow.seconds > 1.8 * fast.seconds
    assert rms(quiet) < 0.5 * rms(fast)
    assert quiet.seconds == pytest.approx(fast.seconds, abs=0.05)


def test_pyttsx3_chatter_stays_out_of_stdout(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    synthesize("Rest.", tmp_path / "r.wav", VoiceOptions())
    out, _ = capfd.readouterr()
    assert "Audio saved" not in out


def test_threads_share_the_engine_safely(tmp_path: Path) -> None:
    text = "one two three four five six"
    expected = {
        r: read_wav(synthesize(text, tmp_path / f"ref{r}.wav", VoiceOptions(rate=r))).seconds
        for r in (120, 300)
    }
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            rate = (120, 300)[i % 2]
            clip = read_wav(synthesize(text, tmp_path / f"t{i}.wav", VoiceOptions(rate=rate)))
            assert clip.seconds == pytest.approx(expected[rate], abs=0.05)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_voices_are_listed_and_resolved_by_id_name_or_language() -> None:
    voices = list_voices()
    assert len(voices) > 10
    us = next(v for v in voices if v.id.endswith("/en-us"))
    assert resolve_voice(us.id) == resolve_voice(us.name) == resolve_voice("EN-US") == us.id
    assert resolve_voice(None) == resolve_voice("")


def test_unknown_voice_is_an_error_not_silently_ignored(tmp_path: Path) -> None:
    with pytest.raises(UnknownVoice, match="unknown voice 'no-such-voice'"):
        synthesize("hello", tmp_path / "x.wav", VoiceOptions(voice="no-such-voice"))
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize(("rate", "volume"), [(79, 1.0), (451, 1.0), (175, -0.1), (175, 1.5)])
def test_voice_options_reject_values_out_of_range(rate: int, volume: float) -> None:
    with pytest.raises(ValueError):
        VoiceOptions(rate=rate, volume=volume)


def test_empty_text_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        synthesize("  ", tmp_path / "x.wav", VoiceOptions())


# --- espeak-ng library: system, wheel, none --------------------------------

WHICH_LIB = """
from pathlib import Path
from speech.tts import synthesize, VoiceOptions, engine_id
from speech.audio import read_wav, rms
out = synthesize("Glute bridges.", Path({out!r}), VoiceOptions())
libs = {{l.split()[-1] for l in open("/proc/self/maps") if "libespeak-ng" in l}}
print(engine_id())
print(sorted(libs))
print(read_wav(out).seconds > 0.5 and rms(read_wav(out)) > 0.02)
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc to see loaded libraries")
def test_wheel_fallback_speaks_without_the_system_library(tmp_path: Path) -> None:
    done = run_python(WHICH_LIB.format(out=str(tmp_path / "w.wav")), LEGCOACH_ESPEAK="wheel")
    assert done.returncode == 0, done.stderr
    ident, libs, ok = done.stdout.splitlines()
    assert ident.endswith("(wheel)")
    assert "espeakng_loader" in libs and "/usr/lib" not in libs and "/lib/x86_64" not in libs
    assert ok == "True"
    assert "Audio saved" not in done.stdout


NO_ENGINE = """
import sys
sys.modules["espeakng_loader"] = None  # the wheel is not installed
from speech.live import make_speaker
from speech.tts import tts_available
first, second = make_speaker(), make_speaker()
print(tts_available(), type(first).__name__, type(second).__name__)
"""


def test_machine_without_espeak_gets_one_warning_and_mute_speakers() -> None:
    done = run_python(NO_ENGINE, LEGCOACH_ESPEAK="wheel")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "MuteSpeaker", "MuteSpeaker"]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "text-to-speech is unavailable" in lines[0]
    assert "Traceback" not in done.stderr


def test_bad_espeak_setting_is_reported_clearly() -> None:
    code = "from speech.tts import engine_id\ntry:\n    engine_id()\nexcept Exception as e:\n    print(type(e).__name__, e)"
    done = run_python(code, LEGCOACH_ESPEAK="loud")
    expected = "TTSUnavailable LEGCOACH_ESPEAK must be auto, system or wheel, not 'loud'"
    assert done.stdout.strip() == expected
    assert issubclass(TTSUnavailable, RuntimeError)


# --- the cache -------------------------------------------------------------


def test_cache_hit_returns_without_synthesising_again(tmp_path: Path) -> None:
    n = Narration.of("Ten seconds left.")
    first = AudioCache(tmp_path, VoiceOptions())
    path = first.path_for(n)
    written = path.stat().st_ino, path.read_bytes()
    assert first.path_for(n) == path and first.rendered == 1
    again = AudioCache(tmp_path, VoiceOptions())  # as in a later session
    assert again.path_for(n) == path and again.rendered == 0
    assert (path.stat().st_ino, path.read_bytes()) == written  # not rewritten (only marked used)


def test_cache_key_differs_by_voice_rate_and_volume_not_by_voice_spelling(tmp_path: Path) -> None:
    keys = {
        AudioCache(tmp_path, VoiceOptions()).key("Rest."),
        AudioCache(tmp_path, VoiceOptions(rate=200)).key("Rest."),
        AudioCache(tmp_path, VoiceOptions(volume=0.5)).key("Rest."),
        AudioCache(tmp_path, VoiceOptions(voice="en-us")).key("Rest."),
    }
    assert len(keys) == 4
    assert AudioCache(tmp_path, VoiceOptions(voice="en-us")).key("Rest.") == AudioCache(
        tmp_path, VoiceOptions(voice="English (America)")
    ).key(" Rest. ")
    faster = AudioCache(tmp_path, VoiceOptions(rate=200))
    faster.path_for(Narration.of("Rest."))
    assert faster.rendered == 1


def test_cached_phrase_is_trimmed_of_espeak_silence(tmp_path: Path) -> None:
    raw = read_wav(synthesize("Rest.", tmp_path / "raw.wav", VoiceOptions()))
    cached = AudioCache(tmp_path / "c", VoiceOptions()).clip_for(Narration.of("Rest."))
    assert cached.seconds < raw.seconds - 0.1
    assert max(abs(v) for v in cached.samples[:200]) > 300  # sound starts at once


def test_narration_audio_is_phrases_pauses_and_tones_in_order(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, VoiceOptions())
    word = cache.clip_for(Narration.of("Go!"))
    n = Narration.of(Sound("beep"), Pause(0.5), "Go!")
    path = cache.path_for(n)
    expected = SOUNDS["beep"].seconds + 0.5 + word.seconds
    assert wav_seconds(path) == pytest.approx(expected, abs=2 / RATE)
    clip = read_wav(path)
    assert list(clip.samples[: len(tone_clip("beep"))]) == list(tone_clip("beep").samples)
    assert cache.rendered == 1  # "Go!" synthesised once for both


def test_render_all_synthesises_each_distinct_phrase_once(tmp_path: Path) -> None:
    ns = [Narration.of("Rest."), Narration.of(Sound("beep"), "Rest."), Narration.of("Go!"), Narration()]
    cache = AudioCache(tmp_path, VoiceOptions())
    cache.render_all(ns)
    assert cache.rendered == 2
    assert not list(tmp_path.glob(".*"))  # no temporary files left


# --- the live speaker ------------------------------------------------------


def test_live_speaker_prepares_then_plays_without_rendering(tmp_path: Path) -> None:
    player = SilentPlayer()
    speaker = LiveSpeaker(VoiceOptions(), tmp_path, player)
    cues = [Narration.of("Squats."), Narration.of(Sound("go"), Pause(0.2), "Go!")]
    speaker.prepare(cues)
    rendered = speaker.cache.rendered
    speaker.speak(cues[1])
    assert speaker.cache.rendered == rendered == 2
    assert player.last is not None and wav_seconds(player.last) == speaker.seconds(cues[1])
    seconds = speaker.seconds(cues[1])
    assert seconds is not None and seconds > SOUNDS["go"].seconds + 0.2
    assert not speaker.audible
    speaker.speak(Narration())  # nothing to say: no error
    speaker.close()


def test_make_speaker_mute_and_unknown_voice(tmp_path: Path) -> None:
    assert tts_available()
    assert isinstance(make_speaker(VoiceOptions(), tmp_path, mute=True), MuteSpeaker)
    assert isinstance(make_speaker(VoiceOptions(), tmp_path, player=SilentPlayer()), LiveSpeaker)
    with pytest.raises(UnknownVoice):
        make_speaker(VoiceOptions(voice="no-such-voice"), tmp_path)


def test_mute_speaker_does_nothing_and_knows_no_lengths() -> None:
    mute = MuteSpeaker()
    mute.prepare([Narration.of("Go.")])
    mute.speak(Narration.of("Go."))
    assert mute.seconds(Narration.of("Go.")) is None and not mute.audible
    mute.close()
