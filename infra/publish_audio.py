"""Render the streamed workouts and upload what the bucket lacks.

    python infra/publish_audio.py --bucket NAME [--minutes 10,15,20 | --all-minutes]
                                  [--level beginner ...] [--voice polly:Joanna] [--dry-run]

For every workout the voice can start (each level, as planned and with one
exercise only; with ``--minutes``, also fitted to those lengths; with
``--all-minutes``, every length from 2 to 60 minutes), the segments are
rendered with the local voice into the audio cache (cached: a second run
renders nothing) and uploaded under ``audio/`` with the plan's playlist.
``--voice polly:<VoiceId>`` speaks them with Amazon Polly's neural voice
instead (:mod:`speech.polly`); the voice is part of every segment's digest
and of the playlist's name, so both voices' files can share the bucket, and
the function plays the voice its ``LEGCOACH_AUDIO_VOICE`` names.
Objects are named by content, so what is already in the bucket is skipped:
the bucket is listed once, then only missing objects are sent.

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from skill.workout.plan_spec import LEVELS, PlanSpec  # noqa: E402
from skill.workout.stream_sources import AUDIO_PREFIX  # noqa: E402
from speech.cache import AudioCache  # noqa: E402
from speech.mp3 import MIME_TYPE  # noqa: E402
from speech.paths import audio_cache_dir  # noqa: E402
from speech.tts import VoiceOptions  # noqa: E402
from speech.voices import POLLY_PREFIX, Synthesizer  # noqa: E402
from timer.exercises import load_exercises  # noqa: E402
from timer.segments import SegmentRenderer, playlist_name  # noqa: E402

IMMUTABLE = "public, max-age=31536000, immutable"
_POLLY_VOICE = re.compile(re.escape(POLLY_PREFIX) + r"[A-Z][A-Za-z]{1,30}")


@dataclass
class Report:
    plans: int = 0
    segments: int = 0
    uploaded: int = 0
    bytes: int = 0
    skipped: int = 0


def catalogue(levels: Iterable[str] = LEVELS, minutes: Iterable[int | None] = (None,)) -> Iterator[PlanSpec]:
    """Every workout the voice can start at these levels and lengths."""
    exercises: list[str | None] = [None, *load_exercises()]
    for level in levels:
        for length in minutes:
            for exercise in exercises:
                yield PlanSpec(level, length, exercise)


def existing_keys(client: Any, bucket: str, prefix: str = AUDIO_PREFIX) -> set[str]:
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(item["Key"] for item in page.get("Contents", ()))
    return keys


def publish(specs: Iterable[PlanSpec], client: Any, bucket: str, *, cache_dir: Path,
            options: VoiceOptions | None = None, voice: Synthesizer | None = None,
            dry_run: bool = False) -> Report:
    """Render ``specs`` spoken with ``options`` (by ``voice``, default the one
    ``options.voice`` names) and upload every segment and playlist the bucket lacks."""
    options = options or VoiceOptions()
    renderer = SegmentRenderer(AudioCache(cache_dir, options, voice=voice))
    have = existing_keys(client, bucket)
    report, seen = Report(), set()
    for spec in specs:
        plan = spec.plan()
        if plan.digest in seen:
            continue
        seen.add(plan.digest)
        report.plans += 1
        stream = renderer.stream(plan)
        uploads: list[tuple[str, bytes, str, str]] = []
        for seg in stream.segments:
            report.segments += 1
            key = AUDIO_PREFIX + seg.file_name
            if key not in have:
                uploads.append((key, renderer.path(seg).read_bytes(), MIME_TYPE, IMMUTABLE))
        key = AUDIO_PREFIX + playlist_name(plan.digest, options.voice, options.rate, options.volume)
        if key not in have:
            body = json.dumps(stream.playlist(plan).to_json(), separators=(",", ":")).encode()
            uploads.append((key, body, "application/json", "no-cache"))
        for key, body, content_type, caching in uploads:
            if not dry_run:
                client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type,
                                  CacheControl=caching)
            have.add(key)
            report.uploaded += 1
            report.bytes += len(body)
        report.skipped += len(stream.segments) + 1 - len(uploads)
    return report


def _minutes(raw: str) -> list[int]:
    try:
        values = [int(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("give whole minutes separated by commas, e.g. 10,15,20") from None
    if not values or any(not 2 <= v <= 60 for v in values):
        raise argparse.ArgumentTypeError("minutes must be from 2 to 60")
    return values


def _voice(raw: str) -> str:
    if not _POLLY_VOICE.fullmatch(raw.strip()):
        raise argparse.ArgumentTypeError(f"{raw!r}: give polly:<VoiceId>, e.g. polly:Joanna "
                                         "(without --voice, the local voice speaks)")
    return raw.strip()


def main(argv: Sequence[str] | None = None, client: Any = None, polly: Any = None) -> int:
    """``client``: an S3 client, ``polly``: a Polly client (defaults: boto3's)."""
    parser = argparse.ArgumentParser(prog="python infra/publish_audio.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="the stack's AudioBucketName output")
    parser.add_argument("--level", action="append", choices=LEVELS, help="only this level (repeatable)")
    lengths = parser.add_mutually_exclusive_group()
    lengths.add_argument("--minutes", type=_minutes, default=[], help="also these fitted lengths (e.g. 10,15,20)")
    lengths.add_argument("--all-minutes", action="store_true", help="every fitted length from 2 to 60 minutes")
    parser.add_argument("--voice", type=_voice, help="polly:<VoiceId> (e.g. polly:Joanna): speak with "
                        "Amazon Polly's neural voice instead of the local one")
    parser.add_argument("--dry-run", action="store_true", help="render and count, upload nothing")
    args = parser.parse_args(argv)
    options = VoiceOptions(voice=args.voice)
    voice = None
    if args.voice and polly is not None:
        from speech.polly import PollyVoice

        voice = PollyVoice(args.voice.removeprefix(POLLY_PREFIX), client=polly)
    minutes: list[int | None] = [None, *(range(2, 61) if args.all_minutes else args.minutes)]
    if client is None:
        import boto3

        client = boto3.client("s3")
    try:
        report = publish(catalogue(args.level or LEVELS, minutes), client, args.bucket,
                         cache_dir=audio_cache_dir(), options=options, voice=voice, dry_run=args.dry_run)
    except Exception as exc:  # noqa: BLE001 - the edge: one line, no traceback
        print(f"publish_audio: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1
    verb = "would upload" if args.dry_run else "uploaded"
    print(f"{report.plans} workouts, {report.segments} segments: {verb} {report.uploaded} objects"
          f" ({report.bytes / 1e6:.1f} MB), {report.skipped} already in s3://{args.bucket}/{AUDIO_PREFIX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
