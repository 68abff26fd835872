"""GitHub Actions workflow commands: each finding becomes an annotation on the PR."""

from __future__ import annotations

from typing import TextIO

from losslint.report import Report
from losslint.reporters import printable

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, out: TextIO) -> None:
    for d in report.diagnostics:
        where = d.location
        properties = ",".join(
            [
                f"file={_property(where.path)}",
                f"line={where.row}",
                f"col={where.column}",
                f"endLine={where.end_row}",
                f"endColumn={where.end_column}",
                f"title={_property(d.code)}",
            ]
        )
        out.write(f"::{COMMANDS[d.severity.value]} {properties}::{_data(f'{d.code} {d.message}')}\n")
