"""Publishing streams spoken by Amazon Polly (``--voice polly:Joanna``).

Amazon Polly cannot be reached offline, so its client here is a stub
(botocore's Stubber): every request is checked (the voice, the neural
engine, PCM at 16 kHz, the phrase) and answered with real speech, this
machine's espeak-ng voice as 16 kHz PCM, so the segments' speech onsets can
be checked after MP3 decode. S3 is moto's, as in test_audio_publish."""

from __future__ import annotations

import io
import sys
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_audio_publish import BUCKET, SPEC, keys, s3  # noqa: F401 - the S3 fixture
from test_segments import decode

import publish_audio
from skill.workout.render_ahead import source_from_settings
from skill.workout.stream_sources import AUDIO_PREFIX
from speech.audio import onset_errors, read_wav, resample, write_wav
from speech.cache import AudioCache
from speech.polly import SAMPLE_RATE, PollyVoice
from speech.tts import VoiceOptions
from speech.voices import LocalVoice
from timer.segments import SegmentRenderer, playlist_name

POLLY = VoiceOptions(voice="polly:Joanna")


class Heard:
    """The local voice, recording each phrase asked for, in order, with its
    speech as Polly gives it: 16-bit little-endian PCM at 16 kHz."""

    def __init__(self) -> None:
        self.local = LocalVoice(VoiceOptions())
        self.calls: list[tuple[str, bytes]] = []

    def identity(self) -> tuple[str, str]:
        return "recorded", "local"

    def synthesize(self, text: str, path: Path) -> Path:
        clip = resample(read_wav(self.local.synthesize(text, path)), SAMPLE_RATE)
        samples = array("h", clip.samples)
        if sys.byteorder == "big":
            samples.byteswap()
        self.calls.append((text, samples.tobytes()))
        return write_wav(clip, path)


@pytest.fixture(scope="module")
def phrases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    """What publishing SPEC asks Polly for, in order, and the speech to answer."""
    heard = Heard()
    SegmentRenderer(AudioCache(tmp_path_factory.mktemp("heard"), POLLY, voice=heard)).stream(SPEC.plan())
    return heard.calls


@pytest.fixture
def polly(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    boto3 = pytest.importorskip("boto3")
    from botocore.stub import Stubber

    client = boto3.client("polly", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    with Stubber(client) as stub:
        yield client, stub


def answer(stub: Any, phrases: list[tuple[str, bytes]]) -> None:
    from botocore.response import StreamingBody

    for text, pcm in phrases:
        stub.add_response(
            "synthesize_speech",
            {"AudioStream": StreamingBody(io.BytesIO(pcm), len(pcm)), "ContentType": "audio/pcm",
             "RequestCharacters": len(text)},
            {"Text": text, "TextType": "text", "VoiceId": "Joanna", "Engine": "neural",
             "OutputFormat": "pcm", "SampleRate": "16000"})


def test_polly_segments_are_published_under_their_own_names_with_every_cue_on_time(
        s3: Any, polly: tuple[Any, Any], phrases: list[tuple[str, bytes]], tmp_path: Path) -> None:
    client, stub = polly
    answer(stub, phrases)
    voice = PollyVoice("Joanna", client=client)
    report = publish_audio.publish([SPEC], s3, BUCKET, cache_dir=tmp_path / "cache", options=POLLY, voice=voice)
    stub.assert_no_pending_responses()  # one request per distinct phrase, each as expected
    stream = SegmentRenderer(AudioCache(tmp_path / "cache", POLLY, voice=voice)).stream(SPEC.plan())
    local = SegmentRenderer(AudioCache(tmp_path / "local", VoiceOptions())).stream(SPEC.plan())
    assert not {s.digest for s in stream.segments} & {s.digest for s in local.segments}
    stored = keys(s3)
    assert report.uploaded == len(stream.segments) + 1 == len(stored)
    assert AUDIO_PREFIX + playlist_name(SPEC.plan().digest, "polly:Joanna", 175, 1.0) in stored
    assert AUDIO_PREFIX + playlist_name(SPEC.plan().digest, None, 175, 1.0) not in stored
    for seg in stream.segments:
        data = s3.get_object(Bucket=BUCKET, Key=AUDIO_PREFIX + seg.file_name)["Body"].read()
        planned = [seg.offset_in_file(c.offset) for c in seg.cues]
        assert max(onset_errors(decode(data), planned)) < 0.03, seg.index

    # The function, told the voice, finds that playlist; without it, the local voice's (none here).
    told = source_from_settings({}, {"LEGCOACH_AUDIO_BUCKET": BUCKET, "LEGCOACH_AUDIO_VOICE": "polly:Joanna"})
    playlist = told.playlist(SPEC.plan()) if told is not None else None
    assert playlist is not None and [s.digest for s in playlist.segments] == [s.digest for s in stream.segments]
    untold = source_from_settings({}, {"LEGCOACH_AUDIO_BUCKET": BUCKET})
    assert untold is not None and untold.playlist(SPEC.plan()) is None


def test_a_polly_failure_is_one_line_and_exit_1(s3: Any, polly: tuple[Any, Any],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    client, stub = polly
    stub.add_client_error("synthesize_speech", service_error_code="ValidationException",
                          service_message="This voice does not support the selected engine: neural")
    argv = ["--bucket", BUCKET, "--level", "beginner", "--voice", "polly:Joanna"]
    assert publish_audio.main(argv, client=s3, polly=client) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Amazon Polly" in err and "does not support" in err
    assert keys(s3) == {}


@pytest.mark.parametrize("voice", ["polly:", "polly:joanna lee", "Joanna"])
def test_a_voice_that_is_not_polly_s_is_refused_in_one_line(voice: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        publish_audio.main(["--bucket", BUCKET, "--voice", voice], client=object())
    assert exit_.value.code == 2
    assert "polly:<VoiceId>" in capsys.readouterr().err
