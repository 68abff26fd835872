"""reviewdog's Diagnostic Format (``reviewdog -f=rdjson``): one DiagnosticResult.

Columns are 1-based UTF-8 byte counts, as the format says (``a𐐀b``: ``b`` is column
6); ranges end exclusively. A safe or unsafe fix of a ``.py`` file becomes a
suggestion (reviewdog shows it as a suggested change); a notebook finding points at
the line of the ``.ipynb`` file with the cell named in its message, and carries no
suggestion (its edits are in the cell's code, not the file's JSON)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, TextIO

from losslint import reporters
from losslint.report import Diagnostic, Location, Report
from losslint.reporters import cell_prefix, in_file, unicode_only

SEVERITIES = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _byte_column(lines: List[str], row: int, column: int) -> int:
    """The 1-based character ``column`` of line ``row`` as a 1-based UTF-8 byte column."""
    if not 1 <= row <= len(lines):
        return column
    prefix = lines[row - 1][: column - 1]
    return len(prefix.encode("utf-8", "surrogateescape")) + 1 + max(column - 1 - len(prefix), 0)


def _range(report: Report, location: Location) -> Dict[str, Any]:
    if location.cell is not None:  # the notebook file's own line; its JSON is what reviewdog reads
        row, column, end_row, end_column = in_file(location)
        return {"start": {"line": row, "column": column}, "end": {"line": end_row, "column": end_column}}
    lines = report.sources.get(location.path, [])
    return {
        "start": {"line": location.row, "column": _byte_column(lines, location.row, location.column)},
        "end": {"line": location.end_row, "column": _byte_column(lines, location.end_row, location.end_column)},
    }


def _suggestions(report: Report, d: Diagnostic) -> Optional[List[Dict[str, Any]]]:
    if d.fix is None or not d.changes or any(c.location.path != d.location.path or c.location.cell is not None for c in d.changes):
        return None
    text = report.texts.get(d.location.path)
    lines = text.splitlines() if text is not None else report.sources.get(d.location.path, [])
    return [
        {
            "range": {
                "start": {"line": c.location.row, "column": _byte_column(lines, c.location.row, c.location.column)},
                "end": {"line": c.end_location.row, "column": _byte_column(lines, c.end_location.row, c.end_location.column)},
            },
            "text": c.content,
        }
        for c in d.changes
    ]


def as_rdjson(report: Report) -> Dict[str, Any]:
    home = reporters.DOCUMENTED_HOME
    source: Dict[str, Any] = {"name": "losslint", **({"url": home} if home else {})}
    diagnostics = []
    for d in report.diagnostics:
        item: Dict[str, Any] = {
            "message": cell_prefix(d.location) + d.message,
            "location": {"path": d.location.path, "range": _range(report, d.location)},
            "severity": SEVERITIES[d.severity.value],
            "source": source,
            "code": {"value": d.code, **({"url": f"{home}#what-it-finds"} if home else {})},
        }
        suggestions = _suggestions(report, d) if report.fixable(d) else None
        if suggestions:
            item["suggestions"] = suggestions
        if d.related:
            item["related_locations"] = [
                {"message": cell_prefix(r.location) + r.message, "location": {"path": r.location.path, "range": _range(report, r.location)}}
                for r in d.related
            ]
        diagnostics.append(item)
    return {"source": source, "diagnostics": diagnostics}


def write(report: Report, out: TextIO) -> None:
    json.dump(unicode_only(as_rdjson(report)), out, indent=2)
    out.write("\n")
