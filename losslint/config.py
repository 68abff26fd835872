"""``[tool.losslint]`` in pyproject.toml, merged with the command line (which wins).

Rule selection is layered as in ruff: the defaults, then the file's ``select`` (which
replaces them), ``extend-select`` and ``ignore``; then the command line's ``--select``
(which replaces everything before it), ``--extend-select`` and ``--ignore``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from losslint.analysis.modules import PROJECT_MARKERS
from losslint.reporters import REPORTERS
from losslint.safe_read import read_regular
from losslint.selection import SelectionError, expand, resolve

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

KEYS = frozenset(
    {
        "select", "extend-select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "output-format",
        "unsafe-fixes", "knowledge", "fail-on",
    }
)
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".losslint_cache", ".ipynb_checkpoints", "build", "dist", "_build", "node_modules",
    "site-packages", "__pypackages__",
    "*.egg-info",
)  # fmt: skip


MAX_CONFIG_BYTES = 8_000_000
SEVERITIES = ("info", "warning", "error")
"""``fail-on`` values, lowest first: findings at or above the one chosen fail a run."""


class ConfigError(ValueError):
    """A configuration the run cannot use; the message names the key and the file."""


@dataclass
class Settings:
    """Everything the run needs to know, from the file and the command line."""

    selected: FrozenSet[str]
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    per_file_ignores: Tuple[Tuple[str, FrozenSet[str]], ...] = ()
    output_format: Optional[str] = None
    unsafe_fixes: bool = False
    fail_on: str = "warning"  # the lowest severity that fails a run
    root: str = "."  # where relative globs start: the config file's folder
    source: Optional[str] = None  # the configuration file, if any
    project_root: str = "."  # where the cache lives by default (see project_root)
    knowledge: Tuple[str, ...] = ()  # the user's knowledge files, absolute, in the order given
    notes: List[str] = field(default_factory=list)


def find_pyproject(paths: Sequence[str]) -> Optional[Tuple[str, Dict[str, Any]]]:
    """The nearest pyproject.toml with a [tool.losslint] table, upwards from the first
    path, and its parsed content. One that configures losslint but is not valid TOML is
    an error, not a file to skip silently."""
    start = os.path.abspath(paths[0] if paths and paths[0] != "-" else ".")
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        data = read_regular(candidate, MAX_CONFIG_BYTES) or b""  # never a FIFO or a device
        if b"losslint" in data:  # only then can it configure losslint: no parse otherwise
            try:
                parsed = tomllib.loads(data.decode("utf-8", "replace"))
            except tomllib.TOMLDecodeError as error:
                if b"tool.losslint" in data:
                    raise ConfigError(f"{candidate} is not valid TOML: {error}") from error
            else:
                if "losslint" in parsed.get("tool", {}):
                    return candidate, parsed
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def project_root(paths: Sequence[str]) -> str:
    """The folder the default cache belongs in: the nearest folder above the first path
    with ``.git``, ``pyproject.toml``, ``setup.py`` or ``setup.cfg`` (the root imports are
    resolved up to), else the first path's own folder; the current folder for standard
    input. Never the current folder just because losslint was started there."""
    start = os.path.abspath(paths[0] if paths and paths[0] != "-" else ".")
    first = start if os.path.isdir(start) else os.path.dirname(start)
    directory = first
    while True:
        if any(os.path.exists(os.path.join(directory, marker)) for marker in PROJECT_MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return first
        directory = parent


def read_toml(path: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error


def losslint_table(data: Dict[str, Any], path: str) -> Dict[str, Any]:
    """The [tool.losslint] table of a parsed file, checked for unknown keys."""
    table = data.get("tool", {}).get("losslint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.losslint] in {path} must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ConfigError(f"unknown key '{unknown[0]}' in [tool.losslint] of {path}; known keys: {', '.join(sorted(KEYS))}")
    return table


def _codes(table: Dict[str, Any], key: str, path: str) -> List[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"'{key}' in [tool.losslint] of {path} must be a list of rule codes")
    try:
        expand(value)
    except SelectionError as error:
        raise ConfigError(f"{error} in '{key}' of [tool.losslint] in {path}") from error
    return value


def _strings(table: Dict[str, Any], key: str, path: str) -> Optional[List[str]]:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"'{key}' in [tool.losslint] of {path} must be a list of strings")
    return value


def _knowledge_files(patterns: List[str], base: str, where: str) -> Tuple[str, ...]:
    """The files of ``knowledge = [...]``: paths or globs relative to the configuration
    file's folder, in the order given (a later file's entries win). A pattern that names
    no file is an error: a misspelt path must not silently drop the user's knowledge."""
    import glob

    found: List[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(os.path.join(base, pattern), recursive=True))
        files = [m for m in matches if os.path.isfile(m)]
        if not files:
            raise ConfigError(f"'knowledge' in [tool.losslint] of {where}: no file matches '{pattern}'")
        found.extend(os.path.abspath(f) for f in files if os.path.abspath(f) not in found)
    return tuple(found)


