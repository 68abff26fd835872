"""Each finding with the source of the loss call and of the activation, and the
rule's loss-value demo computed at the finding's width."""

from __future__ import annotations

import unicodedata
from typing import List, TextIO

import click

from losslint.report import Location, Report
from losslint.reporters import printable
from losslint.reporters.concise import TINT, coloured_position, position, summary_line


TAB = 4


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes: wide (East Asian) characters take two, combining
    marks none; tabs are expanded before this is asked."""
    width = 0
    for character in text:
        if unicodedata.combining(character):
            continue
        width += 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
    return width


def _snippet(lines: List[str], location: Location, label: str = "") -> List[str]:
    line = location.source_row or location.row
    if not 1 <= line <= len(lines):
        return []
    raw = lines[line - 1].rstrip()
    # control characters shown escaped and tabs expanded: the caret counts the columns
    # the terminal shows, a wide character as two
    text = printable(raw).expandtabs(TAB)
    start = _cells(printable(raw[: location.column - 1]).expandtabs(TAB))
    gutter = f"{location.row:>5} │ "
    if location.end_row == location.row:
        width = _cells(printable(raw[: location.end_column - 1]).expandtabs(TAB)) - start
    else:
        width = _cells(text) - start
    caret = " " * (len(gutter) + start) + "^" * max(width, 1) + (f" {label}" if label else "")
    return [gutter + text, caret]


def write(report: Report, out: TextIO, colour: bool = False) -> None:
    from losslint.reference.demos import demo  # numpy only when this format is used

    for d in report.diagnostics:
        where = d.location
        tint = TINT[d.severity.value]
        if colour:
            head = f"{coloured_position(where, True)}: {click.style(d.code, fg=tint, bold=True)} {click.style(f'[{d.severity.value}]', fg=tint)}"
        else:
            head = f"{position(where)}: {d.code} [{d.severity.value}]"
        out.write(f"{head} {printable(d.message)}\n")
        for line in _snippet(report.sources.get(where.path, []), where):
            out.write(_caret(line, colour, tint) + "\n")
        for related in d.related:
            r = related.location
            out.write(f"  {coloured_position(r, colour)}: {printable(related.message)}\n")
            for line in _snippet(report.sources.get(r.path, []), r):
                out.write(_caret(line, colour, "blue") + "\n")
        if d.fix is not None:
            kind = "fix" if d.fix.safe else "unsafe fix" + ("" if report.unsafe_fixes else " (with --unsafe-fixes)")
            out.write(f"  {click.style(kind, fg='green') if colour else kind}: {printable(d.fix.message)}\n")
        elif d.no_fix:
            out.write(f"  {printable(d.no_fix)}\n")
        example = demo(d.code, d.width, d.framework)
        if example is not None:
            out.write(f"  demo: {example.summary}\n")
        out.write(f"  see: losslint --explain {d.code}\n\n")
    out.write(summary_line(report) + "\n")


def _caret(line: str, colour: bool, tint: str) -> str:
    if colour and line.lstrip().startswith("^"):
        return click.style(line, fg=tint, bold=True)
    return line
