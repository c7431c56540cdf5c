"""A session as MP3 segments: exact frames, delay compensated, content-addressed.

Real LAME encodes and real miniaudio decodes; the speech is real espeak-ng."""

from __future__ import annotations

from array import array
from pathlib import Path

import miniaudio
import pytest
from hypothesis import given, settings
from test_compiler import plans, spoken_lengths

from speech.audio import Clip, onset_errors, silence
from speech.cache import AudioCache
from speech.mp3 import DELAY, FRAME, SAMPLE_RATE, MP3Error, at_stream_rate, count_frames, encode_frames
from speech.tts import VoiceOptions
from timer.compiler import PAD, Durations, compile_plan
from timer.plans import Plan, loads_plan
from timer.segments import LEAD, SegmentRenderer, lay_out

SMALL = """
name = "small"
title = "Small workout"
rest_between_sets = 6
rest_between_exercises = 6
[[warmup]]
exercise = "march"
seconds = 5
[[exercises]]
exercise = "squat"
sets = 2
reps = 2
[[exercises]]
exercise = "glute-bridge"
sets = 1
reps = 2
[[cooldown]]
exercise = "quad-stretch"
seconds = 5
"""


def decode(data: bytes) -> Clip:
    """The MP3 decoded at its own rate, as a 22,050 Hz clip (every other sample)."""
    sound = miniaudio.decode(data, nchannels=1, sample_rate=SAMPLE_RATE,
                             output_format=miniaudio.SampleFormat.SIGNED16)
    samples = array("h", sound.samples)
    return Clip(samples[0::2], SAMPLE_RATE // 2)


def decoded_length(data: bytes) -> int:
    sound = miniaudio.decode(data, nchannels=1, sample_rate=SAMPLE_RATE,
                             output_format=miniaudio.SampleFormat.SIGNED16)
    return len(sound.samples)


@pytest.mark.parametrize("frames", [1, 2, 7, 120])
def test_encoded_file_decodes_to_its_frames_with_the_input_exactly_delay_late(frames: int) -> None:
    click = 300
    samples = array("h", bytes(2 * (frames - 1) * FRAME))
    if frames > 1:
        samples[click:click + 30] = array("h", [20000] * 30)
    data = encode_frames(Clip(samples, SAMPLE_RATE), frames)
    assert count_frames(data) == frames
    sound = miniaudio.decode(data, nchannels=1, output_format=miniaudio.SampleFormat.SIGNED16)
    assert sound.sample_rate == SAMPLE_RATE
    assert len(sound.samples) == frames * FRAME
    loud = [i for i, v in enumerate(sound.samples) if abs(v) > 5000]
    if frames > 1:
        assert abs(loud[0] - (click + DELAY)) <= 2  # the MDCT smears an edge by a sample or two
    else:
        assert loud == []


def test_input_longer_than_the_frames_is_cut_and_no_frames_is_refused() -> None:
    long = silence(1.0, SAMPLE_RATE)
    assert count_frames(encode_frames(long, 3)) == 3
    with pytest.raises(MP3Error):
        encode_frames(long, 0)
    with pytest.raises(MP3Error):
        count_frames(b"not an mp3 at all")


def test_project_rate_doubles_to_the_stream_rate_keeping_time() -> None:
    clip = Clip(array("h", [1, 2, 3]), 22050)
    assert at_stream_rate(clip).samples == array("h", [1, 1, 2, 2, 3, 3])
    assert at_stream_rate(Clip(array("h", [5] * 100), 11025)).seconds == pytest.approx(clip.seconds * 100 / 3 * 2, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(plans, spoken_lengths())
def test_segments_tile_the_stream_on_frames_inside_the_quiet_between_blocks(plan: Plan, durations: Durations) -> None:
    timeline = compile_plan(plan, durations)
    segments = lay_out(timeline)
    turns = list(timeline.turns())
    first = [turns[0][:1], turns[0][1:]] if len(turns[0]) > 1 else turns[:1]  # the first block alone
    assert [s.blocks for s in segments] == first + turns[1:]
    assert [s.blocks for s in lay_out(timeline, first_alone=False)] == turns
    assert [c for s in segments for c in s.cues] == list(timeline.cues)
    assert segments[0].first_frame == 0
    for before, seg in zip(segments, segments[1:]):
        assert seg.first_frame == before.first_frame + before.frames
        block_start = timeline.blocks[seg.blocks[0]].start * SAMPLE_RATE
        assert block_start - FRAME < seg.first_sample <= block_start + 0.5
        # what sounds before the boundary ends at least PAD before the block starts
        assert max(c.end for c in before.cues) <= timeline.blocks[seg.blocks[0]].start - PAD + 1e-6
    for seg in segments:
        assert all(0 <= at < (seg.frames - 1) * FRAME for at, _ in seg.placements())
    assert segments[-1].stream_start + segments[-1].seconds >= timeline.length + LEAD + (FRAME - DELAY) / SAMPLE_RATE


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("segments")
    renderer = SegmentRenderer(AudioCache(root, VoiceOptions()))
    stream = renderer.render(loads_plan(SMALL))
    return root, renderer, stream


def test_every_cue_sounds_within_30_ms_of_its_place_in_its_own_segment(rendered) -> None:  # type: ignore[no-untyped-def]
    root, _, stream = rendered
    assert len(stream.segments) == len(stream.timeline.turns()) == 5
    for seg in stream.segments:
        data = (root / seg.file_name).read_bytes()
        assert decoded_length(data) == seg.frames * FRAME
        planned = [seg.offset_in_file(c.offset) for c in seg.cues]
        assert max(onset_errors(decode(data), planned)) < 0.03, seg.index


def test_segments_end_to_end_reproduce_the_session_timeline(rendered) -> None:  # type: ignore[no-untyped-def]
    root, _, stream = rendered
    samples = array("h")
    for seg in stream.segments:
        samples.extend(decode((root / seg.file_name).read_bytes()).samples)
    whole = Clip(samples, SAMPLE_RATE // 2)
    assert whole.seconds == pytest.approx(stream.seconds, abs=1e-3)
    errors = onset_errors(whole, [c.offset + LEAD for c in stream.timeline.cues])
    assert max(errors) < 0.03
    assert stream.seconds - (stream.timeline.length + LEAD) < 2 * FRAME / SAMPLE_RATE


def test_rendering_again_encodes_nothing_and_names_the_same_files(rendered) -> None:  # type: ignore[no-untyped-def]
    root, first, stream = rendered
    assert first.encoded == len(stream.segments)
    again = SegmentRenderer(AudioCache(root, VoiceOptions()))
    assert again.render(loads_plan(SMALL)).segments == stream.segments
    assert again.encoded == 0
    assert len({s.digest for s in stream.segments}) == len(stream.segments)


def test_another_volume_names_other_segments(rendered) -> None:  # type: ignore[no-untyped-def]
    root, _, stream = rendered
    quiet = SegmentRenderer(AudioCache(root, VoiceOptions(volume=0.5))).stream(loads_plan(SMALL))
    assert not {s.digest for s in quiet.segments} & {s.digest for s in stream.segments}


def test_segments_count_towards_the_cache_limit_and_are_pruned_with_it(tmp_path: Path, rendered) -> None:  # type: ignore[no-untyped-def]
    root, _, stream = rendered
    cache = AudioCache(tmp_path)
    for seg in stream.segments:
        cache.file_for(seg.file_name, (root / seg.file_name).read_bytes)
    usage = cache.usage()
    assert usage.files == len(stream.segments)
    assert usage.bytes == sum((root / s.file_name).stat().st_size for s in stream.segments)
    assert AudioCache(tmp_path).prune(0).kept_files == 0
    assert not list(tmp_path.iterdir())
