"""Find the files to lint and read them without ever raising on bad input."""

from __future__ import annotations

import os
from typing import Iterator, List, Sequence, Tuple

SKIPPED_DIRECTORIES = frozenset(
    {"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "_build", "__pypackages__"}
)
PYTHON_SUFFIXES = (".py", ".pyi")


def _skip_directory(path: str, name: str) -> bool:
    if name.startswith(".") or name in SKIPPED_DIRECTORIES or name.endswith(".egg-info"):
        return True
    return os.path.exists(os.path.join(path, name, "pyvenv.cfg"))


NOTEBOOK_SUFFIX = ".ipynb"


def discover(paths: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(Python files, notebooks) under ``paths``, sorted; a Python file named explicitly
    is always kept. Symbolic links to directories are not followed, so link loops
    cannot trap the walk. Notebooks are listed apart: they are not analysed yet."""
    found, notebooks = set(), set()
    for path in paths:
        if os.path.isdir(path):
            found.update(_walk(path))
        elif path.endswith(NOTEBOOK_SUFFIX):
            notebooks.add(os.path.normpath(path))
        else:
            found.add(os.path.normpath(path))
    return sorted(found), sorted(notebooks)


def _walk(root: str) -> Iterator[str]:
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if not _skip_directory(directory, d))
        for name in files:
            if name.endswith(PYTHON_SUFFIXES):
                yield os.path.normpath(os.path.join(directory, name))


def read(path: str) -> Tuple[bytes, str]:
    """The file's bytes, or empty bytes and the reason it could not be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), ""
    except OSError as error:
        return b"", error.strerror or str(error)
