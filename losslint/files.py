"""Find the files to lint and read them without ever raising on bad input."""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
from typing import Iterator, List, Optional, Sequence, Set, Tuple

from losslint.analysis.summary import MAX_FILE_BYTES, RELEVANT

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"


class Excluder:
    """Decides which paths to skip: exclude globs (matched against each path component
    and against the path relative to the project root) and, inside a git checkout,
    what git ignores."""

    def __init__(self, patterns: Sequence[str], root: str) -> None:
        self.patterns = tuple(patterns)
        self.root = os.path.abspath(root)
        self._git_ignored: Set[str] = set()
        self._git_roots: Set[str] = set()

    def excluded(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, self.root).replace(os.sep, "/")
        for pattern in self.patterns:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(absolute), pattern):
                return True
            if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in relative.split("/")[:-1]):
                return True
        return self.git_ignored(absolute)

    def git_ignored(self, absolute: str) -> bool:
        self._load_git(os.path.dirname(absolute))
        if absolute in self._git_ignored or absolute + "/" in self._git_ignored:
            return True
        return any(absolute.startswith(d) for d in self._git_ignored if d.endswith("/"))

    def _load_git(self, directory: str) -> None:
        """Ask git once per checkout which paths it ignores; no git, no filtering."""
        if any(directory == r or directory.startswith(r + os.sep) for r in self._git_roots):
            return
        try:
            top = subprocess.run(
                ["git", "-C", directory, "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10
            )
            if top.returncode != 0:
                self._git_roots.add(directory)
                return
            root = top.stdout.strip()
            listed = subprocess.run(
                ["git", "-C", root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            self._git_roots.add(directory)
            return
        self._git_roots.add(root)
        for entry in listed.stdout.split("\0"):
            if entry:
                self._git_ignored.add(os.path.join(root, entry))


def _is_virtualenv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def discover(
    paths: Sequence[str], excluder: Excluder, force_exclude: bool = False, problems: Optional[List[Tuple[str, str]]] = None
) -> Tuple[List[str], List[str]]:
    """(Python files, notebooks) under ``paths``, sorted. A file named on the command
    line is linted even when excluded, unless ``force_exclude``. Symbolic links to
    folders are not followed, so link loops cannot trap the walk. A folder that cannot
    be listed is added to ``problems`` as (path, reason)."""
    found, notebooks = set(), set()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path, excluder, problems):
                (notebooks if file.endswith(NOTEBOOK_SUFFIX) else found).add(file)
        elif not (force_exclude and excluder.excluded(path)):
            (notebooks if path.endswith(NOTEBOOK_SUFFIX) else found).add(os.path.normpath(path))
    return sorted(found), sorted(notebooks)


def _walk(root: str, excluder: Excluder, problems: Optional[List[Tuple[str, str]]] = None) -> Iterator[str]:
    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = os.path.normpath(error.filename if error.filename is not None else root)
            problems.append((where, f"cannot read the folder: {error.strerror or error}"))

    for directory, subdirectories, files in os.walk(root, onerror=unreadable, followlinks=False):
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if not excluder.excluded(os.path.join(directory, d))
            and not _is_virtualenv(os.path.join(directory, d))
        )
        for name in files:
            if name.endswith(PYTHON_SUFFIXES + (NOTEBOOK_SUFFIX,)):
                path = os.path.normpath(os.path.join(directory, name))
                if not excluder.excluded(path):
                    yield path


MAX_NOTEBOOK_BYTES = 200_000_000
"""A notebook is read whole (its outputs can be large); beyond this it is reported."""

_KINDS = (
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISDIR, "folder"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def read(path: str) -> Tuple[bytes, str]:
    """The file's bytes, or empty bytes and why it was not read (the whole LL000 message).

    Only regular files are read (a FIFO would block the run, ``/dev/zero`` never ends),
    opened non-blocking and read up to a bound: a Python file larger than
    ``MAX_FILE_BYTES`` is not analysed (reported if it names a loss, else it is generated
    data and reads as empty); a notebook up to ``MAX_NOTEBOOK_BYTES``."""
    notebook = path.endswith(NOTEBOOK_SUFFIX)
    limit = MAX_NOTEBOOK_BYTES if notebook else MAX_FILE_BYTES
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return b"", f"not a regular file ({_kind(mode)}); skipped"
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
    except OSError as error:
        return b"", f"cannot read the file: {error.strerror or error}"
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced between the check and the open
            return b"", f"not a regular file ({_kind(mode)}); skipped"
        chunks: List[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 22, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        if size <= limit:
            return data, ""
        total = max(os.fstat(descriptor).st_size, size) / 1e6
        if notebook:
            return b"", f"notebook too large to read ({total:.1f} MB > {limit / 1e6:.0f} MB); skipped"
        if _names_a_loss(descriptor, data):
            return b"", f"file too large to analyse ({total:.1f} MB > {limit / 1e6:.0f} MB); skipped"
        return b"", ""  # generated data or tables: nothing to check, as summarize decides
    except OSError as error:
        return b"", f"cannot read the file: {error.strerror or error}"
    finally:
        os.close(descriptor)


def _names_a_loss(descriptor: int, head: bytes) -> bool:
    """Whether an oversized file names a loss anywhere: the rest is scanned in chunks,
    never held whole, up to the size the file had when opened (one that keeps growing,
    or a /proc file whose size says 0, counts as naming one: it is reported)."""
    if RELEVANT.search(head):
        return True
    budget = os.fstat(descriptor).st_size - len(head)
    tail = head[-256:]
    while True:
        chunk = os.read(descriptor, 1 << 22)
        if not chunk:
            return False
        budget -= len(chunk)
        if budget < 0 or RELEVANT.search(tail + chunk):
            return True
        tail = chunk[-256:]
