"""Stream segments behind nginx as shipped (infra/nginx-leg-coach.conf): the
first request for a segment reaches gunicorn, which checks the name and
serves the rendered file; nginx keeps it and answers every later request,
byte ranges included, by itself. Real nginx (TLS) and gunicorn on loopback,
real decoding of what a device would fetch."""

from __future__ import annotations

import fcntl
import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_segments import SMALL, decode

from speech.audio import onset_errors
from speech.cache import AudioCache
from speech.tts import VoiceOptions
from tests.production import NGINX, free_port, gunicorn_on, insecure, nginx_on, stop
from timer.plans import loads_plan
from timer.segments import SegmentRenderer, Stream

RANGE = 64 * 1024
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass
class Site:
    port: int
    stream: Stream
    cache: Path
    folder: Path
    gunicorn: object

    def get(self, path: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPSConnection("localhost", self.port, timeout=20, context=insecure())
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.headers), resp.read()
        finally:
            conn.close()

    def audio_requests(self, expected: int) -> list[str]:
        """Paths of the /audio/ requests gunicorn answered (its JSON access log),
        once ``expected`` are there (a line is written just after its answer)."""
        deadline = time.monotonic() + 10
        while True:
            lines = (self.folder / "gunicorn.log").read_text().splitlines()
            records = [json.loads(line) for line in lines if line.startswith("{") and '"path"' in line]
            paths = [r["path"] for r in records if r["path"].startswith("/audio/")]
            if len(paths) >= expected or time.monotonic() > deadline:
                return paths
            time.sleep(0.05)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    if NGINX is None:
        pytest.skip("nginx is not installed (make test installs it where it can)")
    cache = tmp_path / "home" / "audio-cache"
    stream = SegmentRenderer(AudioCache(cache, VoiceOptions())).render(loads_plan(SMALL))
    upstream, port = free_port(), free_port()
    env = {"LEGCOACH_AUDIO_URL": f"https://localhost:{port}",
           "LEGCOACH_AUDIO_CACHE_MB": "0"}  # no levels rendered ahead: only this test's plan
    with gunicorn_on(tmp_path, upstream, env, workers=1) as gunicorn, nginx_on(tmp_path, port, upstream):
        yield Site(port, stream, cache, tmp_path, gunicorn)


def ranges(site: Site, path: str) -> bytes:
    """The whole file as a device reads it: 64 KiB byte ranges, one after another."""
    data = b""
    while True:
        status, headers, body = site.get(path, {"Range": f"bytes={len(data)}-{len(data) + RANGE - 1}"})
        assert status == 206, status
        total = int(headers["Content-Range"].rsplit("/", 1)[1])
        assert headers["Content-Range"] == f"bytes {len(data)}-{len(data) + len(body) - 1}/{total}"
        assert headers["Content-Type"] == "audio/mpeg"
        data += body
        if len(data) >= total:
            return data


def test_a_range_is_served_by_nginx_from_its_cache_after_the_first_request(site: Site) -> None:
    seg = site.stream.segments[0]
    path = f"/audio/{seg.digest}.mp3"
    whole = (site.cache / seg.file_name).read_bytes()
    part = 16 * 1024
    assert len(whole) > 3 * part
    status, headers, body = site.get(path, {"Range": f"bytes={part}-{2 * part - 1}"})
    assert (status, body) == (206, whole[part:2 * part])
    assert headers["Content-Range"] == f"bytes {part}-{2 * part - 1}/{len(whole)}"
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Cache-Control"] == IMMUTABLE
    assert headers["X-Cache"] == "MISS"
    stop(site.gunicorn)  # type: ignore[arg-type]  # from now on only nginx can answer
    status, headers, body = site.get(path, {"Range": f"bytes={len(whole) - 1000}-"})
    assert (status, body) == (206, whole[-1000:])
    assert headers["Content-Type"] == "audio/mpeg" and headers["Cache-Control"] == IMMUTABLE
    assert headers["X-Cache"] == "HIT"
    status, headers, body = site.get(path)
    assert (status, body) == (200, whole)
    assert headers["Accept-Ranges"] == "bytes" and headers["Cache-Control"] == IMMUTABLE
    assert site.get(path, {"If-None-Match": headers["ETag"]})[0] == 304
    assert site.get(path, method="HEAD")[0] == 200
    assert site.get(path, {"Range": f"bytes={len(whole) + 10}-"})[0] == 416
    assert site.audio_requests(1) == [path]


def test_every_segment_read_in_ranges_through_nginx_decodes_with_cues_on_time(site: Site) -> None:
    for seg in site.stream.segments:
        path = f"/audio/{seg.digest}.mp3"
        data = ranges(site, path)
        assert data == (site.cache / seg.file_name).read_bytes()
        planned = [seg.offset_in_file(c.offset) for c in seg.cues]
        assert max(onset_errors(decode(data), planned)) < 0.03
        assert ranges(site, path) == data  # again, now from nginx's cache
    count = len(site.stream.segments)
    assert len(site.audio_requests(count)) == count  # one fill each


NOT_DIGESTS = (
    "s-" + "0" * 64 + ".mp3",      # the cache's own file name
    "..%2Faudio-cache%2Fx.mp3",
    "A" * 64 + ".mp3",
    "0" * 64 + ".wav",
    "0" * 63 + ".mp3",
    "0" * 64 + ".mp3/",
)


def test_a_name_that_is_not_a_digest_never_reaches_the_app(site: Site) -> None:
    for name in NOT_DIGESTS:
        status, _, body = site.get(f"/audio/{name}")
        assert status == 404 and b"nginx" in body, name  # nginx's own page, not the app's JSON
    status, _, body = site.get("/audio/" + "0" * 64 + ".mp3")  # a digest of nothing: the app says so
    assert status == 404 and json.loads(body)["error"]
    assert site.audio_requests(1) == ["/audio/" + "0" * 64 + ".mp3"]


def test_a_segment_not_rendered_yet_is_404_and_found_once_rendered(site: Site) -> None:
    seg = site.stream.segments[1]
    path = f"/audio/{seg.digest}.mp3"
    kept = (site.cache / seg.file_name).read_bytes()
    (site.cache / seg.file_name).unlink()
    assert site.get(path)[0] == 404
    (site.cache / seg.file_name).write_bytes(kept)
    status, _, body = site.get(path, {"Range": "bytes=0-99"})
    assert (status, body) == (206, kept[:100])  # the 404 was not kept
    assert site.audio_requests(2) == [path, path]


def test_a_gunicorn_worker_holds_the_render_ahead_lock_while_it_lives(site: Site) -> None:
    lock = site.cache / ".render-ahead.lock"
    assert lock.exists()  # post_worker_init queued every level (none rendered: the cache's limit is 0 here)
    with lock.open("a") as probe:
        with pytest.raises(BlockingIOError):
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    stop(site.gunicorn)  # type: ignore[arg-type]
    with lock.open("a") as probe:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released with the worker: the next server's first one renders
