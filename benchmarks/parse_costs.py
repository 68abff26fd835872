"""What parsing costs, on any folder of Python files: the figures behind the design.

    python benchmarks/parse_costs.py path/to/repo

Prints lines per second for reading, CPython's ast.parse, losslint's lowering of the
ast, libcst's parse_module, libcst with an empty CSTVisitor walk and libcst with
PositionProvider. losslint analyses CPython's ast (parsed once per file, which the
syntax check needs anyway) and parses with libcst only the files a fix changes; these
numbers say why.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path
from typing import Callable, List

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from losslint.analysis.lower import lower
from losslint.analysis.summary import names_a_loss


def measure(name: str, sources: List[str], lines: int, work: Callable[[str], object]) -> None:
    start = time.perf_counter()
    for source in sources:
        work(source)
    seconds = time.perf_counter() - start
    print(f"{name:34s} {seconds:8.2f} s {lines / max(seconds, 1e-9):12,.0f} lines/s")


def main(root: str) -> None:
    files = sorted(Path(root).rglob("*.py"))
    sources = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    lines = sum(s.count("\n") for s in sources)
    relevant = sum(1 for s in sources if names_a_loss(s.encode()))
    print(f"{len(files)} files, {lines:,} lines; {relevant} files name a loss")
    measure("read (already in memory)", sources, lines, lambda s: None)
    measure("ast.parse", sources, lines, ast.parse)
    measure("ast.parse + lower (losslint)", sources, lines, lambda s: lower(ast.parse(s)))
    measure("libcst parse_module", sources, lines, cst.parse_module)
    measure("libcst parse + empty CSTVisitor", sources, lines, lambda s: cst.parse_module(s).visit(cst.CSTVisitor()))
    measure(
        "libcst parse + PositionProvider",
        sources,
        lines,
        lambda s: MetadataWrapper(cst.parse_module(s), unsafe_skip_copy=True).resolve(PositionProvider),
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
