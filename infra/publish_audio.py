"""Render the streamed workouts and upload what the bucket lacks.

    python infra/publish_audio.py --bucket NAME [--level beginner ...] [--voice polly:Joanna] [--dry-run]

Every workout stream mode can start (:func:`skill.workout.catalogue.catalogue`:
each level and each single exercise, as planned and fitted to each streamed
length) is rendered with the local voice into the audio cache (cached: a
second run renders nothing) and uploaded under ``audio/`` with the plan's
playlist. ``--voice polly:<VoiceId>`` speaks them with Amazon Polly's
neural voice instead (:mod:`speech.polly`); the voice is part of every
segment's digest and of the playlist's name, so both voices' files can
share the bucket, and the function plays the voice its
``LEGCOACH_AUDIO_VOICE`` names. Objects are named by content, so what is
already in the bucket is skipped: the bucket is listed once, then only
missing objects are sent. ``--dry-run`` lays every stream out (its speech
is synthesised) and encodes only a sample, then prints what a publish
would upload: segments, megabytes (constant bit rate: known without
encoding) and the render time, measured for the speech and estimated from
the sample's encoding speed for the rest.

The Lambda function reads the playlists and hands devices presigned URLs
of the segments (``LEGCOACH_AUDIO_BUCKET``, set by infra/template.yaml).
A workout whose playlist is not published is guided turn by turn.
Credentials and region come from the usual AWS settings (boto3): the
deployer's, with s3:ListBucket and s3:PutObject on the bucket (and
polly:SynthesizeSpeech for a Polly voice).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from skill.workout.catalogue import catalogue  # noqa: E402
from skill.workout.plan_spec import LEVELS, PlanSpec  # noqa: E402
from skill.workout.stream_sources import AUDIO_PREFIX  # noqa: E402
from speech.cache import AudioCache  # noqa: E402
from speech.mp3 import MIME_TYPE  # noqa: E402
from speech.paths import audio_cache_dir  # noqa: E402
from speech.tts import VoiceOptions  # noqa: E402
from speech.voices import POLLY_PREFIX, Synthesizer, voice_for  # noqa: E402
from timer.segments import Segment, SegmentRenderer, playlist_name  # noqa: E402

IMMUTABLE = "public, max-age=31536000, immutable"
_POLLY_VOICE = re.compile(re.escape(POLLY_PREFIX) + r"[A-Z][A-Za-z]{1,30}")
#: A dry run encodes this many segments the cache lacks, to measure the encoding speed.
SAMPLE_SEGMENTS = 3


@dataclass
class Report:
    """What a publish found and sent (or, dry, would send)."""

    plans: int = 0
    segments: int = 0  # distinct segments of all the plans
    audio_seconds: float = 0.0  # their length
    uploaded: int = 0  # objects sent (dry: that would be)
    bytes: int = 0  # their size
    skipped: int = 0  # objects already in the bucket (each counted once)
    speech_seconds: float = 0.0  # synthesising speech and laying the streams out
    encode_seconds: float = 0.0  # encoding segments (dry: the sample's)
    encoded_audio: float = 0.0  # seconds of audio those encodings made
    sampled: int = 0  # segments encoded
    unencoded_audio: float = 0.0  # seconds of audio still to encode (dry run)
    playlists: list[str] = field(default_factory=list)  # every plan's playlist key

    @property
    def render_seconds(self) -> float:
        """Time to render everything: measured, plus (dry run) the rest
        estimated at the encoding speed measured on the sample."""
        rest = self.unencoded_audio / self.speed if self.speed else 0.0
        return self.speech_seconds + self.encode_seconds + rest

    @property
    def speed(self) -> float:
        """Encoding speed as a multiple of real time (0 if nothing was encoded)."""
        return self.encoded_audio / self.encode_seconds if self.encode_seconds > 0 else 0.0


def existing_keys(client: Any, bucket: str, prefix: str = AUDIO_PREFIX) -> set[str]:
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(item["Key"] for item in page.get("Contents", ()))
    return keys


def publish(specs: Iterable[PlanSpec], client: Any, bucket: str, *, cache_dir: Path,
            options: VoiceOptions | None = None, voice: Synthesizer | None = None,
            dry_run: bool = False, sample: int = SAMPLE_SEGMENTS,
            clock: Callable[[], float] = time.perf_counter) -> Report:
    """Render ``specs`` spoken with ``options`` (by ``voice``, default the one
    ``options.voice`` names) and upload every segment and playlist the bucket
    lacks. ``dry_run``: upload nothing and encode only ``sample`` segments
    of those the cache lacks."""
    options = options or VoiceOptions()
    voice = voice or voice_for(options)
    listed = existing_keys(client, bucket)
    have, skipped = set(listed), set()
    report, seen, segments = Report(), set(), set()
    for spec in specs:
        plan = spec.plan()
        if plan.digest in seen:
            continue
        seen.add(plan.digest)
        report.plans += 1
        began = clock()
        # a renderer per plan: its clips are kept in memory only while the plan needs them
        renderer = SegmentRenderer(AudioCache(cache_dir, options, voice=voice))
        stream = renderer.stream(plan)
        report.speech_seconds += clock() - began
        for seg in stream.segments:
            if seg.digest not in segments:
                segments.add(seg.digest)
                report.segments += 1
                report.audio_seconds += seg.seconds
            key = AUDIO_PREFIX + seg.file_name
            if key not in have:
                have.add(key)
                audio = _audio(renderer, seg, report, sample if dry_run else None, clock)
                _send(client, bucket, key, audio, MIME_TYPE, IMMUTABLE, report, dry_run)
            elif key in listed:
                skipped.add(key)
        key = AUDIO_PREFIX + playlist_name(plan.digest, options.voice, options.rate, options.volume)
        report.playlists.append(key)
        if key not in have:
            have.add(key)
            body = json.dumps(stream.playlist(plan).to_json(), separators=(",", ":")).encode()
            _send(client, bucket, key, body, "application/json", "no-cache", report, dry_run)
        elif key in listed:
            skipped.add(key)
    report.skipped = len(skipped)
    return report


def _audio(renderer: SegmentRenderer, seg: Segment, report: Report, sample: int | None,
           clock: Callable[[], float]) -> bytes | int:
    """The segment's MP3, or (a dry run's ``sample`` encoded, not cached) its size."""
    cached = renderer.cache.root / seg.file_name
    if sample is not None and report.sampled >= sample and not cached.exists():
        report.unencoded_audio += seg.seconds
        return seg.size
    began, before = clock(), renderer.encoded
    data = renderer.path(seg).read_bytes()
    if renderer.encoded > before:
        report.encode_seconds += clock() - began
        report.encoded_audio += seg.seconds
        report.sampled += 1
    return data


def _send(client: Any, bucket: str, key: str, body: bytes | int, content_type: str, caching: str,
          report: Report, dry_run: bool) -> None:
    if not dry_run:
        assert isinstance(body, bytes)
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl=caching)
    report.uploaded += 1
    report.bytes += body if isinstance(body, int) else len(body)


def _voice(raw: str) -> str:
    if not _POLLY_VOICE.fullmatch(raw.strip()):
        raise argparse.ArgumentTypeError(f"{raw!r}: give polly:<VoiceId>, e.g. polly:Joanna "
                                         "(without --voice, the local voice speaks)")
    return raw.strip()


def summary(report: Report, bucket: str, dry_run: bool) -> str:
    verb = "would upload" if dry_run else "uploaded"
    hours = report.audio_seconds / 3600
    speed = f" at {report.speed:.0f}x real time" if report.speed else ""
    how = (f"about {report.render_seconds / 60:.1f} min (speech {report.speech_seconds:.0f} s measured, "
           f"encoding estimated{speed} from {report.sampled} segments)" if dry_run and report.unencoded_audio
           else f"{report.render_seconds / 60:.1f} min (speech {report.speech_seconds:.0f} s, "
           f"encoding {report.encode_seconds:.0f} s{speed})")
    return (f"{report.plans} workouts, {report.segments} distinct segments ({hours:,.1f} h of audio): "
            f"{verb} {report.uploaded} objects ({report.bytes / 1e6:,.1f} MB), "
            f"{report.skipped} already in s3://{bucket}/{AUDIO_PREFIX}; render {how}")


def main(argv: Sequence[str] | None = None, client: Any = None, polly: Any = None) -> int:
    """``client``: an S3 client, ``polly``: a Polly client (defaults: boto3's)."""
    parser = argparse.ArgumentParser(prog="python infra/publish_audio.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="the stack's AudioBucketName output")
    parser.add_argument("--level", action="append", choices=LEVELS, help="only this level (repeatable)")
    parser.add_argument("--voice", type=_voice, help="polly:<VoiceId> (e.g. polly:Joanna): speak with "
                        "Amazon Polly's neural voice instead of the local one")
    parser.add_argument("--dry-run", action="store_true",
                        help="lay every stream out, encode a sample, count and time; upload nothing")
    args = parser.parse_args(argv)
    options = VoiceOptions(voice=args.voice)
    voice = None
    if args.voice and polly is not None:
        from speech.polly import PollyVoice

        voice = PollyVoice(args.voice.removeprefix(POLLY_PREFIX), client=polly)
    if client is None:
        import boto3

        client = boto3.client("s3")
    try:
        report = publish(catalogue(args.level or LEVELS), client, args.bucket,
                         cache_dir=audio_cache_dir(), options=options, voice=voice, dry_run=args.dry_run)
    except Exception as exc:  # noqa: BLE001 - the edge: one line, no traceback
        print(f"publish_audio: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1
    print(summary(report, args.bucket, args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
