"""Rendering ahead: the rest of a playing stream, and every level's stream as
a server starts, in one background thread within the audio cache's limit.
Real speech and encoding; the test waits for the thread to be idle."""

from __future__ import annotations

from pathlib import Path

from test_segments import SMALL

from skill.endpoint.app import create_app
from skill.endpoint.audio import render_ahead
from skill.store.sqlite import SQLiteAdapter
from skill.workout.stream_sources import LocalSegments, RenderAhead, render_levels_ahead
from timer.plans import loads_plan

BASE = "https://coach.example.com"
WAIT = 120  # seconds: a bound for a loaded machine, not a measure


def segment_files(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("s-*.mp3")}


def test_handing_out_a_url_renders_the_rest_of_the_stream_in_the_background(tmp_path: Path) -> None:
    ahead = RenderAhead(limit=10**9)
    source = LocalSegments(BASE, tmp_path / "cache", ahead=ahead)
    plan = loads_plan(SMALL)
    playlist = source.playlist(plan)
    assert playlist is not None and len(playlist.segments) > 2
    source.url(plan, playlist.segments[0])
    assert ahead.idle.wait(WAIT)
    assert segment_files(tmp_path / "cache") == {s.file_name for s in playlist.segments}
    later = LocalSegments(BASE, tmp_path / "cache")  # another process: every next URL finds its file
    for seg in playlist.segments[1:]:
        later.url(plan, seg)
    assert later.renderer.encoded == 0


def test_a_segment_asked_for_while_rendered_ahead_is_encoded_once(tmp_path: Path) -> None:
    ahead = RenderAhead(limit=10**9)
    source = LocalSegments(BASE, tmp_path / "cache", ahead=ahead)
    plan = loads_plan(SMALL)
    playlist = source.playlist(plan)
    assert playlist is not None
    for seg in playlist.segments:  # as fast as a device could never ask: racing the thread
        source.url(plan, seg)
    assert ahead.idle.wait(WAIT)
    assert source.renderer.encoded == len(playlist.segments)


def test_plans_are_rendered_ahead_only_within_the_cache_limit(tmp_path: Path) -> None:
    plan = loads_plan(SMALL)
    roomy = LocalSegments(BASE, tmp_path / "roomy", ahead=RenderAhead(limit=10**9))
    assert roomy.ahead is not None
    roomy.ahead.plans(roomy, [plan])
    assert roomy.ahead.idle.wait(WAIT)
    stream = roomy.stream(plan)
    assert segment_files(tmp_path / "roomy") == {s.file_name for s in stream.segments}

    full = LocalSegments(BASE, tmp_path / "full", ahead=RenderAhead(limit=1))
    assert full.ahead is not None
    full.ahead.plans(full, [plan])
    assert full.ahead.idle.wait(WAIT)
    assert segment_files(tmp_path / "full") == set()  # its speech alone is over the limit


def test_one_process_of_a_server_renders_the_levels_ahead(tmp_path: Path) -> None:
    first = LocalSegments(BASE, tmp_path / "cache", ahead=RenderAhead(limit=0))  # 0: queue, render nothing
    second = LocalSegments(BASE, tmp_path / "cache", ahead=RenderAhead(limit=0))
    assert render_levels_ahead(first) is True
    assert render_levels_ahead(second) is False  # the lock file is held
    assert first.ahead is not None and first.ahead.idle.wait(WAIT)
    assert segment_files(tmp_path / "cache") == set()
    assert render_levels_ahead(LocalSegments(BASE, tmp_path / "other")) is False  # no RenderAhead: never


def test_an_app_without_local_streams_renders_nothing_ahead(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "s.db")})
    assert render_ahead(app) is False
