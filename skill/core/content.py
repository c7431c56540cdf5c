"""Reading the content files beside each feature's code (TOML; JSON too), and their error.

Files are read through the package's own loader (what ``pkgutil.get_data``
does, in two lines), so they load from a wheel or a zip as well as from
source, never from the working directory. ``importlib.resources`` does the
same, but importing it pulls in tempfile, shutil, bz2, lzma and random:
about 4 ms of a Lambda cold start; ``pkgutil`` itself costs 0.3 ms there.
"""

from __future__ import annotations

import json
import os
import tomllib
from typing import Any

_ROOT = os.path.dirname(os.path.dirname(__file__))  # the skill package


class KnowledgeError(ValueError):
    """The content data is malformed; the message says where and why."""


def read_data(name: str) -> dict[str, Any]:
    """The file ``skill/<name>`` (e.g. "questions/topics.toml") parsed: JSON if it ends in .json, else TOML."""
    loader: Any = __spec__.loader  # a file or zip loader: both have get_data
    try:
        raw = loader.get_data(os.path.join(_ROOT, name)).decode("utf-8")
    except OSError:
        raise KnowledgeError(f"{name}: not found in the skill package") from None
    if name.endswith(".json"):
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise KnowledgeError(f"{name}: not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise KnowledgeError(f"{name}: needs a JSON object at the top")
        return value
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{name}: not valid TOML: {exc}") from None
