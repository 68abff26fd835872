"""One self-contained HTML page (``--output-format html > report.html``): the findings
grouped by file, each with the code of the loss call and of the activation, the fix as a
diff where one is offered, and the rule's loss-value demo at the width found as a table
and an inline SVG plot (the NumPy reference); then the coverage of loss calls. Inline
CSS, no script, nothing fetched: it opens anywhere, offline. Everything taken from the
linted tree (paths, messages, code) is escaped."""

from __future__ import annotations

import difflib
import html
from typing import Dict, List, Optional, TextIO

from losslint.report import Diagnostic, Report
from losslint.reporters import printable
from losslint.reporters.concise import position, summary_line
from losslint.reporters.full import _snippet

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.finding{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0}
.code{font-weight:bold;font-family:monospace}.error{color:#b00020}.warning{color:#a05a00}.info{color:#00638a}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font-size:.85em;margin:.3em 0}
.diff .add{color:#116329;background:#dafbe1}.diff .del{color:#82071e;background:#ffebe9}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.where{font-family:monospace}.muted{color:#666}svg{display:block;margin:.4em 0}
"""
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
WIDTH, HEIGHT, MARGIN = 420, 220, 40


def _e(text: str) -> str:
    return html.escape(printable(text), quote=True)


def _code_block(report: Report, d_location, label: str = "") -> str:  # type: ignore[no-untyped-def]
    lines = _snippet(report.sources.get(d_location.path, []), d_location, label)
    return f"<pre>{_e(chr(10).join(lines))}</pre>" if lines else ""


def _diff(report: Report, d: Diagnostic) -> str:
    """The fix's changes as a unified diff of each file they touch."""
    by_path: Dict[str, list] = {}
    for change in d.changes:
        by_path.setdefault(change.location.path, []).append(change)
    parts: List[str] = []
    for path, changes in sorted(by_path.items()):
        if any(c.location.cell is not None for c in changes):
            return ""  # a notebook's cells: the fix's message says what it does
        text = report.texts.get(path)
        lines = text.splitlines(keepends=True) if text is not None else [line + "\n" for line in report.sources.get(path, [])]
        if not lines:
            return ""
        after = list(lines)
        for c in sorted(changes, key=lambda c: (c.location.row, c.location.column), reverse=True):
            start, end = c.location, c.end_location
            if not (1 <= start.row <= len(after) and 1 <= end.row <= len(after)):
                return ""
            head = after[start.row - 1][: start.column - 1]
            tail = after[end.row - 1][end.column - 1 :]
            after[start.row - 1 : end.row] = (head + c.content + tail).splitlines(keepends=True) or [""]
        parts.extend(difflib.unified_diff(lines, after, f"a/{path}", f"b/{path}", n=2))
    rows = []
    for line in "".join(parts).splitlines():
        kind = "add" if line.startswith("+") and not line.startswith("+++") else "del" if line.startswith("-") and not line.startswith("---") else ""
        rows.append(f'<span class="{kind}">{_e(line)}</span>' if kind else _e(line))
    return f'<pre class="diff">{chr(10).join(rows)}</pre>' if rows else ""


def _number(value: float) -> str:
    return f"{value:.1f}"


def _svg(curve) -> str:  # type: ignore[no-untyped-def]
    """The demo's loss curves as an SVG line plot with axes, ticks and a legend."""
    xs = curve.xs
    values = [y for ys in curve.series.values() for y in ys if y == y and abs(y) != float("inf")]
    if len(xs) < 2 or not values:
        return ""
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(0.0, min(values)), max(values)
    if y1 == y0:
        y1 = y0 + 1.0
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def px(x: float) -> float:
        return MARGIN + (x - x0) / (x1 - x0) * inner_w

    def py(y: float) -> float:
        return HEIGHT - MARGIN - (y - y0) / (y1 - y0) * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 20 * len(curve.series)}" role="img" aria-label="{_e(curve.label)}">',
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#333"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#333"/>',
        f'<text x="{MARGIN - 4}" y="{_number(py(y1) + 4)}" font-size="10" text-anchor="end">{y1:.2f}</text>',
        f'<text x="{MARGIN - 4}" y="{_number(py(y0) + 4)}" font-size="10" text-anchor="end">{y0:.2f}</text>',
        f'<text x="{MARGIN}" y="{HEIGHT - MARGIN + 14}" font-size="10" text-anchor="middle">{x0:g}</text>',
        f'<text x="{WIDTH - MARGIN}" y="{HEIGHT - MARGIN + 14}" font-size="10" text-anchor="middle">{x1:g}</text>',
        f'<text x="{WIDTH / 2:g}" y="{HEIGHT - MARGIN + 26}" font-size="11" text-anchor="middle">{_e(curve.label)}</text>',
        f'<text x="12" y="{HEIGHT / 2:g}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {HEIGHT / 2:g})">loss</text>',
    ]
    for index, (name, ys) in enumerate(curve.series.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{_number(px(x))},{_number(py(y))}" for x, y in zip(xs, ys) if y == y and abs(y) != float("inf")
        )
        dash = ' stroke-dasharray="5 3"' if index else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>')
        legend_y = HEIGHT + 8 + 20 * index
        parts.append(f'<line x1="{MARGIN}" y1="{legend_y}" x2="{MARGIN + 24}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{MARGIN + 30}" y="{legend_y + 4}" font-size="11">{_e(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _demo(d: Diagnostic) -> str:
    from losslint.reference.demos import demo  # numpy only when this format is used

    example = demo(d.code, d.width, d.framework)
    if example is None:
        return ""
    rows = "".join(
        f"<tr><td>{_e(r.pipeline)}</td><td class=num>{'' if r.loss is None else f'{r.loss:.4f}'}</td>"
        f"<td class=num>{'' if r.grad_norm is None else f'{r.grad_norm:.4f}'}</td><td>{_e(r.note)}</td></tr>"
        for r in example.rows
    )
    table = (
        f"<table><tr><th>pipeline</th><th>loss</th><th>‖∂loss/∂logits‖</th><th>note</th></tr>{rows}</table>" if rows else ""
    )
    plot = _svg(example.curve) if example.curve is not None else ""
    return (
        f'<details open class="demo"><summary>demo: {_e(example.summary)}</summary>'
        f'<p class="muted">{_e(example.setup)}</p>{table}{plot}</details>'
    )


def _finding(report: Report, d: Diagnostic) -> str:
    severity = d.severity.value
    parts = [
        f'<div class="finding {severity}-finding" id="{_e(d.code)}-{_e(position(d.location))}">',
        f'<p><span class="where">{_e(position(d.location))}</span> <span class="code {severity}">{_e(d.code)}</span> '
        f'<span class="{severity}">[{severity}]</span> {_e(d.message)}</p>',
        _code_block(report, d.location),
    ]
    for related in d.related:
        parts.append(f'<p><span class="where">{_e(position(related.location))}</span>: {_e(related.message)}</p>')
        parts.append(_code_block(report, related.location))
    if d.fix is not None:
        kind = "fix" if d.fix.safe else "unsafe fix" + ("" if report.unsafe_fixes else " (with --unsafe-fixes)")
        parts.append(f"<p><b>{_e(kind)}</b>: {_e(d.fix.message)}</p>")
        parts.append(_diff(report, d))
    elif d.no_fix:
        parts.append(f'<p class="muted">{_e(d.no_fix)}</p>')
    parts.append(_demo(d))
    parts.append(f'<p class="muted">see: <code>losslint --explain {_e(d.code)}</code></p></div>')
    return "\n".join(part for part in parts if part)


def _coverage(report: Report) -> str:
    rows = [
        ("files", report.files),
        ("loss calls", report.loss_calls),
        ("resolved", report.resolved),
        ("unresolved", report.unresolved),
    ]
    rows += [(f"unresolved: {reason}", count) for reason, count in sorted(report.unresolved_by_reason.items())]
    body = "".join(f"<tr><td>{_e(name)}</td><td class=num>{count}</td></tr>" for name, count in rows)
    return f'<h2 id="coverage">Coverage</h2><table class="coverage">{body}</table>'


def write(report: Report, out: TextIO, title: Optional[str] = None) -> None:
    by_file: Dict[str, List[Diagnostic]] = {}
    for d in report.diagnostics:
        by_file.setdefault(d.location.path, []).append(d)
    out.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
    out.write('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    out.write(f"<title>{_e(title or 'losslint report')}</title>\n<style>{STYLE}</style></head><body>\n")
    out.write(f"<h1>losslint report</h1>\n<p class=\"summary\">{_e(summary_line(report))}</p>\n")
    for path, diagnostics in by_file.items():
        count = len(diagnostics)
        out.write(f'<section class="file"><h2>{_e(path)} <span class="muted">({count} finding{"s" if count != 1 else ""})</span></h2>\n')
        for d in diagnostics:
            out.write(_finding(report, d) + "\n")
        out.write("</section>\n")
    out.write(_coverage(report) + "\n</body></html>\n")
