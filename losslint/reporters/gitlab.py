"""GitLab Code Quality (``artifacts: reports: codequality``): the subset of the Code
Climate spec GitLab documents, one issue per finding.

Paths are relative to the working directory (GitLab wants them relative to the
repository root, where a CI job runs); a notebook finding points at the line of the
``.ipynb`` file and names the cell in its description. The fingerprint identifies a
finding across runs: it hashes the rule, the path, the message and the text of the
line, not the line number, so a finding that moves with the code keeps it (GitLab then
shows it as unchanged); identical findings on identical lines are told apart by their
order."""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, Dict, List, TextIO

from losslint.report import Report
from losslint.reporters import cell_prefix, in_file, unicode_only

_LINE_NUMBERS = re.compile(r"(?<=\.py|ynb):(?:cell \d+:)?\d+(?::\d+)?")
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}
"""GitLab's scale is info, minor, major, critical, blocker; a finding that crashes the
run is major (critical and blocker are for security-grade problems)."""


def relative(path: str) -> str:
    shown = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return shown.replace(os.sep, "/")


def as_gitlab(report: Report) -> List[Dict[str, Any]]:
    issues: List[Dict[str, Any]] = []
    seen: Dict[str, int] = {}
    for d in report.diagnostics:
        where = d.location
        row, column, _, _ = in_file(where)
        lines = report.sources.get(where.path, [])
        text_row = where.source_row or where.row
        line_text = lines[text_row - 1].strip() if 1 <= text_row <= len(lines) else ""
        message = _LINE_NUMBERS.sub("", d.message)  # the related sites' lines move with the code too
        key = "\0".join([d.code, relative(where.path), message, line_text])
        occurrence = seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}\0{occurrence}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
        issues.append(
            {
                "description": f"{d.code} {cell_prefix(where)}{d.message}",
                "check_name": f"losslint/{d.code}/{d.name}",
                "fingerprint": fingerprint,
                "severity": SEVERITIES[d.severity.value],
                "location": {"path": relative(where.path), "positions": {"begin": {"line": row, "column": column}}},
            }
        )
    return issues


def write(report: Report, out: TextIO) -> None:
    json.dump(unicode_only(as_gitlab(report)), out, indent=2)
    out.write("\n")
