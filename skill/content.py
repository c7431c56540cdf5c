"""Reading the content files in ``skill/data`` (TOML), and their error.

Files are read through the package's loader (``pkgutil.get_data``), so they
load from a wheel or a zip as well as from source, never from the working
directory. ``importlib.resources`` does the same, but importing it pulls in
tempfile, shutil, bz2, lzma and random: about 4 ms of a Lambda cold start.
"""

from __future__ import annotations

import pkgutil
import tomllib
from typing import Any


class KnowledgeError(ValueError):
    """The content data is malformed; the message says where and why."""


def read_data(name: str) -> dict[str, Any]:
    """The TOML file ``skill/data/<name>``, parsed."""
    raw = pkgutil.get_data("skill", f"data/{name}")
    if raw is None:
        raise KnowledgeError(f"{name}: not found in the skill package")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{name}: not valid TOML: {exc}") from None
