"""A JSON list of findings (SPEC section 4): a contract other tools read."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, TextIO

from losslint.report import Diagnostic, Location, Report
from losslint.reporters import unicode_only


def _position(location: Location) -> Dict[str, int]:
    return {"row": location.row, "column": location.column}


def as_dict(d: Diagnostic) -> Dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "filename": d.location.path,
        "cell": d.location.cell,
        "location": _position(d.location),
        "end_location": {"row": d.location.end_row, "column": d.location.end_column},
        "related": [
            {"filename": r.location.path, "cell": r.location.cell, "location": _position(r.location), "message": r.message}
            for r in d.related
        ],
        "fix": _fix(d),
        # only a non-torch finding carries it, so torch findings' output is unchanged
        **({"framework": d.framework} if d.framework else {}),
    }


def _fix(d: Diagnostic) -> Optional[Dict[str, Any]]:
    """As ruff: applicability, message and the edits (one replacement per file)."""
    if d.fix is None:
        return None
    return {
        "applicability": "safe" if d.fix.safe else "unsafe",
        "message": d.fix.message,
        "edits": [
            {
                "filename": c.location.path,
                "cell": c.location.cell,
                "location": _position(c.location),
                "end_location": _position(c.end_location),
                "content": c.content,
            }
            for c in d.changes
        ],
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(unicode_only([as_dict(d) for d in report.diagnostics]), out, indent=2, sort_keys=False)
    out.write("\n")
