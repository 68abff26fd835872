"""Per-file summaries on disk, keyed by content hash and losslint version.

A second run over an unchanged tree reads each file, hashes it and loads its summary:
no parse at all (positions are part of the summary). An entry that cannot
be read (corrupt, written by another version, another Python) is recomputed silently.
Entries are authenticated (see ``Cache``): losslint unpickles only what it wrote itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from losslint import __version__
from losslint.analysis import ir
from losslint.analysis.summary import ParseFailure
from losslint.safe_read import read_regular

CACHE_DIRECTORY = ".losslint_cache"
CACHEDIR_TAG = (
    b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by losslint.\n"
    b"# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
"""Marks the folder as a cache for backup tools (tar --exclude-caches, borg, restic)."""
MARKERS = ((".gitignore", b"# Created by losslint: everything here is a cache.\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG))


@dataclass
class Entry:
    blob: Optional[bytes]  # the pickled IR (unpickled only if the run reads it); None: failed
    failure: Optional[ParseFailure]
    outline: Optional[ir.Outline] = None  # known without unpickling the IR
    lazy: bool = False  # parsed and compiled, not lowered yet (``FileSummary.lazy``)


def code_fingerprint() -> str:
    """The version plus a hash of losslint's own source and built-in knowledge files:
    summaries written by any other code are never read back, even between two commits
    of the same version."""
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256(__version__.encode())
    for directory, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith((".py", ".toml")):  # the code, and the knowledge it reads
                with open(os.path.join(directory, name), "rb") as handle:
                    digest.update(name.encode() + handle.read())
    return f"{__version__}-{digest.hexdigest()[:16]}"


KEY_BYTES = 32
MAX_ENTRY_BYTES = 1_000_000_000
MAGIC = b"losslint-cache-hmac-sha256\n"


def key_path() -> str:
    """Where the per-user cache key lives: outside every project, in the user's cache
    folder (``$XDG_CACHE_HOME/losslint/key``, ``~/.cache/losslint/key``; on Windows
    ``%LOCALAPPDATA%\\losslint\\key``)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        local = os.environ.get("LOCALAPPDATA", "") if os.name == "nt" else ""
        base = local if os.path.isabs(local) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "losslint", "key")


def _private(info: os.stat_result, directory: bool = False) -> bool:
    """Owned by this user and out of reach of others (a folder: not writable by them; the
    key: not readable either)."""
    if os.name == "nt" or not hasattr(os, "getuid"):
        return True
    others = 0o022 if directory else 0o077
    return info.st_uid == os.getuid() and not info.st_mode & others


def user_key() -> Tuple[Optional[bytes], str]:
    """The per-user secret that authenticates cache entries, created on first use (mode
    0600, in a folder only this user can write), and "" -- or None and why there is none
    (then the run has no cache)."""
    import secrets  # only here: most runs find the key
    import tempfile

    path = key_path()
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not _private(os.stat(folder), directory=True):
            return None, f"{folder} is not a folder only you can write"
        if not os.path.lexists(path):
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".key-")  # mode 0600
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(secrets.token_bytes(KEY_BYTES))
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    os.link(temporary, path)  # atomic; another run may have won the race
                except FileExistsError:
                    pass
                except OSError:
                    os.replace(temporary, path)
            finally:
                if os.path.lexists(temporary):
                    os.unlink(temporary)
        info = os.lstat(path)
    except OSError:
        return None, ""  # no writable cache folder (a read-only home): no cache, nothing to say
    if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size != KEY_BYTES:
        return None, f"{path} is not a {KEY_BYTES}-byte file only you can read"
    key = read_regular(path, KEY_BYTES, follow=False)
    return (key, "") if key is not None and len(key) == KEY_BYTES else (None, f"cannot read {path}")


