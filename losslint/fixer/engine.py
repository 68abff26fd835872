"""Apply fixes to source texts: pick fixes that do not overlap, apply each file's edits
in one libcst pass, and accept a fix only if every file it touches still parses."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from losslint.analysis.lower import Position
from losslint.analysis.summary import LINE_BREAK
from losslint.edits import Edit, Fix
from losslint.fixer.transforms import (
    NeedsWholeModule,
    NotApplicable,
    apply_edits,
    covered,
    first_parse_error,
    parse,
    site_node,
)

Texts = Callable[[str], Optional[str]]
"""The current text of a file (None when it may not be changed)."""


Parsed = Tuple[cst.Module, List[Optional[cst.CSTNode]]]


class Files:
    """The files fixes are applied to, each parsed once; ``positions`` gives the sites'
    positions of a file when the analysis has them at hand."""

    def __init__(self, texts: Texts, positions: Optional[Callable[[str], Sequence[Position]]] = None) -> None:
        self._texts = texts
        self._positions = positions
        self._parsed: Dict[str, Optional[Parsed]] = {}
        self._lines: Dict[str, List[str]] = {}

    def text(self, path: str) -> Optional[str]:
        return self._texts(path)

    def lines(self, path: str, text: str) -> List[str]:
        """The file's lines with their line breaks (as ``ast`` counts them), split once
        for all the fixes checked in it."""
        if path not in self._lines:
            starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
            self._lines[path] = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
        return self._lines[path]

    def positions(self, path: str) -> Optional[Sequence[Position]]:
        """The sites' positions in the file as it is, when the analysis has them."""
        return self._positions(path) if self._positions is not None else None

    def parsed(self, path: str) -> Parsed:
        if path not in self._parsed:
            text = self._texts(path)
            try:
                if text is None:
                    self._parsed[path] = None
                else:
                    self._parsed[path] = parse(text, self._positions(path) if self._positions else None)
            except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
                self._parsed[path] = None
        found = self._parsed[path]
        if found is None:
            raise NotApplicable("libcst, which rewrites the code, cannot parse the whole file (nested too deeply?)")
        return found


def preview(fix: Fix, files: Files) -> Dict[str, str]:
    """The new text of each file ``fix`` changes, applied alone; raises NotApplicable.
    Each file is parsed only around the edits (the top-level statements holding them),
    so checking a fix in a huge file costs what that excerpt costs, not the file."""
    new: Dict[str, str] = {}
    for path in sorted({e.site.path for e in fix.edits}):
        edits = [e for e in fix.edits if e.site.path == path]
        try:
            new[path] = _preview_excerpt(path, edits, files)
        except NeedsWholeModule:
            new.update(_apply({}, Fix(fix.message, tuple(edits), fix.safe), files, before_writing=False))
    return new


def _preview_excerpt(path: str, edits: List[Edit], files: Files) -> str:
    text = files.text(path)
    positions = files.positions(path)
    if text is None or positions is None or any(not 0 <= e.site.ordinal < len(positions) for e in edits):
        raise NotApplicable(f"{path} cannot be changed")
    lines = files.lines(path, text)
    rows = [positions[e.site.ordinal] for e in edits]
    first, last = _statements_around(lines, min(r[0] for r in rows), max(r[2] for r in rows))
    head, excerpt, tail = "".join(lines[: first - 1]), "".join(lines[first - 1 : last]), "".join(lines[last:])
    shift = first - 1
    moved = [
        (row - shift, column, end_row - shift, end_column) if first <= row and end_row <= last else (0, 0, 0, 0)
        for row, column, end_row, end_column in positions
    ]
    try:
        tree, sites = parse(excerpt, moved)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
        raise NeedsWholeModule("the excerpt is not whole statements") from None
    fixed = apply_edits(tree, sites, edits, whole_module=False, module_text=text).code
    problem = first_parse_error(fixed, before_writing=False)
    if problem is not None:
        raise NotApplicable(f"the fixed {path} would not parse: {problem}")
    return head + fixed + tail


_CONTINUATIONS = ("else", "elif", "except", "finally", ")", "]", "}", "#")


def _statements_around(lines: List[str], first: int, last: int) -> Tuple[int, int]:
    """The rows (1-based, inclusive) of the top-level statements spanning rows
    ``first``..``last``: from the nearest line above that starts a statement at column 0
    (with its decorators) to the line before the next one. A guess from the layout; one
    that does not parse falls back to the whole file, and the fixed excerpt is parsed
    again before it is accepted."""

    def starts_statement(line: str) -> bool:
        word = line.lstrip("\ufeff")
        return bool(word) and not word[0].isspace() and not word.startswith(_CONTINUATIONS)

    start = first
    while start > 1 and not starts_statement(lines[start - 1]):
        start -= 1
    while start > 1 and lines[start - 2].startswith("@"):  # its decorators
        start -= 1
    end = last
    while end < len(lines) and not starts_statement(lines[end]):
        end += 1
    return start, end


def apply_fixes(fixes: Sequence[Fix], files: Files) -> Tuple[Dict[str, str], List[Fix], List[Tuple[Fix, str]]]:
    """Apply as many of ``fixes`` as can go together, in order: a fix whose edits overlap
    an accepted one's (other than the very same edit) waits for the next pass. Returns
    the new texts, the fixes applied and those refused, with why."""
    accepted: Dict[str, List[Edit]] = {}
    claimed: Dict[Tuple[str, int], Edit] = {}  # (path, node id) under an accepted edit
    roots: Dict[str, Set[int]] = {}  # ids of the accepted edits' own nodes, per file
    texts: Dict[str, str] = {}
    applied: List[Fix] = []
    refused: List[Tuple[Fix, str]] = []
    for fix in fixes:
        try:
            if _overlaps(fix, files, claimed, roots):
                continue
            new = _apply(accepted, fix, files, before_writing=True)
        except NotApplicable as reason:
            refused.append((fix, str(reason)))
            continue
        applied.append(fix)
        texts.update(new)
        for edit in fix.edits:
            path = edit.site.path
            if edit not in accepted.setdefault(path, []):
                accepted[path].append(edit)
                node = site_node(files.parsed(path)[1], edit)
                roots.setdefault(path, set()).add(id(node))
                for identity in covered(node):
                    claimed[(path, identity)] = edit
    return texts, applied, refused


def _overlaps(fix: Fix, files: Files, claimed: Dict[Tuple[str, int], Edit], roots: Dict[str, Set[int]]) -> bool:
    for edit in fix.edits:
        path = edit.site.path
        node = site_node(files.parsed(path)[1], edit)
        owner = claimed.get((path, id(node)))
        if owner is not None and owner != edit:
            return True
        if owner is None and roots.get(path, set()) & covered(node):
            return True
    return False


def _apply(accepted: Dict[str, List[Edit]], fix: Fix, files: Files, before_writing: bool) -> Dict[str, str]:
    """The texts of the files ``fix`` touches, with the ``accepted`` edits and its own."""
    new: Dict[str, str] = {}
    for path in sorted({e.site.path for e in fix.edits}):
        tree, sites = files.parsed(path)
        edits = list(dict.fromkeys(accepted.get(path, []) + [e for e in fix.edits if e.site.path == path]))
        text = apply_edits(tree, sites, edits).code
        problem = first_parse_error(text, before_writing)
        if problem is not None:
            raise NotApplicable(f"the fixed {path} would not parse: {problem}")
        new[path] = text
    return new
