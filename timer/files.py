"""Reading and writing the files a user names, safely: one line for any problem.

Plan files and reminder settings are small TOML texts. :func:`read_text`
reads only regular files (a FIFO would block forever, ``/dev/zero`` never
ends), at most :data:`MAX_BYTES`, as UTF-8. :func:`check_writable` fails
early, before any work, for an output that cannot be written, without ever
blocking on a FIFO. :func:`short` keeps what a message quotes short, so
every error stays one line of reasonable length.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: The largest plan or settings file read (the built-in plans are about 2 KB).
MAX_BYTES = 256 * 1024
#: Longest quoted value or path in an error message.
SHORT = 60


class FileProblem(ValueError):
    """A file that cannot be read or written; the message is one line naming it."""


def short(text: object, limit: int = SHORT) -> str:
    """``text`` as it reads, cut in the middle to at most ``limit`` characters."""
    value = str(text)
    if len(value) <= limit:
        return value
    keep = (limit - 3) // 2
    return value[:keep] + "..." + value[len(value) - keep:]


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of the regular file ``path``; :class:`FileProblem` otherwise."""
    name = short(path, 100)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise FileProblem(f"{name}: cannot read: {_reason(err)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{name}: is a folder; give a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"{name}: not a regular file; give a {what}")
        if info.st_size > MAX_BYTES:
            raise FileProblem(f"{name}: too large for a {what} ({info.st_size:,} bytes; "
                              f"at most {MAX_BYTES:,})")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as err:
        raise FileProblem(f"{name}: cannot read: {_reason(err)}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise FileProblem(f"{name}: too large for a {what} (at most {MAX_BYTES:,} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FileProblem(f"{name}: cannot read: not UTF-8 text (byte {err.start + 1}); save it as UTF-8") from None


def check_writable(path: Path, what: str) -> None:
    """Fail early if ``path`` cannot be written: a folder, a FIFO, no such folder,
    no permission, a FIFO no one reads. Creates the file if missing (an empty file, as ``open("a")``)."""
    name = short(path, 100)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666)
    except OSError as err:
        if err.errno == errno.ENXIO:  # a FIFO with no reader
            raise FileProblem(f"cannot write {what} {name!r}: a FIFO no one reads") from None
        raise FileProblem(f"cannot write {what} {name!r}: {_reason(err)}") from None
    os.close(fd)  # a FIFO that opened has a reader: writing to it will not block
