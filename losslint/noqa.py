"""Suppression comments: ``# noqa`` / ``# noqa: LL101, LL205`` on a line, and
``# losslint: noqa`` / ``# losslint: noqa: LL101`` on a line of its own for the whole
file; ``--add-noqa`` writes them for the current findings.

Codes match exactly: ``# noqa: LL101x`` names the code ``LL101X``, which suppresses
nothing (``LL101`` is not a prefix match). A bare ``# noqa`` suppresses every code on
its line, as flake8's does; a code another tool owns (``E501``) is left alone."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from losslint.notebook import NotebookLayoutError, read_notebook, replace_code, split_lines
from losslint.report import Report

_CODE = r"[A-Za-z]+[0-9]+[A-Za-z0-9]*(?![\w])"
_CODES = rf"(?P<codes>{_CODE}(?:[\s,]+{_CODE})*)"
LINE = re.compile(rf"#\s*noqa(?![\w])(?::\s*{_CODES}?)?", re.IGNORECASE)
FILE = re.compile(rf"^\s*#\s*losslint\s*:\s*noqa(?![\w])(?::\s*{_CODES}?)?", re.IGNORECASE)
"""``# losslint: noqa`` must be a comment on a line of its own: at the end of a code line
it would silence the whole file by accident."""

Codes = Optional[FrozenSet[str]]  # None: every code


def _codes(match: "re.Match[str]") -> Codes:
    codes = match.group("codes")
    return frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c) if codes else None


def comments(lines: Sequence[str]) -> Dict[int, Tuple[int, bool]]:
    """Row -> (column, alone) of the comment on each line that mentions noqa, where
    Python's tokenizer finds one: ``# noqa`` inside a string (a docstring documenting the
    comment, a help text) is no comment. ``alone``: only blanks before it. Text the
    tokenizer rejects (a syntax error) is read line by line, from each line's first
    ``#``."""
    if not any("noqa" in line.lower() for line in lines):
        return {}
    found: Dict[int, Tuple[int, bool]] = {}
    try:
        readline = io.StringIO("\n".join(lines) + "\n").readline
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.COMMENT and "noqa" in token.string.lower():
                row, column = token.start
                found[row] = (column, not lines[row - 1][:column].strip())
        return found
    except (tokenize.TokenError, SyntaxError, ValueError):
        found = {}
    for row, line in enumerate(lines, start=1):
        column = line.find("#")
        if column >= 0 and "noqa" in line[column:].lower():
            found[row] = (column, not line[:column].strip())
    return found


Tables = Tuple[Dict[int, Codes], Dict[int, Codes]]


def tables(lines: Sequence[str]) -> Tables:
    """Line number -> codes its ``# noqa`` comment names (None: every code), and line
    number -> codes of its ``# losslint: noqa`` line (None: the whole file); one pass of
    the tokenizer for both."""
    per_line: Dict[int, Codes] = {}
    per_file: Dict[int, Codes] = {}
    for row, (column, alone) in comments(lines).items():
        comment = lines[row - 1][column:]
        whole = FILE.match(comment) if alone else None
        if whole:
            per_file[row] = _codes(whole)
            continue
        match = LINE.search(comment)
        if match:
            per_line[row] = _codes(match)
    return per_line, per_file


def covers(codes: Codes, code: str) -> bool:
    return codes is None or code in codes


# -- --add-noqa ----------------------------------------------------------------------


def _with_codes(line: str, codes: Sequence[str], comment: Optional[int]) -> str:
    """``line`` with ``codes`` added to its ``# noqa`` comment (starting at column
    ``comment``; None: it has none), or a new one."""
    body, ending = (line[:-2], "\r\n") if line.endswith("\r\n") else (line[:-1], line[-1]) if line.endswith(("\n", "\r")) else (line, "")
    match = LINE.search(body, comment) if comment is not None else None
    if match and not FILE.match(body):
        existing = _codes(match)
        if existing is None:
            return line  # a bare noqa already covers them
        merged = sorted(existing | set(codes))
        return body[: match.start()] + "# noqa: " + ", ".join(merged) + body[match.end() :] + ending
    return body.rstrip() + "  # noqa: " + ", ".join(sorted(set(codes))) + ending


