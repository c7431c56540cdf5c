"""End to end: virtual-alexa (npm) plays a whole workout as a stream on the running server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import serving
from virtual_alexa import drive, needs_virtual_alexa

from skill.endpoint.app import create_app
from skill.store.sqlite import SQLiteAdapter
from skill.workout.plan_spec import PlanSpec
from skill.workout.stream import Token
from skill.workout.stream_sources import LocalSegments
from timer.history import History

pytestmark = needs_virtual_alexa


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, LocalSegments]]:
    # virtual-alexa cannot sign requests: verification is off. Its player refuses
    # http URLs and fetches nothing, so the segments get https URLs of an
    # example host (the real loopback fetch is in test_audio_hosting).
    source = LocalSegments("https://coach.example.com", tmp_path / "audio-cache")
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "e2e.db"), "AUDIO": source})
    with serving(app) as base:
        yield f"{base}/alexa", tmp_path / "history.db", source


def test_virtual_alexa_plays_a_whole_workout_with_one_utterance_a_pause_and_a_resume(
        server: tuple[str, Path, LocalSegments]) -> None:
    url, history_path, source = server
    transcript = drive("stream.js", url)
    turns, requests = transcript["turns"], transcript["requests"]
    spoken = [r for r in requests if r["type"] == "IntentRequest"]
    assert [r["intent"] for r in spoken] == ["StartWorkoutIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent"]
    start = turns[0]
    assert "play the whole workout" in start["ssml"] and start["shouldEndSession"] is True
    tokens = [Token.parse(t) for t in transcript["played"]]
    segments = [t.segment for t in tokens if t is not None]
    playlist = source.playlist(PlanSpec("beginner").plan())
    assert playlist is not None and len(segments) == len(tokens)
    # segment 1 is played twice: paused 1.5 s in, resumed from the start of its set
    assert segments == [0, 1, 1, *range(2, len(playlist.segments))]
    assert not transcript["playing"]
    kinds = {r["type"] for r in requests}
    assert {"AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackNearlyFinished",
            "AudioPlayer.PlaybackFinished", "AudioPlayer.PlaybackStopped"} <= kinds
    [session] = History(history_path).sessions(user=requests[0]["userId"])
    assert session.status == "finished" and session.plan_name == "beginner"
