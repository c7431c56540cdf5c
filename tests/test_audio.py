"""Audio helpers (WAV I/O, tones, mixing, onsets) and non-blocking playback."""

from __future__ import annotations

import math
import os
import stat
import time
import wave
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speech.audio import (
    RATE,
    AudioError,
    Clip,
    concat,
    onset_errors,
    onsets,
    place,
    read_wav,
    resample,
    rms,
    silence,
    tone_clip,
    trim,
    wav_seconds,
    write_wav,
)
from speech.cache import AudioCache
from speech.model import SOUNDS, Narration, Sound
from speech.player import ProcessPlayer, SilentPlayer, find_player
from speech.tts import VoiceOptions


def crossings(clip: Clip) -> int:
    s = clip.samples
    return sum(1 for a, b in zip(s, s[1:]) if (a < 0) != (b < 0))


# --- WAV files and clips -------------------------------------------------


def test_write_then_read_keeps_samples_and_rate(tmp_path: Path) -> None:
    clip = Clip(array("h", [0, 1000, -1000, 32767, -32768]), 16000)
    path = write_wav(clip, tmp_path / "sub" / "a.wav")
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
    assert read_wav(path) == clip
    assert wav_seconds(path) == pytest.approx(5 / 16000)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    write_wav(silence(0.1), tmp_path / "a.wav")
    write_wav(tone_clip("beep"), tmp_path / "a.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]
    assert read_wav(tmp_path / "a.wav").seconds == pytest.approx(SOUNDS["beep"].seconds, abs=1 / RATE)


def test_read_mixes_stereo_down_to_mono(tmp_path: Path) -> None:
    path = tmp_path / "st.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(array("h", [100, 300, -200, -400]).tobytes())
    assert list(read_wav(path).samples) == [200, -300]


def test_read_rejects_a_file_that_is_not_wav(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    with pytest.raises(AudioError, match="not a readable PCM WAV"):
        read_wav(bad)


@pytest.mark.parametrize("name", sorted(SOUNDS))
def test_tone_has_its_length_and_pitch(name: str) -> None:
    tone = SOUNDS[name]
    clip = tone_clip(name)
    assert clip.seconds == pytest.approx(tone.seconds, abs=1 / RATE * len(tone.steps))
    sounding = sum(f * d for f, d in tone.steps)  # cycles in the whole tone
    assert crossings(clip) == pytest.approx(2 * sounding, rel=0.05)
    assert 0.2 < rms(clip) < 0.5
    assert abs(clip.samples[0]) < 200 and abs(clip.samples[-1]) < 200  # faded, no click


def test_resample_keeps_duration_and_pitch() -> None:
    clip = tone_clip("go")  # 1320 Hz, 0.35 s
    out = resample(clip, 44100)
    assert out.rate == 44100
    assert out.seconds == pytest.approx(clip.seconds, abs=1e-4)
    assert crossings(out) == pytest.approx(crossings(clip), rel=0.02)


def test_concat_converts_rates_and_joins_in_order() -> None:
    a = Clip(array("h", [1] * 100), 11025)
    b = Clip(array("h", [2] * 50), RATE)
    out = concat([a, b])
    assert out.rate == RATE and len(out) == 250
    assert out.samples[0] == 1 and out.samples[-1] == 2


def test_trim_removes_silence_around_sound_keeping_a_little() -> None:
    clip = concat([silence(0.5), tone_clip("beep"), silence(0.5)])
    out = trim(clip, lead=0.0, tail=0.05)
    assert out.seconds == pytest.approx(SOUNDS["beep"].seconds + 0.05, abs=0.003)
    assert len(trim(silence(1.0))) == 0


# --- placing clips on a timeline and finding them again -----------------


def test_place_starts_each_clip_exactly_at_its_offset() -> None:
    click = Clip(array("h", [10000, -10000]))
    out = place([(0.5, click), (1.25, click)], total_seconds=2.0)
    assert out.seconds == pytest.approx(2.0)
    loud = [i for i, v in enumerate(out.samples) if v]
    assert loud == [round(0.5 * RATE), round(0.5 * RATE) + 1, round(1.25 * RATE), round(1.25 * RATE) + 1]


def test_place_mixes_overlaps_with_clipping_and_cuts_at_the_end() -> None:
    a = Clip(array("h", [20000] * 10))
    out = place([(0.0, a), (5 / RATE, a), (1.0 - 3 / RATE, a)], total_seconds=1.0)
    assert list(out.samples[:15]) == [20000] * 5 + [32767] * 5 + [20000] * 5
    assert list(out.samples[-3:]) == [20000] * 3
    assert len(out) == RATE


def test_place_rejects_negative_offsets() -> None:
    with pytest.raises(AudioError, match="negative"):
        place([(-0.1, silence(0.1))], 1.0)


def test_onsets_find_each_sound_after_silence() -> None:
    items = [(0.2, tone_clip("beep")), (1.0, tone_clip("whistle")), (3.3, tone_clip("chime"))]
    found = onsets(place(items, 5.0))
    assert found == pytest.approx([0.2, 1.0, 3.3], abs=0.005)


def test_onsets_ignore_short_gaps_inside_a_sound() -> None:
    # The whistle has a 50 ms gap between its two blasts: one onset, not two.
    assert onsets(place([(0.5, tone_clip("whistle"))], 2.0)) == pytest.approx([0.5], abs=0.005)
    assert onsets(silence(1.0)) == []


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=0.6), min_size=1, max_size=5))
def test_onsets_recover_any_placed_timeline_within_30_ms(gaps: list[float]) -> None:
    items, t = [], 0.0
    for gap in gaps:
        t += gap + 0.6  # at least 0.6 s between the end of one and the next start
        items.append((t, tone_clip("beep")))
        t += SOUNDS["beep"].seconds
    found = onsets(place(items, t + 0.5))
    assert found == pytest.approx([offset for offset, _ in items], abs=0.03)


