"""``python -m speech``: voices, say, and its error messages."""

from __future__ import annotations

import os
from array import array
import stat
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from speech.audio import RATE, Clip, read_wav, rms
from speech.cli import main

ROOT = Path(__file__).resolve().parent.parent

FAKE_APLAY = """#!/bin/sh
if [ "$1" = "-l" ]; then echo "card 0: Fake [Fake], device 0: Fake"; exit 0; fi
cp "$2" "{copy}"
"""


def run_module(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # LEGCOACH_HOME is a tmp dir (conftest)
    argv = [sys.executable, "-m", "speech", *args]
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_say_writes_a_wav_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hello.wav"
    assert main(["say", "Hello there.", "-o", str(out), "--rate", "150", "--volume", "0.8"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(str(out)) and "Audio saved" not in printed
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
    assert rms(read_wav(out)) > 0.02


def test_voices_lists_ids_names_and_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[0].endswith("/en-us") and "English (America)" in line for line in lines)
    assert all("en" in line.split()[-1] for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["say", "hi", "--voice", "no-such-voice"], "unknown voice 'no-such-voice'"),
        (["say", "hi", "--rate", "5"], "rate must be 80 to 450"),
        (["say", "hi", "--rate", "fast"], "invalid int value: 'fast'"),
        (["say", "hi", "--volume", "3"], "volume must be 0.0 to 1.0"),
        (["say", "   "], "nothing to say"),
        (["shout", "hi"], "invalid choice: 'shout'"),
        ([], "required: COMMAND"),
    ],
    ids=["unknown-voice", "slow-rate", "word-rate", "loud", "empty", "bad-command", "no-command"],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("speech: error:") and message in line


def test_output_into_missing_folder_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["say", "hi", "-o", str(tmp_path / "nope" / "x.wav")]) == 1
    assert "no such folder" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "nope").exists()


def test_say_without_audio_device_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no player programs at all
    assert main(["say", "hi"]) == 1
    assert "no audio device found" in one_error_line(capsys.readouterr().err)


def test_say_plays_through_the_first_player_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "played.wav"
    fake = tmp_path / "bin" / "aplay"
    fake.parent.mkdir()
    fake.write_text(FAKE_APLAY.format(copy=copy))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert main(["say", "Rest."]) == 0
    assert copy.exists() and rms(read_wav(copy)) > 0.02


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "--help"]) == 0
    assert "--voice" in capsys.readouterr().out


def test_module_renders_hello_in_a_real_process(tmp_path: Path) -> None:
    done = run_module("say", "hello", "-o", "x.wav", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("x.wav (")
    assert done.stderr == ""
    assert rms(read_wav(tmp_path / "x.wav")) > 0.02


def test_module_lists_voices_and_rejects_unknown_voice_in_a_real_process() -> None:
    voices = run_module("voices")
    assert voices.returncode == 0 and len(voices.stdout.splitlines()) > 10
    bad = run_module("say", "hi", "--voice", "no-such-voice")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "unknown voice 'no-such-voice'" in one_error_line(bad.stderr)


def test_machine_without_espeak_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['espeakng_loader'] = None\n"
        "from speech.cli import main\n"
        "raise SystemExit(main(['say', 'hi', '-o', 'x.wav']))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEGCOACH_ESPEAK": "wheel"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 1
    assert "no espeak-ng found" in one_error_line(done.stderr)
    assert not (tmp_path / "x.wav").exists()


def test_a_near_miss_voice_is_one_line_with_the_closest_installed_voices() -> None:
    done = run_module("say", "Hello.", "--voice", "klingonn")
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "unknown voice 'klingonn'; closest: Klingon;" in line and len(line) <= 200
    # "klingon" itself is an installed espeak-ng voice (art/piqd), so it is accepted
    assert "Klingon" in run_module("voices").stdout


def test_say_writes_mp3_when_the_file_name_says_mp3(tmp_path: Path) -> None:
    import miniaudio

    done = run_module("say", "Squats. Set one of three.", "-o", str(tmp_path / "set.mp3"))
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "set.mp3").read_bytes()
    decoded = miniaudio.decode(data, nchannels=1)
    assert decoded.sample_rate == 44100 and decoded.duration > 1.0
    assert rms(Clip(array("h", decoded.samples), decoded.sample_rate)) > 0.02  # speech, not silence
    assert done.stdout.strip().endswith(f"({decoded.duration:.2f} s)")
    assert [p.name for p in tmp_path.iterdir()] == ["set.mp3"]  # no temporary file left


def test_say_refuses_an_output_it_cannot_write_as_named(tmp_path: Path) -> None:
    done = run_module("say", "Hello.", "-o", str(tmp_path / "hello.ogg"))
    assert done.returncode == 2
    assert one_error_line(done.stderr) == "speech: error: -o: write a .wav or an .mp3 file, not .ogg"
    assert not list(tmp_path.iterdir())
