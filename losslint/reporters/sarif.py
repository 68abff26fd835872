"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, TextIO

from losslint import DOCS_URL, __version__
from losslint.report import Location, Report
from losslint.reporters import unicode_only
from losslint.rules import RULES

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    return os.path.relpath(path).replace(os.sep, "/") if os.path.isabs(path) else path.replace(os.sep, "/")


def _physical(location: Location) -> Dict[str, Any]:
    return {
        "artifactLocation": {"uri": _uri(location.path), "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": location.row,
            "startColumn": location.column,
            "endLine": location.end_row,
            "endColumn": location.end_column,
        },
    }


def as_sarif(report: Report) -> Dict[str, Any]:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "helpUri": f"{DOCS_URL}#{rule.code.lower()}",
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
            "message": {"text": d.message},
            "locations": [{"physicalLocation": _physical(d.location)}],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(r.location), "message": {"text": r.message}}
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
                        "informationUri": DOCS_URL,
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
