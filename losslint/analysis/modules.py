"""Which linted file an import statement refers to.

Projects import their own code in several ways: relative imports inside a package,
absolute imports from the project root or from a ``src/`` folder, and script-style
imports of a sibling module (``from model import Net`` next to ``model.py``). Instead
of guessing a root, resolution walks up from the importing file's folder and takes
the first folder under which the dotted name is a linted file or package.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional, Tuple

from losslint.analysis import tables as T



PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def probe(path: str) -> bool:
    """Whether a module file or a project marker is there."""
    return os.path.isfile(path) if path.endswith(".py") else os.path.exists(path)


class ModuleIndex:
    """The linted files, by absolute path, for resolving imports between them. Files of
    the same project that were not named (pre-commit passes only the changed files) are
    found on disk, but never above the project root."""

    def __init__(self, paths: Iterable[str], hands_back_probes: bool = False) -> None:
        self._by_absolute: Dict[str, str] = {os.path.abspath(p): p for p in paths}
        self._roots: Dict[str, str] = {}
        self.probes: Dict[str, bool] = {}  # what resolution asked the disk, and the answer
        self.new_probes: Optional[List[str]] = [] if hands_back_probes else None  # since last handed back (a worker's)
        self._resolved: Dict[Tuple[str, str, int], Optional[str]] = {}  # (importer's folder, module, level) -> file

    def _exists(self, path: str) -> bool:
        if path not in self.probes:
            self.probes[path] = probe(path)
            if self.new_probes is not None:
                self.new_probes.append(path)
        return self.probes[path]

    def hand_back_probes(self) -> Dict[str, bool]:
        """The probes made since the last call: a worker process resolving imports for
        the main one hands them back, for the run's record (``RunRecord``)."""
        if self.new_probes is None:
            return {}
        fresh = {path: self.probes[path] for path in self.new_probes}
        self.new_probes = []
        return fresh

    def _file(self, base: str, limit: str) -> Optional[str]:
        """The file for a module path without suffix: ``base.py`` or ``base/__init__.py``,
        linted or, inside the project ``limit``, on disk."""
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            found = self._by_absolute.get(candidate)
            if found is not None:
                return found
            if (candidate == limit or candidate.startswith(limit + os.sep)) and self._exists(candidate):
                return os.path.relpath(candidate) if not os.path.relpath(candidate).startswith("..") else candidate
        return None

    def project_root(self, directory: str) -> str:
        """The nearest folder with a project marker, or ``directory`` itself."""
        if directory not in self._roots:
            current = directory
            while not any(self._exists(os.path.join(current, m)) for m in PROJECT_MARKERS):
                parent = os.path.dirname(current)
                if parent == current:
                    current = directory
                    break
                current = parent
            self._roots[directory] = current
        return self._roots[directory]

    def resolve(self, importer: str, module: str, level: int = 0) -> Optional[str]:
        """The linted file ``import module`` (with ``level`` leading dots) means in
        ``importer``, or None when it is not part of the linted code (remembered: the
        interpreter and the entry-point choice ask the same questions many times), by
        the importer's folder: the answer depends on nothing else, and the files of one
        folder ask the same questions (diffusers: 11 MB of answers kept by file)."""
        key = (os.path.dirname(importer), module, level)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(importer, module, level)
        return self._resolved[key]

    def _resolve(self, importer: str, module: str, level: int) -> Optional[str]:
        here = os.path.dirname(os.path.abspath(importer))
        limit = self.project_root(here)
        parts = [p for p in module.split(".") if p]
        if level:
            base = here
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return self._file(os.path.join(base, *parts), limit) if parts else self._file(base, limit)
        if not parts or parts[0] in T.LIBRARY_ROOTS:  # the libraries the knowledge models, never a linted file
            return None
        directory = here
        while True:
            found = self._file(os.path.join(directory, *parts), limit)
            if found is not None:
                return found
            source = self._file(os.path.join(directory, "src", *parts), limit)
            if source is not None:
                return source
            parent = os.path.dirname(directory)
            if parent == directory:
                return None
            directory = parent

    def submodule(self, package: str, name: str) -> Optional[str]:
        """``package.name`` when ``package`` is a linted ``__init__.py``."""
        if os.path.basename(package) != "__init__.py":
            return None
        directory = os.path.dirname(os.path.abspath(package))
        return self._file(os.path.join(directory, name), self.project_root(directory))
