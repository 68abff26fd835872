"""Per-file summaries on disk, keyed by content hash and losslint version.

A second run over an unchanged tree reads each file, hashes it and loads its summary:
no parse at all (positions are part of the summary). An entry that cannot
be read (corrupt, written by another version, another Python) is recomputed silently.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from typing import Any, Optional

from losslint import __version__
from losslint.analysis import ir
from losslint.analysis.summary import ParseFailure

CACHE_DIRECTORY = ".losslint_cache"


@dataclass
class Entry:
    blob: Optional[bytes]  # the pickled IR (unpickled only if the run reads it); None: failed
    failure: Optional[ParseFailure]
    outline: Optional[ir.Outline] = None  # known without unpickling the IR


def code_fingerprint() -> str:
    """The version plus a hash of losslint's own source: summaries written by any other
    code are never read back, even between two commits of the same version."""
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256(__version__.encode())
    for directory, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(directory, name), "rb") as handle:
                    digest.update(name.encode() + handle.read())
    return f"{__version__}-{digest.hexdigest()[:16]}"


class Cache:
    def __init__(self, directory: str) -> None:
        self.directory = os.path.join(directory, code_fingerprint())

    @staticmethod
    def key(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".pickle")

    def get(self, key: str, kind: type = Entry) -> Optional[Any]:
        """The entry stored under ``key`` if it is a ``kind``: per-file summaries, or the
        checked fixes of a finding (``FixCheck``)."""
        try:
            with open(self._path(key), "rb") as handle:
                entry = pickle.load(handle)
        except Exception:  # missing, corrupt, or from an incompatible version: recompute
            return None
        return entry if isinstance(entry, kind) else None

    def put(self, key: str, entry: Any) -> None:
        """Written atomically; a cache that cannot be written is no cache, not an error."""
        import tempfile  # only a run that computed something writes

        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            pass
