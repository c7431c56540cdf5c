"""libespeak-ng for pyttsx3: found before pyttsx3 looks for it, and driven
through pyttsx3's own ctypes binding, corrected (:class:`Espeak`).

pyttsx3's espeak driver loads ``libespeak-ng.so.1`` by name. When the system
has none, the ``espeakng-loader`` wheel's copy is loaded first (globally,
with ESPEAK_DATA_PATH pointing at the wheel's voice data), so the driver's
lookup by soname finds it already in the process. Text-to-speech then works
after ``pip install`` alone.

Set ``LEGCOACH_ESPEAK`` to ``system`` or ``wheel`` to force one (default
``auto``: the system library, else the wheel).

pyttsx3's ctypes binding of the library (``pyttsx3.drivers._espeak``) is
private to pyttsx3, and this module is the only one that uses it: pyttsx3 has
no public way to wait for espeak-ng's worker thread or to set a voice and
rate that take effect before the next utterance, and its ``Synth`` tells
espeak-ng a wrong text size, which crashed the process (see :func:`_correct`).
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Any

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


class Espeak:
    """libespeak-ng through pyttsx3's ctypes binding of it.

    That binding, ``pyttsx3.drivers._espeak``, is private to pyttsx3 (2.99
    here); this class is the one place that uses it (see the module's
    docstring). Making one corrects the binding's ``Synth`` for the whole
    process (:func:`synth`), before pyttsx3's driver first calls it.
    Raises :class:`TTSUnavailable` when libespeak-ng cannot be loaded.
    """

    def __init__(self) -> None:
        self.source = ensure_espeak()
        try:
            from pyttsx3.drivers import _espeak
        except (ImportError, OSError, RuntimeError) as exc:
            raise TTSUnavailable(f"pyttsx3 could not load espeak-ng: {exc}") from exc
        if not callable(getattr(_espeak, "cSynth", None)):  # a pyttsx3 whose binding is laid out otherwise
            raise TTSUnavailable("this pyttsx3's espeak binding has no cSynth: speech/espeak.py needs updating")
        _correct(_espeak)
        self._lib = _espeak

    def busy(self) -> bool:
        """espeak-ng's worker thread is synthesising or has commands queued."""
        return bool(self._lib.IsPlaying())

    def set_voice(self, voice_id: str) -> bool:
        """Load a voice by id (done at once, on this thread); False if unknown."""
        return int(self._lib.SetVoiceByName(voice_id.encode())) == 0

    def set_rate_and_volume(self, rate: int, volume_percent: int) -> None:
        """Queued on espeak-ng's worker thread, before any later synthesis."""
        self._lib.SetParameter(self._lib.RATE, rate, 0)
        self._lib.SetParameter(self._lib.VOLUME, volume_percent, 0)

    def version(self) -> str:
        raw = self._lib.Info(None)
        return raw.decode() if isinstance(raw, bytes) else "?"


def _correct(binding: Any) -> None:
    """Make ``binding.Synth`` (what pyttsx3's driver calls) :func:`synth`.

    pyttsx3 2.99's own ``Synth`` passes ``len(text) * 10`` to espeak_Synth as
    the text's size. pyttsx3 starts espeak-ng asynchronous
    (AUDIO_OUTPUT_RETRIEVAL), and then espeak_Synth copies ``size`` bytes from
    the text for its worker thread (``memcpy(a_text, text, size)`` in
    create_espeak_text, espeak_command.c; so in 1.51, 1.52 and espeak-ng's
    main branch): it reads nine times the text's length past the end of the
    Python ``bytes`` object. When that object lies near the end of mapped
    memory (the end of an allocator's arena: it depends on everything else
    the process allocated) the read faults, and the whole process died with
    SIGSEGV inside espeak_Synth, now and then, on whichever thread spoke.
    """
    if binding.Synth is not synth:
        binding.Synth = synth


def synth(text: str | bytes, position: int = 0, position_type: int = 1, end_position: int = 0,
          flags: int = 0, user_data: Any = None) -> int:
    """espeak_Synth as pyttsx3's binding declares it, with the text's true
    size: its UTF-8 bytes and their terminating zero, which espeak-ng copies
    too (it does not add one). A Python ``bytes`` object always holds that
    zero after its last byte, so nothing past the object is read."""
    from pyttsx3.drivers import _espeak

    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return int(_espeak.cSynth(data, len(data) + 1, position, position_type, end_position, flags, None,
                              user_data))
