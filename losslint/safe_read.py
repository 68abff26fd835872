"""Reading a file the linted tree supplies without blocking or reading without end."""

from __future__ import annotations

import os
import stat
from typing import Optional, Tuple

OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
"""Non-blocking: opening a FIFO that slipped past the check never waits for a writer."""


def read_bounded(descriptor: int, limit: int) -> Tuple[bytes, bool]:
    """At most ``limit + 1`` bytes of an open file, and whether the file fits in ``limit``."""
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(descriptor, min(1 << 22, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), size <= limit


def read_regular(path: str, limit: int, follow: bool = True) -> Optional[bytes]:
    """The bytes of a regular file of at most ``limit`` bytes, else None: never blocks
    on a FIFO or reads a device."""
    try:
        info = os.stat(path) if follow else os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        flags = OPEN_FLAGS
        if not follow:
            flags |= getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        data, fits = read_bounded(descriptor, limit)
        return data if fits else None
    except OSError:
        return None
    finally:
        os.close(descriptor)
