"""Rendering ahead: the rest of a playing stream, and every level's stream as
a server starts, in one background thread within the audio cache's limit.
Real speech and encoding; the test waits for the thread to be idle."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from envelopes import envelope, intent
from test_segments import SMALL

from skill.builder import build_skill
from skill.core.sdk import invoke
from skill.endpoint.app import create_app
from skill.endpoint.audio import render_ahead
from skill.store.sqlite import SQLiteAdapter
from skill.workout.plan_spec import LEVELS, PlanSpec
from skill.workout.render_ahead import RenderAhead, render_catalogue_ahead
from skill.workout.stream_sources import LocalSegments
from speech.cache import AudioCache
from speech.tts import VoiceOptions
from timer.plans import Plan, loads_plan
from timer.segments import SegmentRenderer, Stream

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
    assert render_catalogue_ahead(first) is True
    assert render_catalogue_ahead(second) is False  # the lock file is held
    assert first.ahead is not None and first.ahead.idle.wait(WAIT)
    assert segment_files(tmp_path / "cache") == set()
    assert render_catalogue_ahead(LocalSegments(BASE, tmp_path / "other")) is False  # no RenderAhead: never


def test_an_app_without_local_streams_renders_nothing_ahead(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "s.db")})
    assert render_ahead(app) is False


def test_the_opening_names_the_first_segment_as_the_whole_stream_does_from_its_speech_alone(
        tmp_path: Path) -> None:
    for plan in (loads_plan(SMALL), PlanSpec("beginner").plan(), PlanSpec("intermediate", 10, "squat").plan()):
        opening = SegmentRenderer(AudioCache(tmp_path / plan.digest, VoiceOptions()))
        first = opening.opening(plan)
        synthesised = opening.cache.rendered
        whole = SegmentRenderer(AudioCache(tmp_path / plan.digest, VoiceOptions())).stream(plan)
        assert first.segments[0] == whole.segments[0], plan.name
        assert len(first.segments) == len(whole.segments)
        assert synthesised < len({c.narration for c in whole.timeline.cues}), plan.name


def test_a_start_plays_the_opening_and_every_next_part_is_the_whole_streams(tmp_path: Path) -> None:
    ahead = RenderAhead(limit=10**9)
    source = LocalSegments(BASE, tmp_path / "cache", ahead=ahead)
    skill = build_skill(SQLiteAdapter(tmp_path / "skill.db"), {"AUDIO": source})
    plan = PlanSpec("beginner", 2, "squat").plan()
    response = invoke(skill, intent("StartWorkoutIntent", {"minutes": "2", "exercise": "squats"}, new=True))
    urls = [d["audioItem"]["stream"]["url"] for d in response["response"]["directives"]]
    token = response["response"]["directives"][0]["audioItem"]["stream"]["token"]
    while True:
        answer = invoke(skill, envelope({"type": "AudioPlayer.PlaybackNearlyFinished", "token": token,
                                         "offsetInMilliseconds": 0}, with_session=False))["response"]
        if not answer.get("directives"):
            break
        urls.append(answer["directives"][0]["audioItem"]["stream"]["url"])
        token = answer["directives"][0]["audioItem"]["stream"]["token"]
    assert ahead.idle.wait(WAIT)
    whole = SegmentRenderer(AudioCache(tmp_path / "cache", VoiceOptions())).stream(plan)
    assert urls == [f"{BASE}/audio/{s.digest}.mp3" for s in whole.segments]
    assert segment_files(tmp_path / "cache") == {s.file_name for s in whole.segments}


class Taken:
    """Plans handed out one at a time, noting which were taken (the thread takes them lazily)."""

    def __init__(self, plans: list[Plan], gate: threading.Event | None = None) -> None:
        self.plans, self.gate, self.taken = plans, gate, []

    def __iter__(self) -> Iterator[Plan]:
        for plan in self.plans:
            if self.gate is not None:
                assert self.gate.wait(WAIT)
            self.taken.append(plan.name)
            yield plan


def test_planned_streams_render_in_order_until_the_cache_limit_and_the_rest_are_never_made(tmp_path: Path) -> None:
    first, second, third = (PlanSpec("beginner", m, "squat").plan() for m in (2, 5, 10))
    alone = LocalSegments(BASE, tmp_path / "alone", ahead=RenderAhead(limit=10**9))
    assert alone.ahead is not None
    alone.ahead.plans(alone, [first])
    assert alone.ahead.idle.wait(WAIT)
    room = alone.renderer.cache.usage().bytes + 1  # the first plan's speech and segments fit, no more

    source = LocalSegments(BASE, tmp_path / "cache", ahead=RenderAhead(limit=room))
    plans = Taken([first, second, third])
    assert source.ahead is not None
    source.ahead.plans(source, plans)
    assert source.ahead.idle.wait(WAIT)
    assert segment_files(tmp_path / "cache") == {s.file_name for s in source.stream(first).segments}
    assert plans.taken == [first.name, second.name]  # the second found the cache full; the third was never made


def test_a_playing_streams_rest_is_rendered_before_the_planned_streams(tmp_path: Path) -> None:
    class Noted(LocalSegments):
        def render(self, stream: Stream, index: int) -> Path:
            order.append((stream.timeline.title, index))
            return super().render(stream, index)

    order: list[tuple[str, int]] = []
    source = Noted(BASE, tmp_path / "cache", ahead=RenderAhead(limit=10**9))
    playing, planned = loads_plan(SMALL), PlanSpec("beginner", 2, "squat").plan()
    gate = threading.Event()
    assert source.ahead is not None
    source.ahead.plans(source, Taken([planned], gate))  # the thread waits for the planned stream...
    source.ahead.rest_of(source, playing, 1)  # ...while a stream starts playing
    gate.set()
    assert source.ahead.idle.wait(WAIT)
    rest = len(source.stream(playing).segments) - 1
    assert order[:rest] == [(playing.title, i) for i in range(1, rest + 1)]
    assert [i for title, i in order[rest:]] == list(range(len(source.stream(planned).segments)))


class DevServer:
    """``python -m skill serve --dev --port 0`` (what ``make run`` starts) as a
    real process, with its own home and audio cache limit."""

    def __init__(self, home: Path, cache_mb: float) -> None:
        env = {**os.environ, "LEGCOACH_HOME": str(home), "LEGCOACH_AUDIO_CACHE_MB": str(cache_mb),
               "PYTHONUNBUFFERED": "1"}
        self.cache = home / "audio-cache"
        self.log = home / "server.log"
        home.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "skill", "serve", "--dev", "--port", "0"],
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, start_new_session=True)
        self.port = int(self.wait_for(lambda: re.search(r"serving on http://127\.0\.0\.1:(\d+)",
                                                         self.log.read_text()), "the server to start")[1])

    def wait_for(self, found: Any, what: str) -> Any:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = found()
            if value:
                return value
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"waited {WAIT} s for {what}")

    def healthy(self) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as answer:
            return bool(answer.status == 200)

    def interrupt(self) -> int:
        """Ctrl-C, as make run's console sends it when it ends: the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=5)  # make run kills a server that takes longer

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def level_segments(cache: Path) -> set[str]:
    source = LocalSegments(BASE, cache)
    return {s.file_name for level in LEVELS for s in source.stream(PlanSpec(level).plan()).segments}