def settings(
    paths: Sequence[str],
    config: Optional[str],
    select: Optional[List[str]],
    extend_select: List[str],
    ignore: List[str],
) -> Settings:
    """Resolve the configuration file and merge it with the command-line selection."""
    found = (config, read_toml(config)) if config else find_pyproject(paths)
    if config and found is not None and "losslint" not in found[1].get("tool", {}):
        raise ConfigError(f"{config} has no [tool.losslint] table: nothing in it configures losslint")
    path, table = (found[0], losslint_table(found[1], found[0])) if found else (None, {})
    where = path or "the command line"
    from_file = resolve(
        _codes(table, "select", where) if "select" in table else None,
        _codes(table, "extend-select", where),
        _codes(table, "ignore", where),
    )
    try:
        selected = resolve(select, extend_select, ignore, base=from_file)
    except SelectionError as error:
        raise ConfigError(str(error)) from error

    exclude = _strings(table, "exclude", where)
    extend_exclude = _strings(table, "extend-exclude", where) or []
    ignores = table.get("per-file-ignores", {})
    if not isinstance(ignores, dict):
        raise ConfigError(f"'per-file-ignores' in [tool.losslint] of {where} must be a table of glob = [codes]")
    per_file = tuple((glob, expand(_codes(ignores, glob, where))) for glob in sorted(ignores))
    output_format = table.get("output-format")
    if output_format is not None and not isinstance(output_format, str):
        raise ConfigError(f"'output-format' in [tool.losslint] of {where} must be a string")
    if output_format is not None and output_format not in REPORTERS:
        raise ConfigError(
            f"unknown output-format '{output_format}' in [tool.losslint] of {where}; known: {', '.join(REPORTERS)}"
        )
    fail_on = table.get("fail-on", "warning")
    if fail_on not in SEVERITIES:
        raise ConfigError(f"'fail-on' in [tool.losslint] of {where} must be one of {', '.join(SEVERITIES)}")
    unsafe_fixes = table.get("unsafe-fixes", False)
    if not isinstance(unsafe_fixes, bool):
        raise ConfigError(f"'unsafe-fixes' in [tool.losslint] of {where} must be true or false")
    base = os.path.dirname(os.path.abspath(path)) if path else os.path.abspath(".")
    knowledge = _knowledge_files(_strings(table, "knowledge", where) or [], base, where)
    return Settings(
        knowledge=knowledge,
        selected=selected,
        exclude=tuple(exclude if exclude is not None else DEFAULT_EXCLUDE) + tuple(extend_exclude),
        per_file_ignores=per_file,
        output_format=output_format,
        unsafe_fixes=unsafe_fixes,
        fail_on=fail_on,
        root=os.path.dirname(os.path.abspath(path)) if path else os.path.abspath("."),
        source=path,
        project_root=os.path.dirname(os.path.abspath(path)) if path and not config else project_root(paths),
    )
