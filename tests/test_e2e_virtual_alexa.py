"""End to end: virtual-alexa (npm) drives the running server through the committed model."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from skill.app import create_app
from skill.interaction import default_model_dir
from skill.persistence import SQLiteAdapter

E2E = Path(__file__).parent / "e2e"
DRIVER = E2E / "driver.js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed (needed for virtual-alexa)"),
    pytest.mark.skipif(not (E2E / "node_modules" / "virtual-alexa").is_dir(),
                       reason="virtual-alexa missing: run npm install --prefix tests/e2e"),
]


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    # virtual-alexa cannot sign requests: this server runs with verification off.
    app = create_app({"VERIFY": False, "ADAPTER": SQLiteAdapter(tmp_path / "e2e.db")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alexa"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def drive(url: str, *questions: str) -> dict[str, Any]:
    model = default_model_dir() / "en-US.json"
    result = subprocess.run(
        [str(NODE), str(DRIVER), url, str(model), *questions],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    value: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return value


def test_virtual_alexa_conversation_launch_question_more_stop(server_url: str) -> None:
    transcript = drive(server_url, "why won't my legs slim down", "what about diet")
    turns = {t["step"]: t for t in transcript["turns"]}
    launch, more, stop = turns["launch"], turns["more"], turns["stop"]
    questions = [t for t in transcript["turns"] if t["step"] == "question"]

    assert launch["shouldEndSession"] is False and launch["reprompt"]
    assert "medical advice" in launch["ssml"]

    first, diet = questions
    assert first["shouldEndSession"] is False
    assert "Source:" in first["card"]["content"]
    assert diet["sessionAttributes"]["topic"] != first["sessionAttributes"]["topic"]

    assert more["shouldEndSession"] is False
    assert more["sessionAttributes"]["stage"] == "more"
    assert more["sessionAttributes"]["topic"] == diet["sessionAttributes"]["topic"]

    assert stop["shouldEndSession"] is True

    kinds = [(r["type"], r["intent"]) for r in transcript["requests"]]
    assert kinds[0] == ("LaunchRequest", None)
    assert ("IntentRequest", "MoreIntent") in kinds
    assert kinds[-1] == ("IntentRequest", "AMAZON.StopIntent")


def test_virtual_alexa_fills_the_search_query_slot(server_url: str) -> None:
    transcript = drive(server_url, "what about my poor circulation")
    question = next(r for r in transcript["requests"] if r["intent"] == "QuestionIntent")
    assert question["slots"]["query"]["value"] == "my poor circulation"
