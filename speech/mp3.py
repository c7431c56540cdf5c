"""MP3 for Alexa streams: constant bit rate, whole frames, delay compensated.

The format sits inside what Alexa documents for long-form audio:

* "Use Long-Form Audio" (AudioPlayer), https://developer.amazon.com/en-US/docs/alexa/custom-skills/use-long-form-audio.html :
  AAC/MP4, MP3, PLS, M3U/M3U8 or HLS, at 16 to 384 kbps;
* "Recommended Media Support" (what Alexa devices play),
  https://developer.amazon.com/docs/alexa-voice-service/recommended-media-support.html :
  MP3 at 32 to 256 kbps, sampled at 44.1 or 48 kHz.

So: MPEG-1 Layer III, mono, :data:`SAMPLE_RATE` (44,100 Hz), :data:`BIT_RATE`
(48 kbps) CBR, encoded by LAME (the ``lameenc`` wheel).

An MP3 decoder outputs whole frames of :data:`FRAME` samples, and every
input sample comes out :data:`DELAY` samples late (LAME's 576-sample encoder
delay plus the decoder's 529). LAME writes one frame more than the input
fills, so :func:`encode_frames` makes the layout exact: given
``(frames - 1) * FRAME`` samples it writes ``frames`` frames, which decode to
exactly ``frames * FRAME`` samples: ``DELAY`` samples of quiet, the input
sample for sample, then ``FRAME - DELAY`` samples of quiet. A caller that
wants sound at position ``p`` of the decoded file puts it at ``p - DELAY``
of the input, and keeps the first ``DELAY`` and the last ``FRAME - DELAY``
samples of each file for silence.
"""

from __future__ import annotations

import sys
from array import array

from speech.audio import Clip, resample

SAMPLE_RATE = 44100
BIT_RATE = 48  # kbps, constant
FRAME = 1152  # samples per MPEG-1 Layer III frame
DELAY = 576 + 529  # LAME's encoder delay + the decoder's, in samples
QUALITY = 2  # LAME's -q (0 best .. 9 fastest); 2 is its recommended "high quality"
#: Changes whenever the bytes a given input encodes to could change.
FORMAT = f"mp3-{SAMPLE_RATE}-{BIT_RATE}k-cbr-q{QUALITY}-d{DELAY}-lameenc1"
MIME_TYPE = "audio/mpeg"


class MP3Error(ValueError):
    """Input that cannot become a whole-frame MP3 file."""


def input_samples(frames: int) -> int:
    """How many input samples make exactly ``frames`` frames."""
    if frames < 1:
        raise MP3Error(f"an MP3 file needs at least one frame, not {frames}")
    return (frames - 1) * FRAME


def frames_for(seconds: float) -> int:
    """The fewest frames whose decoded length covers ``seconds``."""
    samples = round(seconds * SAMPLE_RATE)
    return max(1, -(-samples // FRAME))


def at_stream_rate(clip: Clip) -> Clip:
    """``clip`` at :data:`SAMPLE_RATE`. The project's 22,050 Hz doubles every
    sample (C speed; the encoder's low-pass removes the images), other rates
    are resampled."""
    if clip.rate == SAMPLE_RATE:
        return clip
    if clip.rate * 2 == SAMPLE_RATE:
        out = array("h", bytes(4 * len(clip.samples)))
        out[0::2] = clip.samples
        out[1::2] = clip.samples
        return Clip(out, SAMPLE_RATE)
    return resample(clip, SAMPLE_RATE)


def encode_frames(clip: Clip, frames: int) -> bytes:
    """``clip`` as an MP3 of exactly ``frames`` frames.

    The clip (converted to :data:`SAMPLE_RATE`) is cut or padded with silence
    to :func:`input_samples` ``(frames)`` samples. Decoded, the file is
    ``frames * FRAME`` samples long, input sample ``i`` at ``i + DELAY``.
    LAME 3.100 (in ``lameenc`` 1.x) pads this way; the frame count is
    checked, so an encoder that pads otherwise fails loudly, never mistimes.
    """
    import lameenc  # only what renders streams needs LAME

    need = input_samples(frames)
    samples = at_stream_rate(clip).samples[:need]
    if len(samples) < need:
        samples = samples + array("h", bytes(2 * (need - len(samples))))
    if sys.byteorder != "little":
        samples = array("h", samples)
        samples.byteswap()
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_bit_rate(BIT_RATE)
    encoder.set_quality(QUALITY)
    data = bytes(encoder.encode(samples.tobytes()) + encoder.flush())
    written = count_frames(data)
    if written != frames:
        raise MP3Error(f"the encoder wrote {written} frames, not {frames}")
    return data


_BIT_RATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  # MPEG-1 L III


def count_frames(data: bytes) -> int:
    """Frames in an MPEG-1 Layer III file at :data:`SAMPLE_RATE` written by
    :func:`encode_frames` (no tags), walking the frame headers."""
    count = pos = 0
    while pos + 4 <= len(data):
        b1, b2 = data[pos + 1], data[pos + 2]
        if data[pos] != 0xFF or b1 & 0xFE != 0xFA or b2 >> 4 in (0, 15) or b2 & 0x0C:
            raise MP3Error(f"no MPEG-1 Layer III 44.1 kHz frame at byte {pos}")
        pos += 144 * _BIT_RATES[b2 >> 4] * 1000 // SAMPLE_RATE + (b2 >> 1 & 1)
        count += 1
    if pos != len(data):
        raise MP3Error(f"the last frame is cut short ({len(data)} bytes)")
    return count
