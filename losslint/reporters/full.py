"""Each finding with the source of the loss call and of the activation, and the
rule's loss-value demo computed at the finding's width."""

from __future__ import annotations

import os
from typing import List, TextIO

import click

from losslint.report import Location, Report
from losslint.reporters import printable
from losslint.reporters.concise import position, summary_line


def _snippet(lines: List[str], location: Location, label: str = "") -> List[str]:
    line = location.source_row or location.row
    if not 1 <= line <= len(lines):
        return []
    raw = lines[line - 1].rstrip()
    text = printable(raw)  # control characters shown escaped: the caret counts them so
    start = len(printable(raw[: location.column - 1]))
    gutter = f"{location.row:>5} │ "
    if location.end_row == location.row:
        width = len(printable(raw[location.column - 1 : location.end_column - 1]))
    else:
        width = len(text) - start
    caret = " " * (len(gutter) + start) + "^" * max(width, 1) + (f" {label}" if label else "")
    return [gutter + text, caret]


def write(report: Report, out: TextIO) -> None:
    from losslint.reference.demos import demo  # numpy only when this format is used

    color = out.isatty() and "NO_COLOR" not in os.environ
    tint = {"error": "red", "warning": "yellow", "info": "cyan"}
    for d in report.diagnostics:
        where = d.location
        head = f"{position(where)}: {d.code} [{d.severity.value}]"
        out.write(f"{click.style(head, fg=tint[d.severity.value], bold=True) if color else head} {printable(d.message)}\n")
        for line in _snippet(report.sources.get(where.path, []), where):
            out.write(line + "\n")
        for related in d.related:
            r = related.location
            out.write(f"  {position(r)}: {printable(related.message)}\n")
            for line in _snippet(report.sources.get(r.path, []), r):
                out.write(line + "\n")
        if d.fix is not None:
            kind = "fix" if d.fix.safe else "unsafe fix" + ("" if report.unsafe_fixes else " (with --unsafe-fixes)")
            out.write(f"  {kind}: {printable(d.fix.message)}\n")
        elif d.no_fix:
            out.write(f"  {printable(d.no_fix)}\n")
        example = demo(d.code, d.width)
        if example is not None:
            out.write(f"  demo: {example.summary}\n")
        out.write(f"  see: losslint --explain {d.code}\n\n")
    out.write(summary_line(report) + "\n")
