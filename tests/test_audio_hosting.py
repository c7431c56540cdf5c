"""The endpoint serves stream segments: GET /audio/<digest>.mp3 over real HTTP,
with byte ranges, immutable caching and 404 for anything else."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from envelopes import intent
from servers import serving
from test_segments import SMALL, decode

from skill import cli
from skill.endpoint.app import create_app
from skill.endpoint.audio import SegmentFiles
from skill.store.sqlite import SQLiteAdapter
from skill.workout.stream_sources import AudioConfigError, LocalSegments, audio_base_url
from speech.audio import onset_errors
from timer.plans import loads_plan
from timer.segments import LEAD

RANGE = 64 * 1024


@pytest.mark.parametrize(("raw", "dev", "expected"), [
    ("https://coach.example.com/", False, "https://coach.example.com"),
    ("https://coach.example.com/legs", False, "https://coach.example.com/legs"),
    ("http://127.0.0.1:5000", True, "http://127.0.0.1:5000"),
])
def test_audio_base_url_is_kept_without_its_trailing_slash(raw: str, dev: bool, expected: str) -> None:
    assert audio_base_url(raw, dev=dev) == expected


@pytest.mark.parametrize(("raw", "dev", "reason"), [
    ("http://coach.example.com", False, "https only"),
    ("coach.example.com", False, "base URL"),
    ("https://coach.example.com/?a=1", False, "base URL"),
    ("ftp://coach.example.com", True, "base URL"),
])
def test_audio_base_url_refuses_what_a_device_cannot_fetch(raw: str, dev: bool, reason: str) -> None:
    with pytest.raises(AudioConfigError, match=reason):
        audio_base_url(raw, dev=dev)


def test_an_http_audio_url_outside_dev_stops_the_app_from_starting(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGCOACH_AUDIO_URL", "http://coach.example.com")
    with pytest.raises(AudioConfigError, match="https only"):
        create_app({"VERIFY": True, "SKILL_ID": "x", "ADAPTER": SQLiteAdapter(tmp_path / "s.db")})


def test_without_audio_configuration_there_is_no_audio_route(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "s.db")})
    assert not any(r.rule.startswith("/audio") for r in app.url_map.iter_rules())


def test_dev_audio_urls_point_at_the_loopback_server(tmp_path: Path) -> None:
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "s.db"),
                      "AUDIO_URL": "http://127.0.0.1:5000"})
    assert any(r.rule == "/audio/<name>" for r in app.url_map.iter_rules())


def test_a_dev_server_on_port_0_hands_out_audio_urls_on_the_port_it_got() -> None:
    server = cli.http_server("127.0.0.1", 0, dev=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        start = intent("StartWorkoutIntent", {"minutes": "2", "exercise": "squats"}, new=True)
        req = urllib.request.Request(f"{base}/alexa", data=json.dumps(start).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            answer = json.load(resp)["response"]
        (play,) = [d for d in answer["directives"] if d["type"] == "AudioPlayer.Play"]
        url = play["audioItem"]["stream"]["url"]
        assert url.startswith(f"{base}/audio/")
        status, headers, body = get(url)
        assert (status, headers["Content-Type"]) == (200, "audio/mpeg") and body
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def source(tmp_path: Path) -> LocalSegments:
    return LocalSegments("http://placeholder", tmp_path / "audio-cache")


@pytest.fixture
def live(source: LocalSegments, tmp_path: Path) -> Iterator[str]:
    app: Flask = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "s.db"), "AUDIO": source})
    with serving(app) as url:
        source.base_url = url  # the port is known only now
        yield url


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def fetch_in_ranges(url: str) -> bytes:
    """The whole file as a device reads it: 64 KiB byte ranges, one after another."""
    data = b""
    while True:
        status, headers, body = get(url, {"Range": f"bytes={len(data)}-{len(data) + RANGE - 1}"})
        assert status == 206, status
        total = int(headers["Content-Range"].rsplit("/", 1)[1])
        assert headers["Content-Range"] == f"bytes {len(data)}-{len(data) + len(body) - 1}/{total}"
        data += body
        if len(data) >= total:
            return data


def test_segments_fetched_in_ranges_from_a_real_server_decode_with_cues_on_time(live: str,
                                                                                source: LocalSegments) -> None:
    plan = loads_plan(SMALL)
    playlist = source.playlist(plan)
    assert playlist is not None
    stream = source.renderer.stream(plan)
    for seg in playlist.segments:
        url = source.url(plan, seg)
        assert url == f"{live}/audio/{seg.digest}.mp3"
        data = fetch_in_ranges(url)
        assert data == (source.cache_dir / seg.file_name).read_bytes()
        cues = stream.segments[seg.index].cues
        planned = [seg.offset_in_file(c.offset) for c in cues]
        assert max(onset_errors(decode(data), planned)) < 0.03
        assert seg.offset_in_file(seg.start) == pytest.approx(seg.start + LEAD - seg.stream_start)


def test_a_segment_is_audio_mpeg_immutable_with_an_etag(live: str, source: LocalSegments) -> None:
    plan = loads_plan(SMALL)
    playlist = source.playlist(plan)
    assert playlist is not None
    url = source.url(plan, playlist.segments[0])
    status, headers, body = get(url)
    assert status == 200
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Accept-Ranges"] == "bytes"
    assert int(headers["Content-Length"]) == len(body)
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, method="HEAD")[0] == 200
    assert get(url, {"Range": f"bytes={len(body) + 10}-"})[0] == 416


@pytest.mark.parametrize("name", [
    "0" * 64 + ".mp3",             # a well-formed name of no file
    "s-" + "0" * 64 + ".mp3",      # the cache's own file name
    "..%2Faudio-cache%2Fx.mp3",
    "A" * 64 + ".mp3",
    "0" * 64 + ".wav",
    "0" * 63 + ".mp3",
])
def test_anything_but_a_cached_segment_is_404(live: str, source: LocalSegments, name: str) -> None:
    (source.cache_dir).mkdir(parents=True, exist_ok=True)
    (source.cache_dir / ("n-" + "0" * 64 + ".wav")).write_bytes(b"RIFF")
    status, _, body = get(f"{live}/audio/{name}")
    assert status == 404
    assert b"RIFF" not in body


def test_files_written_later_are_found_and_removed_ones_are_gone(tmp_path: Path) -> None:
    files = SegmentFiles(tmp_path / "cache")
    digest = "ab" * 32
    assert files.find(digest) is None  # no folder yet: nothing, not an error
    (tmp_path / "cache").mkdir()
    assert files.find(digest) is None
    (tmp_path / "cache" / f"s-{digest}.mp3").write_bytes(b"x")
    assert files.find(digest) == tmp_path / "cache" / f"s-{digest}.mp3"
    (tmp_path / "cache" / f"s-{digest}.mp3").unlink()
    assert files.find(digest) is None  # pruned meanwhile: gone, not an error