class Cache:
    """Entries are pickles, and unpickling runs code: a cache folder sits in the linted
    tree, where anyone who can commit can plant files. So every entry is written with an
    HMAC-SHA256 of its content, its name and losslint's code fingerprint under a per-user
    secret (``user_key``) and is unpickled only when that HMAC checks out; any other
    entry (planted, tampered, another user's, corrupt) reads as absent and is recomputed.
    Without a key there is no cache: nothing is read or written."""

    def __init__(self, directory: str, key: Optional[bytes] = None) -> None:
        self.fingerprint = code_fingerprint()
        self.root = directory
        self.directory = os.path.join(directory, self.fingerprint)
        self._marked = False
        self.problem = ""  # why the cache is off, when the user should know
        self.secret = key
        self.hits = 0  # entries found (for -v)
        self.misses = 0
        if self.secret is None:
            self.secret, self.problem = user_key()

    @property
    def enabled(self) -> bool:
        return self.secret is not None

    @staticmethod
    def key(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".pickle")

    def _mac(self, key: str, payload: bytes) -> bytes:
        assert self.secret is not None
        message = hmac.new(self.secret, digestmod=hashlib.sha256)
        message.update(f"{self.fingerprint}\0{key}\0".encode())
        message.update(payload)
        return message.digest()

    def get(self, key: str, kind: type = Entry) -> Optional[Any]:
        """The entry stored under ``key`` if losslint wrote it for this user (its HMAC
        checks out) and it is a ``kind``: per-file summaries, a run's record, or the
        checked fixes of a finding (``FixCheck``)."""
        if self.secret is None:
            return None
        found = self._get(key, kind)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def _get(self, key: str, kind: type) -> Optional[Any]:
        data = read_regular(self._path(key), MAX_ENTRY_BYTES, follow=False)
        if data is None or not data.startswith(MAGIC):
            return None
        mac, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
        if not hmac.compare_digest(mac, self._mac(key, payload)):
            return None  # not written by losslint for this user: never unpickled
        try:
            entry = pickle.loads(payload)
        except Exception:  # from an incompatible Python: recompute
            return None
        return entry if isinstance(entry, kind) else None

    def put(self, key: str, entry: Any) -> None:
        """Written atomically; a cache that cannot be written is no cache, not an error."""
        import tempfile  # only a run that computed something writes

        if self.secret is None:
            return
        path = self._path(key)
        try:
            payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # not storable: computed again next time
        temporary = ""
        try:
            if not self._marked:
                mark(self.root)
                self._marked = True
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + self._mac(key, payload) + payload)
            os.replace(temporary, path)
        except OSError:
            if temporary:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass


def mark(directory: str) -> None:
    """Create the cache folder with a ``.gitignore`` (``*``: it never shows in ``git
    status``) and a ``CACHEDIR.TAG``, each written only where no such entry exists: the
    folder sits in the linted tree, so nothing there is followed or overwritten (a
    planted symbolic link named ``.gitignore`` stays as it is)."""
    os.makedirs(directory, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for name, content in MARKERS:
        try:
            descriptor = os.open(os.path.join(directory, name), flags, 0o644)
        except OSError:
            continue  # there already (or not writable): left alone
        try:
            os.write(descriptor, content)
        finally:
            os.close(descriptor)


def is_cache_directory(directory: str) -> bool:
    """Whether ``directory`` is a losslint cache that ``losslint clean`` may remove: it
    is named ``.losslint_cache`` or carries losslint's ``CACHEDIR.TAG`` (so a mistyped
    ``--cache-dir`` never deletes a folder of the user's)."""
    if os.path.islink(directory) or not os.path.isdir(directory):
        return False
    if os.path.basename(os.path.normpath(directory)) == CACHE_DIRECTORY:
        return True
    tag = read_regular(os.path.join(directory, "CACHEDIR.TAG"), 4096, follow=False)
    return tag is not None and tag.startswith(CACHEDIR_TAG[:44]) and b"losslint" in tag


def remove(directory: str) -> str:
    """Remove a cache folder; "" or why it was not removed. The per-user key (outside
    every project) stays."""
    import shutil

    if not os.path.lexists(directory):
        return ""
    if not is_cache_directory(directory):
        return f"{directory} is not a losslint cache (no {CACHE_DIRECTORY} name, no CACHEDIR.TAG of losslint): not removed"
    import sys

    problems: list = []
    if sys.version_info >= (3, 12):
        shutil.rmtree(directory, onexc=lambda _f, path, error: problems.append(f"{path}: {error}"))
    else:  # pragma: no cover - Python < 3.12
        shutil.rmtree(directory, onerror=lambda _f, path, info: problems.append(f"{path}: {info[1]}"))
    return f"cannot remove all of {directory}: {problems[0]}" if problems else ""
