"""``path:row:col: CODE message`` lines and an honest summary."""

from __future__ import annotations

from typing import TextIO

import click

from losslint.report import Diagnostic, Location, Report
from losslint.reporters import printable

TINT = {"error": "red", "warning": "yellow", "info": "cyan"}
"""Severity colours (code and tag), as ruff and mypy use them."""


def position(location: Location) -> str:
    """``train.py:17:12``, or ``nb.ipynb:cell 5:3:12`` in a notebook."""
    cell = f"cell {location.cell}:" if location.cell is not None else ""
    return f"{printable(location.path)}:{cell}{location.row}:{location.column}"


def coloured_position(location: Location, colour: bool) -> str:
    """The position with the path in bold and the numbers dimmed (on a terminal)."""
    if not colour:
        return position(location)
    cell = f"cell {location.cell}:" if location.cell is not None else ""
    rest = click.style(f":{cell}{location.row}:{location.column}", fg="cyan")
    return click.style(printable(location.path), bold=True) + rest


def summary_line(report: Report) -> str:
    """Says how much was checked, so that no findings never reads as "all correct"."""
    count = sum(1 for d in report.diagnostics if d.code != "LL900")
    findings = f"{count} finding{'s' if count != 1 else ''}" if count else "No findings"
    if report.loss_calls == 0:
        coverage = f"no loss calls found in {report.files} file{'s' if report.files != 1 else ''}"
    else:
        coverage = (
            f"{report.loss_calls} loss call{'s' if report.loss_calls != 1 else ''}, "
            f"{report.resolved} resolved, {report.unresolved} unresolved"
        )
    fixed = f"Fixed {report.fixed} finding{'s' if report.fixed != 1 else ''}. " if report.fixed else ""
    return f"{fixed}{findings}; {coverage}.{fix_hint(report)}"


def fix_hint(report: Report) -> str:
    """`` [*] 2 fixable with --fix (1 more with --unsafe-fixes).``, as ruff says it; with
    no safe fix, `` 2 fixable with --fix --unsafe-fixes.``"""
    fixable = sum(1 for d in report.diagnostics if report.fixable(d))
    hidden = sum(1 for d in report.diagnostics if d.fix is not None and not report.fixable(d))
    if not fixable and not hidden:
        return ""
    if not fixable:
        return f" {hidden} fixable with --fix --unsafe-fixes."
    text = f" [*] {fixable} fixable with --fix"
    if hidden:
        text += f" ({hidden} more with --unsafe-fixes)"
    return text + "."


def marker(report: Report, diagnostic: Diagnostic) -> str:
    return "[*] " if report.fixable(diagnostic) else ""


def line(report: Report, d: Diagnostic, colour: bool = False, fixable: bool = True) -> str:
    """One finding: ``path:row:col: CODE [*] message``, the code in its severity's colour."""
    code = click.style(d.code, fg=TINT[d.severity.value], bold=True) if colour else d.code
    mark = marker(report, d) if fixable else ""
    return f"{coloured_position(d.location, colour)}: {code} {mark}{printable(d.message)}"


def write(report: Report, out: TextIO, colour: bool = False) -> None:
    for d in report.diagnostics:
        out.write(line(report, d, colour) + "\n")
    out.write(summary_line(report) + "\n")