def test_the_dev_server_of_make_run_renders_the_levels_ahead_within_the_cache_limit(tmp_path: Path) -> None:
    server = DevServer(tmp_path / "home", cache_mb=8)
    try:
        assert server.healthy()  # it answers while rendering goes on in the background
        server.wait_for(lambda: segment_files(server.cache), "the first segment")
        limit = 8 * 1024 * 1024
        server.wait_for(lambda: AudioCache(server.cache).usage().bytes >= limit, "the cache to reach its limit")
        assert server.healthy()
        assert server.interrupt() == 0
    finally:
        server.kill()
    biggest = max(p.stat().st_size for p in server.cache.glob("s-*.mp3"))
    assert AudioCache(server.cache).usage().bytes < limit + biggest  # it stopped at the limit
    rendered = segment_files(server.cache)
    # the levels' streams, nothing else (laid out on the server's own speech: the server
    # synthesised all of a plan's phrases before its first segment)
    assert rendered and rendered <= level_segments(server.cache)
    assert "Traceback" not in server.log.read_text()


def test_ctrl_c_ends_the_dev_server_at_once_while_it_renders_ahead(tmp_path: Path) -> None:
    every = level_segments(tmp_path / "other")
    server = DevServer(tmp_path / "home", cache_mb=200)
    try:
        server.wait_for(lambda: segment_files(server.cache), "the first segment")
        assert len(segment_files(server.cache)) < len(every)  # still rendering
        assert server.interrupt() == 0
    finally:
        server.kill()
    assert "Traceback" not in server.log.read_text()
