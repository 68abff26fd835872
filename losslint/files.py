"""Find the files to lint and read them without ever raising on bad input."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from typing import Iterator, List, Sequence, Set, Tuple

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
    paths: Sequence[str], excluder: Excluder, force_exclude: bool = False
) -> Tuple[List[str], List[str]]:
    """(Python files, notebooks) under ``paths``, sorted. A file named on the command
    line is linted even when excluded, unless ``force_exclude``. Symbolic links to
    folders are not followed, so link loops cannot trap the walk."""
    found, notebooks = set(), set()
    for path in paths:
        if os.path.isdir(path):
            for file in _walk(path, excluder):
                (notebooks if file.endswith(NOTEBOOK_SUFFIX) else found).add(file)
        elif not (force_exclude and excluder.excluded(path)):
            (notebooks if path.endswith(NOTEBOOK_SUFFIX) else found).add(os.path.normpath(path))
    return sorted(found), sorted(notebooks)


def _walk(root: str, excluder: Excluder) -> Iterator[str]:
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(
            d
            for d in subdirectories
            if not excluder.excluded(os.path.join(directory, d)) and not _is_virtualenv(os.path.join(directory, d))
        )
        for name in files:
            if name.endswith(PYTHON_SUFFIXES + (NOTEBOOK_SUFFIX,)):
                path = os.path.normpath(os.path.join(directory, name))
                if not excluder.excluded(path):
                    yield path


def read(path: str) -> Tuple[bytes, str]:
    """The file's bytes, or empty bytes and the reason it could not be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), ""
    except OSError as error:
        return b"", error.strerror or str(error)
