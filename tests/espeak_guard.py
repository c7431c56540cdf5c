"""Every text given to espeak-ng's ``espeak_Synth`` placed so that a read past
it faults at once: copied, with its terminating zero, to the very end of a
readable page followed by an unreadable one (what Electric Fence does for every
allocation, done here for this one call only; Electric Fence itself cannot run
a whole Python process, which runs out of memory mappings).

Not a mock: the real libespeak-ng runs on the same bytes with the same size
argument; only where the bytes lie changes. The caller's text stays readable
up to its own end and no further, as a Python ``bytes`` object's can be when
it lies at the end of a memory arena."""

from __future__ import annotations

import ctypes
import mmap
from typing import Any

PROT_NONE = 0
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
_libc.mprotect.restype = ctypes.c_int


class _Guarded:
    """``data`` ending right before an unreadable page, while this object lives."""

    def __init__(self, data: bytes) -> None:
        pages = len(data) // mmap.PAGESIZE + 2
        self._map = mmap.mmap(-1, pages * mmap.PAGESIZE)
        anchor = ctypes.c_char.from_buffer(self._map)
        base = ctypes.addressof(anchor)
        del anchor
        fence = base + (pages - 1) * mmap.PAGESIZE
        if _libc.mprotect(fence, mmap.PAGESIZE, PROT_NONE) != 0:
            raise OSError(ctypes.get_errno(), "mprotect failed")
        self.address = fence - len(data)
        ctypes.memmove(self.address, data, len(data))


def guard_synth_texts() -> None:
    """From now on, each text pyttsx3's binding passes to ``espeak_Synth`` lies
    at the end of readable memory (see the module's docstring)."""
    from speech.espeak import ensure_espeak

    ensure_espeak()
    from pyttsx3.drivers import _espeak

    real = _espeak.cSynth
    kept: list[_Guarded] = []  # espeak-ng copies the text; the pages are kept anyway, for certainty

    def guarded(text: bytes, size: int, *rest: Any) -> int:
        placed = _Guarded(bytes(text) + b"\0")
        kept.append(placed)
        return int(real(ctypes.c_char_p(placed.address), size, *rest))

    _espeak.cSynth = guarded
