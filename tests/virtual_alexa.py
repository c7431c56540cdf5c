"""Drive a running skill server with the npm package virtual-alexa (tests/e2e)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from skill.model.generator import default_model_dir

E2E = Path(__file__).parent / "e2e"
NODE = shutil.which("node")

#: Marks for a test module that needs node and tests/e2e/node_modules.
needs_virtual_alexa = [
    pytest.mark.skipif(NODE is None, reason="node is not installed (needed for virtual-alexa)"),
    pytest.mark.skipif(not (E2E / "node_modules" / "virtual-alexa").is_dir(),
                       reason="virtual-alexa missing: run npm install --prefix tests/e2e"),
]


def drive(script: str, url: str, *utterances: str) -> dict[str, Any]:
    """Run ``tests/e2e/<script>`` against ``url`` with the committed en-US model."""
    model = default_model_dir() / "en-US.json"
    result = subprocess.run(
        [str(NODE), str(E2E / script), url, str(model), *utterances],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    value: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return value
