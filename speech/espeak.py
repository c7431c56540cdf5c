"""Finding libespeak-ng before pyttsx3 looks for it.

pyttsx3's espeak driver loads ``libespeak-ng.so.1`` by name. When the system
has none, the ``espeakng-loader`` wheel's copy is loaded first (globally,
with ESPEAK_DATA_PATH pointing at the wheel's voice data), so the driver's
lookup by soname finds it already in the process. Text-to-speech then works
after ``pip install`` alone.

Set ``LEGCOACH_ESPEAK`` to ``system`` or ``wheel`` to force one (default
``auto``: the system library, else the wheel).
"""

from __future__ import annotations

import ctypes
import os
import threading

ESPEAK_ENV = "LEGCOACH_ESPEAK"
_SYSTEM_LIBS = (
    "libespeak-ng.so.1",
    "libespeak-ng.1.dylib",
    "/opt/homebrew/lib/libespeak-ng.1.dylib",
    "/usr/local/lib/libespeak-ng.1.dylib",
)
_LOCK = threading.Lock()
_loaded: list[str] = []  # the source, once loaded (a library stays loaded)


class TTSUnavailable(RuntimeError):
    """No speech engine on this machine (no libespeak-ng, no wheel)."""


def _load_system() -> bool:
    for name in _SYSTEM_LIBS:
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            continue
    return False


def _load_wheel() -> bool:
    try:
        import espeakng_loader
    except ImportError:
        return False
    try:
        data, lib = espeakng_loader.get_data_path(), espeakng_loader.get_library_path()
        os.environ["ESPEAK_DATA_PATH"] = data
        ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
    except (OSError, RuntimeError):
        return False
    return True


def ensure_espeak() -> str:
    """Make libespeak-ng loadable by pyttsx3; return "system" or "wheel".

    Call before pyttsx3 loads its espeak driver. With no system library, points
    ESPEAK_DATA_PATH at the espeakng-loader wheel's data and loads its library
    globally, so pyttsx3's own lookup finds it already loaded.
    Raises :class:`TTSUnavailable` when neither can be loaded.
    """
    with _LOCK:
        if _loaded:
            return _loaded[0]
        mode = os.environ.get(ESPEAK_ENV, "auto").strip().lower() or "auto"
        if mode not in ("auto", "system", "wheel"):
            raise TTSUnavailable(f"{ESPEAK_ENV} must be auto, system or wheel, not {mode!r}")
        if mode in ("auto", "system") and _load_system():
            _loaded.append("system")
        elif mode in ("auto", "wheel") and _load_wheel():
            _loaded.append("wheel")
        else:
            raise TTSUnavailable(
                "no espeak-ng found: install the espeak-ng system package"
                " or `pip install espeakng-loader`"
            )
        return _loaded[0]
