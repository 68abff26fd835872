"""``--fix`` and ``--diff``: lint, apply the fixes, lint again, until nothing changes.

Files are changed in memory first (the next pass lints them through the runner's
``overrides``); only when the passes are over is anything written, each file
atomically (a temporary file renamed over it) with its mode, encoding, BOM and line
endings, and only if it still parses. A file that cannot be written is reported and
its fixes are left out; the run goes on.
"""

from __future__ import annotations

import codecs
import difflib
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Set, Tuple

from losslint.files import NOTEBOOK_SUFFIX
from losslint.files import read as read_file
from losslint.fixer.engine import Files, apply_fixes
from losslint.notebook import NotebookLayoutError, replace_code
from losslint.report import Report

MAX_PASSES = 10
"""Fixes that unlock others need a few passes; a fix that keeps changing its own result
must not loop forever."""

Lint = Callable[[Dict[str, bytes]], Report]
"""A lint run over the user's paths with some files' contents replaced."""


@dataclass
class Outcome:
    report: Report  # the findings left after fixing
    changes: Dict[str, Tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (before, after)
    problems: List[str] = field(default_factory=list)  # files that could not be fixed or written


def fix(lint: Lint, unsafe: bool, will_write: bool, sources: Optional[Dict[str, bytes]] = None) -> Outcome:
    """Fix until nothing changes; files that turn out not to be writable are left out
    (and the fixing redone without them) when ``will_write``. ``sources`` are the bytes
    linted instead of the disk (standard input): they are the originals the fixes
    change, never the file on disk of the same name."""
    blocked: Set[str] = set()
    problems: List[str] = []
    while True:
        outcome = _passes(lint, unsafe, blocked, sources or {})
        unwritable = {path: why for path in outcome.changes if (why := _unwritable(path))} if will_write else {}
        if not unwritable:
            outcome.problems = problems + outcome.problems
            return outcome
        for path, why in sorted(unwritable.items()):
            problems.append(f"cannot fix {path}: {why}")
        blocked |= set(unwritable)


def _passes(lint: Lint, unsafe: bool, blocked: Set[str], sources: Dict[str, bytes]) -> Outcome:
    overrides: Dict[str, bytes] = {}
    originals: Dict[str, bytes] = {}
    problems: List[str] = []
    fixed = 0
    report = lint(overrides)
    for _ in range(MAX_PASSES):
        candidates = list(dict.fromkeys(d.fix for d in report.diagnostics if report.fixable(d) and d.fix is not None))
        usable = [f for f in candidates if not {e.site.path for e in f.edits} & blocked]
        if not usable:
            break
        texts, applied, refused = apply_fixes(usable, Files(report.texts.get))
        encoded: Dict[str, bytes] = {}
        for path, text in texts.items():
            if path not in overrides and path not in originals:
                originals[path] = sources[path] if path in sources else _read(path)
            before = overrides[path] if path in overrides else originals[path]
            try:
                encoded[path] = _encode(path, before, report.texts[path], text)
            except NotebookLayoutError as error:
                problems.append(f"cannot fix {path}: {error}")
                blocked.add(path)
        if any(not {e.site.path for e in f.edits} <= set(encoded) for f in applied):
            continue  # a notebook refused: this pass again without it
        if not encoded:  # nothing more goes in: say why what the report offered did not
            problems.extend(sorted({f"cannot fix {p}: {why}" for f, why in refused for p in {e.site.path for e in f.edits}}))
            break
        overrides.update(encoded)
        applied_set = set(applied)
        fixed += sum(1 for d in report.diagnostics if d.fix in applied_set)
        report = lint(overrides)
    report.fixed = fixed
    changes = {path: (originals[path], data) for path, data in sorted(overrides.items()) if data != originals[path]}
    return Outcome(report, changes, problems)


def _read(path: str) -> bytes:
    data, _ = read_file(path)
    return data


def _encode(path: str, before: bytes, old_text: str, new_text: str) -> bytes:
    """The file's new bytes: a notebook keeps its JSON layout outside the changed cells;
    Python source keeps its encoding and BOM (libcst kept the line endings)."""
    if path.endswith(NOTEBOOK_SUFFIX):
        return replace_code(before, old_text, new_text)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(before).readline)
    bom = codecs.BOM_UTF8 if before.startswith(codecs.BOM_UTF8) else b""
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return bom + new_text.encode(encoding)


def _unwritable(path: str) -> str:
    """Why ``path`` cannot be replaced, or "" (a read-only file is not replaced even
    where its folder would allow it)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return error.strerror or str(error)
    if not mode & stat.S_IWUSR:
        return "the file is read-only"
    if not os.access(os.path.dirname(os.path.realpath(path)) or ".", os.W_OK):
        return "its folder is not writable"
    return ""


def write(changes: Dict[str, Tuple[bytes, bytes]]) -> List[str]:
    """Write every changed file atomically, keeping its mode; returns the problems."""
    problems = []
    for path, (_, after) in changes.items():
        target = os.path.realpath(path)  # replace the file a symlink points to, not the link
        folder = os.path.dirname(target)
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
            handle, temporary = tempfile.mkstemp(prefix=".losslint-", dir=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(after)
                    out.flush()
                    os.fsync(out.fileno())
                os.chmod(temporary, mode)
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            problems.append(f"cannot write {path}: {error.strerror or error}")
    return problems


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """The change as a unified diff, ``--- a/path`` / ``+++ b/path`` as git shows it
    (absolute paths as they are)."""
    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    before_name, after_name = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
    lines = difflib.unified_diff(old, new, before_name, after_name)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
