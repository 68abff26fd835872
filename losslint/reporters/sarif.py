"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, TextIO
from urllib.parse import quote

from losslint import __version__
from losslint.report import Location, Report
from losslint import reporters
from losslint.reporters import cell_prefix, in_file, unicode_only
from losslint.rules import RULES

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    """A relative URI reference: the path with ``/`` separators, percent-encoded (RFC
    3986: ``train #1.py`` is ``train%20%231.py``, not a fragment)."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    # a name that is not UTF-8 (os.fsdecode's surrogates) is encoded as its bytes: %E9
    return quote(relative.replace(os.sep, "/").encode("utf-8", "surrogateescape"), safe="/")


def _physical(location: Location) -> Dict[str, Any]:
    row, column, end_row, end_column = in_file(location)  # a notebook: the line of its JSON
    return {
        "artifactLocation": {"uri": _uri(location.path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column},
    }


def as_sarif(report: Report) -> Dict[str, Any]:
    home = reporters.DOCUMENTED_HOME
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {"text": rule.doc, "markdown": rule.doc},
            **({"helpUri": f"{home}#what-it-finds"} if home else {}),
            "defaultConfiguration": {"level": LEVELS[rule.severity.value], "enabled": rule.default},
        }
        for rule in RULES
    ]
    index = {rule.code: i for i, rule in enumerate(RULES)}
    results = []
    for d in report.diagnostics:
        result: Dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": LEVELS[d.severity.value],
            "message": {"text": cell_prefix(d.location) + d.message},
            "locations": [{"physicalLocation": _physical(d.location)}],
        }
        if d.framework:  # only a non-torch finding: torch findings' output is unchanged
            result["properties"] = {"framework": d.framework}
        if d.related:
            result["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(r.location), "message": {"text": cell_prefix(r.location) + r.message}}
                for i, r in enumerate(d.related, start=1)
            ]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "losslint",
                        "version": __version__,
                        **({"informationUri": home} if home else {}),
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(unicode_only(as_sarif(report)), out, indent=2)
    out.write("\n")
