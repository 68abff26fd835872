"""``--statistics``: findings per rule, then what the loss-call coverage was, per reason."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from losslint.report import Report
from losslint.reporters.concise import summary_line


def write(report: Report, out: TextIO, as_json: bool = False) -> None:
    counts = Counter((d.code, d.name) for d in report.diagnostics)
    if as_json:
        import json

        data = {
            "findings": [{"code": code, "name": name, "count": count} for (code, name), count in sorted(counts.items())],
            "files": report.files,
            "loss_calls": report.loss_calls,
            "resolved": report.resolved,
            "unresolved": report.unresolved,
            "unresolved_by_reason": dict(sorted(report.unresolved_by_reason.items())),
        }
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    for (code, name), count in sorted(counts.items()):
        out.write(f"{count:>6}  {code}  {name}\n")
    out.write(f"\nloss calls: {report.loss_calls} ({report.resolved} resolved, {report.unresolved} unresolved)\n")
    for reason, count in sorted(report.unresolved_by_reason.items(), key=lambda item: (-item[1], item[0])):
        out.write(f"{count:>6}  unresolved: {reason}\n")
    out.write(summary_line(report) + "\n")
