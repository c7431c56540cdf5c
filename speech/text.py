"""Plain-text rendering of a narration (for screens, logs and cards)."""

from __future__ import annotations

from speech.model import Narration, Pause, Say, Sound

#: Pauses at least this long show as an ellipsis.
VISIBLE_PAUSE = 1.0
ELLIPSIS = "…"


def to_text(n: Narration) -> str:
    """Words as they are, sounds as ``[name]``, long pauses as ``…``."""
    pieces: list[str] = []
    for part in n:
        if isinstance(part, Say):
            pieces.append(part.text.strip())
        elif isinstance(part, Sound):
            pieces.append(f"[{part.name}]")
        elif isinstance(part, Pause) and part.seconds >= VISIBLE_PAUSE:
            if not pieces or pieces[-1] != ELLIPSIS:
                pieces.append(ELLIPSIS)
    return " ".join(pieces)