@pytest.mark.parametrize("volume", [1.0, 0.3])
def test_rendered_speech_cues_are_found_where_they_were_placed(tmp_path: Path, volume: float) -> None:
    cache = AudioCache(tmp_path, VoiceOptions(volume=volume))
    cues = [
        (0.5, Narration.of("Squats. Set two of three. Twelve reps.")),
        (5.0, Narration.of(Sound("beep"), "Go!")),
        (7.25, Narration.of("Ten seconds left.")),
        (10.0, Narration.of("Rest.")),
    ]
    timeline = place([(t, cache.clip_for(n)) for t, n in cues], 12.0)
    assert onsets(timeline) == pytest.approx([t for t, _ in cues], abs=0.03)


def test_onset_errors_find_cues_that_follow_closely(tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, VoiceOptions())
    rest = cache.clip_for(Narration.of("Rest thirty seconds."))
    cues = [(0.2, rest), (0.2 + rest.seconds + 0.12, cache.clip_for(Narration.of("Next up: lunges.")))]
    timeline = place(cues, 6.0)
    assert len(onsets(timeline)) == 1  # 0.5 s of quiet needed by default: merged
    assert max(onset_errors(timeline, [t for t, _ in cues])) < 0.03
    assert onset_errors(silence(1.0), [0.5]) == [math.inf]


# --- players -------------------------------------------------------------

FAKE_APLAY = """#!/bin/sh
if [ "$1" = "-l" ]; then
  {listing}
  exit 0
fi
echo "$$ $*" >> "{log}"
exec sleep 30
"""
CARD = 'echo "**** List of PLAYBACK Hardware Devices ****"; echo "card 0: Fake [Fake], device 0: Fake"'
NO_CARD = 'echo "aplay: device_list:274: no soundcards found..." >&2'


def fake_program(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def alive(pid: int) -> bool:
    """Running (not exited, not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def started(log: Path) -> list[tuple[int, str]]:
    if not log.exists():
        return []
    return [(int(line.split()[0]), line.split()[-1]) for line in log.read_text().splitlines()]


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    return tmp_path / "bin"


def test_find_player_picks_aplay_when_it_lists_a_card(bin_dir: Path, tmp_path: Path) -> None:
    exe = fake_program(bin_dir, "aplay", FAKE_APLAY.format(listing=CARD, log=tmp_path / "log"))
    player = find_player(path=str(bin_dir), env={})
    assert isinstance(player, ProcessPlayer)
    assert player.argv == [str(exe), "-q"]


def test_find_player_is_silent_when_aplay_finds_no_sound_card(bin_dir: Path, tmp_path: Path) -> None:
    fake_program(bin_dir, "aplay", FAKE_APLAY.format(listing=NO_CARD, log=tmp_path / "log"))
    assert isinstance(find_player(path=str(bin_dir), env={}), SilentPlayer)


def test_find_player_is_silent_with_no_player_installed(bin_dir: Path) -> None:
    bin_dir.mkdir()
    assert isinstance(find_player(path=str(bin_dir), env={}), SilentPlayer)


def test_find_player_prefers_paplay_only_when_a_sound_server_runs(bin_dir: Path, tmp_path: Path) -> None:
    fake_program(bin_dir, "aplay", FAKE_APLAY.format(listing=CARD, log=tmp_path / "log"))
    paplay = fake_program(bin_dir, "paplay", "#!/bin/sh\nexit 1\n")
    runtime = tmp_path / "run"
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    without_server = find_player(path=str(bin_dir), env=env)
    assert isinstance(without_server, ProcessPlayer) and without_server.name == "aplay"
    (runtime / "pulse").mkdir(parents=True)
    (runtime / "pulse" / "native").touch()
    with_server = find_player(path=str(bin_dir), env=env)
    assert isinstance(with_server, ProcessPlayer) and with_server.argv == [str(paplay)]


def test_play_returns_while_the_player_is_still_running(bin_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    exe = fake_program(bin_dir, "aplay", FAKE_APLAY.format(listing=CARD, log=log))
    player = ProcessPlayer([str(exe), "-q"])
    try:
        player.play(tmp_path / "cue.wav")
        assert player.playing  # the fake plays for 30 s; play() did not wait for it
        wait_for(lambda: len(started(log)) == 1)
        assert started(log)[0][1] == str(tmp_path / "cue.wav")
    finally:
        player.stop()
    assert not player.playing and not alive(started(log)[0][0])


def test_new_cue_stops_the_previous_one_and_stop_reaps_all(bin_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    exe = fake_program(bin_dir, "aplay", FAKE_APLAY.format(listing=CARD, log=log))
    player = ProcessPlayer([str(exe), "-q"])
    try:
        player.play(tmp_path / "one.wav")
        wait_for(lambda: len(started(log)) == 1)
        player.play(tmp_path / "two.wav")
        wait_for(lambda: len(started(log)) == 2)
        (first, _), (second, path) = started(log)
        wait_for(lambda: not alive(first))
        assert alive(second) and path == str(tmp_path / "two.wav")
    finally:
        player.stop()
    assert not alive(second)
    for pid in (first, second):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: no zombies left


def test_silent_player_accepts_cues_and_does_nothing(tmp_path: Path) -> None:
    player = SilentPlayer()
    player.play(tmp_path / "x.wav")
    player.stop()
    assert player.last == tmp_path / "x.wav"
