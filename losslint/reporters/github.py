"""GitHub Actions workflow commands: each finding becomes an annotation on the PR."""

from __future__ import annotations

from typing import TextIO

from losslint.report import Report
from losslint.reporters import cell_prefix, in_file, printable

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, out: TextIO) -> None:
    for d in report.diagnostics:
        where = d.location
        row, column, end_row, end_column = in_file(where)  # a notebook: its JSON's line
        properties = ",".join(
            [
                f"file={_property(where.path)}",
                f"line={row}",
                f"col={column}",
                f"endLine={end_row}",
                f"endColumn={end_column}",
                f"title={_property(d.code)}",
            ]
        )
        out.write(f"::{COMMANDS[d.severity.value]} {properties}::{_data(f'{d.code} {cell_prefix(where)}{d.message}')}\n")
