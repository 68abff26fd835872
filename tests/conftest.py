"""Shared helpers: lint source text in memory and compare findings with markers."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import pytest

from losslint.report import Diagnostic
from losslint.runner import lint
from losslint.selection import resolve

MARKER = re.compile(r"#\s*expect:(?P<codes>(?:\s*(?:expect:)?\s*LL\d{3})+)")


def outcome(report) -> tuple:
    """What a report says: its findings (place, code, message, related messages), counts
    and notes; two runs that must agree compare these."""
    return (
        [(d.location.path, d.location.row, d.code, d.message, [r.message for r in d.related]) for d in report.diagnostics],
        report.loss_calls,
        report.unresolved,
        report.notes,
    )


def marked_codes(line: str) -> List[str]:
    """Codes of a ``# expect: LL101`` (or ``# expect: LL101 expect: LL111``) comment."""
    match = MARKER.search(line)
    return re.findall(r"LL\d{3}", match.group("codes")) if match else []


def lint_sources(sources: Dict[str, str], select: str = "ALL") -> List[Diagnostic]:
    """Lint in-memory files (path -> source) with the given selection, without LL900
    (it reports on the run's coverage, which tests/test_coverage.py checks)."""
    encoded = {path: textwrap.dedent(code).encode() for path, code in sources.items()}
    return lint([], resolve([select], ignore=["LL900"]), encoded).diagnostics


def findings(code: str, select: str = "ALL") -> Set[Tuple[str, int]]:
    """(code, line) of every finding in one snippet."""
    return {(d.code, d.location.row) for d in lint_sources({"snippet.py": code}, select)}


def expected(code: str) -> Set[Tuple[str, int]]:
    """(code, line) of every ``# expect: LLnnn`` marker in a snippet."""
    lines = textwrap.dedent(code).splitlines()
    return {(c, i) for i, line in enumerate(lines, start=1) for c in marked_codes(line)}


def check_invalid(code: str) -> None:
    marks = expected(code)
    assert marks, "an invalid case must mark where its finding goes"
    assert findings(code) == marks


def check_valid(code: str) -> None:
    """No finding, except those of other rules the snippet marks."""
    assert findings(code) == expected(code)


@pytest.fixture
def lint_one():
    return lambda code, select="ALL": lint_sources({"snippet.py": code}, select)


def reported_and_marked(folder: Path, scripts: Sequence[Path]) -> Tuple[Set[Tuple[str, str, int]], Set[Tuple[str, str, int]]]:
    """(file name, code, row) of every finding ``losslint FOLDER --select ALL`` reports, and
    of every ``# expect: LLnnn`` marker in ``scripts``: an examples folder's two sets."""
    from click.testing import CliRunner

    from losslint.cli import main

    result = CliRunner().invoke(main, [str(folder), "--select", "ALL", "--no-cache", "--output-format", "json"])
    found = {(Path(d["filename"]).name, d["code"], d["location"]["row"]) for d in json.loads(result.output)}
    expected = {
        (p.name, code, row)
        for p in scripts
        for row, line in enumerate(p.read_text().splitlines(), start=1)
        for code in marked_codes(line)
    }
    return found, expected
