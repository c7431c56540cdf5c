"""``GET /audio/<digest>.mp3``: the stream's segments, served by the endpoint.

Only files the audio cache holds are served, found by listing the cache
folder, never by a path made from the request: the name must be 64 hex
digits and ``.mp3``, and the digest must be one of the listed files. The
answer is ``audio/mpeg`` with byte ranges (devices seek with them), an ETag
and ``Cache-Control: immutable`` (a name is a digest of the content, so a
file never changes). Anything else is 404.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, abort, send_file

if TYPE_CHECKING:
    from skill.workout.stream_sources import SegmentSource

MIME_TYPE = "audio/mpeg"

_NAME = re.compile(r"([0-9a-f]{64})\.mp3")
_FILE = re.compile(r"s-([0-9a-f]{64})\.mp3")
IMMUTABLE = "public, max-age=31536000, immutable"
_TICK_NS = 50_000_000  # file times move in coarse ticks (a few ms): list again within this


class SegmentFiles:
    """The segment files in ``root`` by digest. A name it does not know makes
    it list the folder again only if the folder changed since (its mtime), so
    a file written a moment ago is found and unknown names cost one stat."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._files: dict[str, Path] = {}
        self._listed: int | None = None  # the folder's mtime (ns) when last listed
        self._lock = threading.Lock()

    def _rescan(self) -> None:
        try:
            changed = os.stat(self.root).st_mtime_ns
            if changed == self._listed:
                return
            with os.scandir(self.root) as entries:
                found = {m[1]: self.root / e.name for e in entries if (m := _FILE.fullmatch(e.name))}
        except FileNotFoundError:
            changed, found = None, {}
        if changed is not None and time.time_ns() - changed < _TICK_NS:
            changed = None  # changed a moment ago: a change in the same clock tick would not show
        self._files, self._listed = found, changed

    def find(self, digest: str) -> Path | None:
        path = self._files.get(digest)
        if path is None or not path.exists():
            with self._lock:
                self._rescan()
            path = self._files.get(digest)
        return path if path is not None and path.exists() else None


def audio_blueprint(files: SegmentFiles) -> Blueprint:
    bp = Blueprint("audio", __name__)

    @bp.get("/audio/<name>")
    def segment(name: str) -> Response:
        match = _NAME.fullmatch(name)
        path = files.find(match[1]) if match else None
        if path is None:
            abort(404)
        response = send_file(path, mimetype=MIME_TYPE, conditional=True, etag=match[1] if match else True,
                             max_age=31536000)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["Accept-Ranges"] = "bytes"
        return response

    return bp


def attach_audio(app: Flask, settings: Mapping[str, Any]) -> SegmentSource | None:
    """The stream's segment source for ``settings`` (None: no stream); a local
    source's files are served by this app."""
    from skill.workout.render_ahead import source_from_settings  # light: plans load later
    from skill.workout.stream_sources import LocalSegments

    source = source_from_settings(settings, os.environ)
    if isinstance(source, LocalSegments):
        app.register_blueprint(audio_blueprint(SegmentFiles(source.cache_dir)))
    app.extensions["legcoach.audio"] = source
    return source


def render_ahead(app: Flask, *, dev: bool = False) -> bool:
    """As a server starts: render in the background every workout stream mode
    can start, within the audio cache's limit (``dev``, a console's local
    server: the levels as planned, what "start a workout" plays). One
    process of the server does; see
    :func:`skill.workout.render_ahead.render_catalogue_ahead`."""
    from skill.workout.plan_spec import LEVELS, PlanSpec
    from skill.workout.render_ahead import render_catalogue_ahead

    specs = [PlanSpec(level) for level in LEVELS] if dev else None
    return render_catalogue_ahead(getattr(app, "extensions", {}).get("legcoach.audio"), specs)
