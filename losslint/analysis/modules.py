"""Which linted file an import statement refers to.

Projects import their own code in several ways: relative imports inside a package,
absolute imports from the project root or from a ``src/`` folder, and script-style
imports of a sibling module (``from model import Net`` next to ``model.py``). Instead
of guessing a root, resolution walks up from the importing file's folder and takes
the first folder under which the dotted name is a linted file or package.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, Optional

KNOWN_LIBRARIES = frozenset({"torch", "torchvision", "lightning", "pytorch_lightning", "collections", "typing"})
"""Top-level names that always mean the library the analysis models, never a linted file."""


class ModuleIndex:
    """The linted files, by absolute path, for resolving imports between them."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._by_absolute: Dict[str, str] = {os.path.abspath(p): p for p in paths}

    def _file(self, base: str) -> Optional[str]:
        """The linted file for a module path without suffix: ``base.py`` or ``base/__init__.py``."""
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            found = self._by_absolute.get(candidate)
            if found is not None:
                return found
        return None

    def resolve(self, importer: str, module: str, level: int = 0) -> Optional[str]:
        """The linted file ``import module`` (with ``level`` leading dots) means in
        ``importer``, or None when it is not part of the linted code."""
        here = os.path.dirname(os.path.abspath(importer))
        parts = [p for p in module.split(".") if p]
        if level:
            base = here
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return self._file(os.path.join(base, *parts)) if parts else self._file(base)
        if not parts or parts[0] in KNOWN_LIBRARIES:
            return None
        directory = here
        while True:
            found = self._file(os.path.join(directory, *parts))
            if found is not None:
                return found
            source = self._file(os.path.join(directory, "src", *parts))
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
        return self._file(os.path.join(os.path.dirname(os.path.abspath(package)), name))
