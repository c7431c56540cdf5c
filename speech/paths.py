"""Where Leg Coach keeps its data (history, rendered audio)."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that overrides the data folder.
HOME_ENV = "LEGCOACH_HOME"


def data_home() -> Path:
    """The data folder: $LEGCOACH_HOME, else $XDG_DATA_HOME/leg-coach,
    else ~/.local/share/leg-coach. Not created here."""
    explicit = os.environ.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg).expanduser() / "leg-coach"
    return Path.home() / ".local" / "share" / "leg-coach"


def audio_cache_dir() -> Path:
    """Default folder for rendered cues: ``data_home() / "audio-cache"``."""
    return data_home() / "audio-cache"