def _annotated(text: str, wanted: Dict[int, List[str]]) -> Tuple[str, int]:
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    found = comments([line.rstrip("\r\n") for line in lines])
    count = 0
    for row, codes in wanted.items():
        if 1 <= row <= len(lines):
            new = _with_codes(lines[row - 1], codes, found[row][0] if row in found else None)
            if new != lines[row - 1]:
                lines[row - 1] = new
                count += len(codes)
    return "".join(lines), count


def add_noqa(
    report: Report, sources_of: Callable[[str], Tuple[bytes, str]]
) -> Tuple[List[Tuple[str, int]], List[str]]:
    """Write ``# noqa: CODE`` at the line of each finding (the loss call, or the site it is
    reported at), merged into a ``# noqa`` comment already there; idempotent, because
    the findings it adds comments for are suppressed on the next run. Returns (file,
    comments added) and the problems (a file that would no longer parse, a notebook
    line that is a magic, a file that cannot be written); LL000 findings are skipped
    (their files do not parse)."""
    from losslint.fixer.run import write

    wanted: Dict[str, Dict[int, List[str]]] = {}
    for d in report.diagnostics:
        if d.code == "LL000" or d.location.path == "-":
            continue
        row = d.location.source_row or d.location.row
        codes = wanted.setdefault(d.location.path, {}).setdefault(row, [])
        if d.code not in codes:
            codes.append(d.code)
    added: List[Tuple[str, int]] = []
    problems: List[str] = []
    changes: Dict[str, Tuple[bytes, bytes]] = {}
    for path in sorted(wanted):
        data, error = sources_of(path)
        if error:
            problems.append(f"cannot add noqa to {path}: {error}")
            continue
        if path.endswith(".ipynb"):
            notebook, problem = read_notebook(data)
            if notebook is None:
                problems.append(f"cannot add noqa to {path}: {problem}")
                continue
            new_source, count = _annotated(notebook.source, wanted[path])
            try:
                after = replace_code(data, notebook.source, "\n".join(split_lines(new_source)) + "\n")
            except NotebookLayoutError as reason:
                problems.append(f"cannot add noqa to {path}: {reason}")
                continue
        else:
            try:
                text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
            except UnicodeDecodeError:
                problems.append(f"cannot add noqa to {path}: not UTF-8")
                continue
            new_text, count = _annotated(text, wanted[path])
            try:
                ast.parse(new_text)
            except (SyntaxError, ValueError):  # a finding on a line a comment cannot end (a continuation)
                problems.append(f"cannot add noqa to {path}: a comment there would break the code; add it by hand")
                continue
            after = (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + new_text.encode("utf-8")
        if after != data:
            changes[path] = (data, after)
            added.append((path, count))
    problems += write(changes)
    return added, problems


def unused(path: str, suppressions: Tables, used: set, selected: FrozenSet[str], known: FrozenSet[str]) -> List[Tuple[int, str]]:
    """(line, message) for each suppression of ``path`` that suppressed nothing (LL901):
    a code of a selected rule with no finding there, a file-level comment with nothing
    to suppress, an ``LL`` code that names no rule. Bare ``# noqa`` lines and codes of
    other tools (``E501``) or of rules not selected are not judged."""
    found: List[Tuple[int, str]] = []
    for table, scope, where in ((suppressions[0], "line", "on this line"), (suppressions[1], "file", "in this file")):
        for row, codes in sorted(table.items()):
            if codes is None:
                if scope == "file" and (path, "file", row, None) not in used:
                    found.append((row, "unused suppression: '# losslint: noqa' suppresses no finding in this file"))
                continue
            for code in sorted(codes):
                if not code.startswith("LL"):
                    continue
                if code not in known:
                    found.append((row, f"suppression names {code}, which is no rule (see --list-rules)"))
                elif code in selected and (path, scope, row, code) not in used:
                    found.append((row, f"unused suppression: no {code} finding {where}"))
    return found


