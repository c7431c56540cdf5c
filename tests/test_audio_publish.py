"""Publishing streamed workouts to S3 (moto's in-process S3) and the function's
side: playlists read back, presigned URLs handed out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "infra"))
import publish_audio  # noqa: E402

from envelopes import USER_ID, intent

from skill.builder import build_skill
from skill.core.sdk import invoke
from skill.store.sqlite import SQLiteAdapter
from skill.workout.catalogue import STREAM_MINUTES, VOICE_MINUTES, catalogue, streamed
from skill.workout.plan_spec import LEVELS, PlanSpec
from skill.workout.stream import Token
from tests.conftest import FakeClock
from skill.workout.stream_sources import AUDIO_PREFIX, KEEP_MISSES, MISS_SECONDS, URL_LIFETIME, S3Segments
from speech.cache import AudioCache
from speech.tts import VoiceOptions
from timer.exercises import load_exercises
from timer.segments import SegmentRenderer

BUCKET = "leg-coach-audio-test"
SPEC = PlanSpec("beginner", 2, "squat")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    moto = pytest.importorskip("moto")
    import boto3

    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                        "AWS_CONFIG_FILE": str(tmp_path / "none"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def keys(client: Any) -> dict[str, dict[str, Any]]:
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.head_object(Bucket=BUCKET, Key=o["Key"]) for o in listed}


def test_publish_uploads_segments_and_playlist_then_only_what_is_missing(s3: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = publish_audio.publish([SPEC, SPEC], s3, BUCKET, cache_dir=cache)
    stream = SegmentRenderer(AudioCache(cache, VoiceOptions())).stream(SPEC.plan())
    stored = keys(s3)
    assert first.plans == 1 and first.uploaded == len(stream.segments) + 1 == len(stored)
    for seg in stream.segments:
        head = stored[AUDIO_PREFIX + seg.file_name]
        assert head["ContentType"] == "audio/mpeg"
        assert "immutable" in head["CacheControl"]
        body = s3.get_object(Bucket=BUCKET, Key=AUDIO_PREFIX + seg.file_name)["Body"].read()
        assert body == (cache / seg.file_name).read_bytes()
    again = publish_audio.publish([SPEC], s3, BUCKET, cache_dir=cache)
    assert (again.uploaded, again.skipped) == (0, len(stream.segments) + 1)

    s3.delete_object(Bucket=BUCKET, Key=AUDIO_PREFIX + stream.segments[1].file_name)
    healed = publish_audio.publish([SPEC], s3, BUCKET, cache_dir=cache)
    assert healed.uploaded == 1 and AUDIO_PREFIX + stream.segments[1].file_name in keys(s3)


def test_the_function_reads_published_playlists_and_presigns_segment_urls(s3: Any, tmp_path: Path,
                                                                          clock: FakeClock) -> None:
    source = S3Segments(BUCKET, clock=clock)  # the client the function makes itself
    plan = SPEC.plan()
    assert source.playlist(plan) is None  # not published yet: turns instead
    publish_audio.publish([SPEC], s3, BUCKET, cache_dir=tmp_path / "cache")
    clock.sleep(MISS_SECONDS)
    playlist = source.playlist(plan)  # a miss is remembered only briefly: found once published
    stream = SegmentRenderer(AudioCache(tmp_path / "cache", VoiceOptions())).stream(plan)
    assert playlist is not None
    assert [s.digest for s in playlist.segments] == [s.digest for s in stream.segments]
    assert [(s.first_frame, s.frames, s.blocks) for s in playlist.segments] == \
        [(s.first_frame, s.frames, s.blocks) for s in stream.segments]
    url = source.url(plan, playlist.segments[0])
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.path.endswith(f"/{AUDIO_PREFIX}{playlist.segments[0].file_name}")
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == [str(URL_LIFETIME)] and "X-Amz-Signature" in query
    assert len(url) < 8000


def s3_reads(client: Any) -> list[str]:
    """The keys of every GetObject ``client`` sends from now on (botocore's own event hook)."""
    reads: list[str] = []
    client.meta.events.register("before-call.s3.GetObject", lambda params, **_: reads.append(params["url_path"]))
    return reads


def test_a_missing_playlist_costs_one_s3_read_per_miss_time_not_one_per_request(s3: Any, clock: FakeClock) -> None:
    source = S3Segments(BUCKET, s3, clock=clock)
    reads = s3_reads(s3)
    plan, other = SPEC.plan(), PlanSpec("advanced").plan()
    for _ in range(5):
        assert source.playlist(plan) is None
    assert len(reads) == 1
    assert source.playlist(other) is None  # each playlist has its own miss
    assert len(reads) == 2
    clock.sleep(MISS_SECONDS - 0.5)
    assert source.playlist(plan) is None and len(reads) == 2
    clock.sleep(0.5)
    assert source.playlist(plan) is None and len(reads) == 3  # asked again once the miss is old


def test_the_misses_remembered_are_bounded_oldest_first(s3: Any, clock: FakeClock) -> None:
    source = S3Segments(BUCKET, s3, clock=clock)
    reads = s3_reads(s3)
    first = PlanSpec("beginner", 2, "squat").plan()
    assert source.playlist(first) is None
    for n in range(KEEP_MISSES):
        source._misses.add(f"audio/p-other-{n}.json")  # as many other misses as are kept
    assert source.playlist(first) is None
    assert len(reads) == 2  # the first miss was forgotten to keep the bound


def test_a_failing_s3_is_not_remembered_as_a_miss(s3: Any, clock: FakeClock) -> None:
    source = S3Segments("leg-coach-no-such-bucket", s3, clock=clock)
    reads = s3_reads(s3)
    assert source.playlist(SPEC.plan()) is None
    assert source.playlist(SPEC.plan()) is None
    assert len(reads) == 2  # NoSuchBucket is a broken setup, not a missing workout: asked each time


def test_a_playlist_of_another_format_is_not_used(s3: Any) -> None:
    source = S3Segments(BUCKET, s3)
    key = source.playlist_key(SPEC.plan())
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({"format": "mp3-old", "plan": "x", "segments": []}))
    assert source.playlist(SPEC.plan()) is None
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"not json")
    assert source.playlist(SPEC.plan()) is None


