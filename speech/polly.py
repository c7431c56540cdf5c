"""Amazon Polly as a voice for published streams (opt-in: boto3 and AWS credentials).

Each phrase is one ``polly.synthesize_speech`` call: a neural voice, raw PCM
(signed 16-bit little-endian, mono) at :data:`SAMPLE_RATE`, one of the two
rates Polly gives PCM in. The audio cache writes it as WAV, then trims and
resamples it exactly as it does the local voice's, so the timeline is paced
on the measured speech and stream segments place every cue at its planned
offset the same way. The phrases are plain text (pauses and sounds are
placed as audio, not SSML), so ``TextType`` is ``text``.
"""

from __future__ import annotations

import re
import sys
from array import array
from pathlib import Path
from typing import Any

from speech.audio import Clip, write_wav
from speech.tts import TTSError, UnknownVoice

ENGINE = "neural"
SAMPLE_RATE = 16000  # Polly's PCM comes at 8,000 or 16,000 Hz
_VOICE_ID = re.compile(r"[A-Z][A-Za-z]{1,30}")


class PollyVoice:
    """Amazon Polly's voice ``voice_id`` (e.g. ``Joanna``) through ``client``
    (default: a boto3 Polly client with the usual AWS settings, made when
    first needed)."""

    def __init__(self, voice_id: str, client: Any = None, *, engine: str = ENGINE,
                 sample_rate: int = SAMPLE_RATE) -> None:
        if not _VOICE_ID.fullmatch(voice_id):
            raise UnknownVoice(f"not an Amazon Polly voice id: {voice_id!r} (for example polly:Joanna)")
        self.voice_id, self.engine, self.sample_rate = voice_id, engine, sample_rate
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("polly")
        return self._client

    def identity(self) -> tuple[str, str]:
        return f"amazon-polly-{self.engine}-pcm{self.sample_rate}", self.voice_id

    def synthesize(self, text: str, path: Path) -> Path:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.synthesize_speech(
                Text=text, TextType="text", VoiceId=self.voice_id, Engine=self.engine,
                OutputFormat="pcm", SampleRate=str(self.sample_rate))
            pcm = answer["AudioStream"].read()
        except (BotoCoreError, ClientError) as exc:
            raise TTSError(f"Amazon Polly ({self.voice_id}, {self.engine}): {exc}") from None
        if not pcm or len(pcm) % 2:
            raise TTSError(f"Amazon Polly returned no whole 16-bit samples for {text[:40]!r}")
        samples = array("h")
        samples.frombytes(pcm)
        if sys.byteorder == "big":
            samples.byteswap()
        return write_wav(Clip(samples, self.sample_rate), path)