def test_a_dry_run_uploads_nothing_and_counts_sizes_as_the_real_publish_finds_them(
        s3: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    specs = [SPEC, PlanSpec("intermediate", 2)]
    dry = publish_audio.publish(specs, s3, BUCKET, cache_dir=cache, dry_run=True, sample=2)
    renderer = SegmentRenderer(AudioCache(cache, VoiceOptions()))
    segments = {s.digest for spec in specs for s in renderer.stream(spec.plan()).segments}
    assert keys(s3) == {}
    assert dry.sampled == 2 < len(segments)
    assert len(list(cache.glob("s-*.mp3"))) == 2  # the rest is only counted
    assert dry.unencoded_audio > 0 and dry.speed > 0 and dry.render_seconds > dry.speech_seconds
    assert (dry.plans, dry.segments, dry.uploaded) == (2, len(segments), len(segments) + 2)
    real = publish_audio.publish(specs, s3, BUCKET, cache_dir=cache)
    assert real.uploaded == dry.uploaded and sum(h["ContentLength"] for h in keys(s3).values()) == real.bytes
    assert abs(real.bytes - dry.bytes) <= len(segments)  # CBR: a size is known to a byte unencoded
    assert real.unencoded_audio == 0 and real.sampled == len(segments) - 2


class AskedS3Segments(S3Segments):
    """The function's S3 source, noting the playlists stream mode asks it for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []

    def playlist(self, plan: Any) -> Any:
        self.asked.append(self.playlist_key(plan))
        return super().playlist(plan)


def test_publish_holds_every_workout_stream_mode_starts_and_nothing_else(s3: Any, tmp_path: Path) -> None:
    """Every length the voice accepts, as planned too, for a level and for one
    exercise alone (whole: the catalogue's own test below)."""
    wanted = list(catalogue(["beginner"], ["squat"]))
    report = publish_audio.publish(wanted, s3, BUCKET, cache_dir=tmp_path / "cache", dry_run=True)
    renderer = SegmentRenderer(AudioCache(tmp_path / "cache", VoiceOptions()))
    source = AskedS3Segments(BUCKET, client=s3)
    for spec in wanted:  # the playlists alone: segments are not fetched here
        plan = spec.plan()
        body = json.dumps(renderer.stream(plan).playlist(plan).to_json())
        s3.put_object(Bucket=BUCKET, Key=source.playlist_key(plan), Body=body)
    skill = build_skill(SQLiteAdapter(tmp_path / "skill.db"), {"AUDIO": source})
    asks = [{"level": "beginner", "minutes": None}, {"level": "squats", "minutes": None},  # "just squats"
            *({"level": level, "minutes": str(m)} for level in ("beginner", "squats") for m in VOICE_MINUTES)]
    played = set()
    for i, slots in enumerate(asks):
        response = invoke(skill, intent("StartWorkoutIntent", slots, new=True, user_id=f"{USER_ID}{i}"))
        (play,) = [d for d in response["response"]["directives"] if d["type"] == "AudioPlayer.Play"]
        token = Token.parse(play["audioItem"]["stream"]["token"])
        assert token is not None
        played.add(token.spec)
    assert played == set(wanted)
    assert set(source.asked) == set(report.playlists) and len(report.playlists) == len(wanted)


def test_the_catalogue_is_every_workout_stream_mode_can_start_levels_first() -> None:
    exercises = [None, *load_exercises()]
    asked = {streamed(PlanSpec(level, minutes, exercise))
             for level in LEVELS for minutes in (None, *VOICE_MINUTES) for exercise in exercises}
    specs = list(catalogue())
    assert len(specs) == len(set(specs)) == len(asked) == 3 * (1 + len(STREAM_MINUTES)) * len(exercises)
    assert set(specs) == asked
    assert specs[:3] == [PlanSpec(level) for level in LEVELS]


@pytest.mark.parametrize("argv", [["--bucket", "b", "--level", "expert"], ["--bucket", "b", "--minutes", "10"],
                                  ["--level", "beginner"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        publish_audio.main(argv, client=object())
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err


def test_a_missing_bucket_is_one_line_and_exit_1(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert publish_audio.main(["--bucket", "no-such-bucket"], client=s3) == 1
    err = capsys.readouterr().err
    assert err.startswith("publish_audio: ") and err.count("\n") == 1 and "NoSuchBucket" in err
