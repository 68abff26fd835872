"""Jupyter notebooks: their code cells joined into one module, with a line map back.

IPython syntax (``%magic``, ``!shell``, ``%%cell`` magics, ``obj?``) is neutralised
line by line, so no line moves: a finding on module line L is cell C, line l.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
"""Cell magics whose body is Python: only their first line is neutralised."""

_HELP = re.compile(r"^\s*[\w.]+\?{1,2}\s*$")
_SHELL_ASSIGNMENT = re.compile(r"^(\s*[\w.,\s]+=\s*)[!%]")


@dataclass
class Notebook:
    source: str  # the code cells, joined
    cells: List[Tuple[int, int]]  # module line - 1 -> (cell number over all cells, line in the cell)


def _lines(source: Union[str, List[str], None]) -> List[str]:
    text = "".join(source) if isinstance(source, list) else (source or "")
    return text.splitlines()


def _neutralised(line: str) -> str:
    """The line as Python the analysis can parse; IPython-only syntax becomes a comment."""
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")) or _HELP.match(line):
        return line[: len(line) - len(stripped)] + "# " + stripped
    shell = _SHELL_ASSIGNMENT.match(line)
    if shell:  # files = !ls  ->  files = None  # !ls
        return shell.group(1) + "None  # " + line[shell.end() - 1 :]
    return line


def read_notebook(data: bytes) -> Tuple[Optional[Notebook], Optional[str]]:
    """The notebook's code as one module, or the reason it cannot be read."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return None, f"invalid notebook: not JSON ({error})"
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        nbformat = document.get("nbformat") if isinstance(document, dict) else None
        if nbformat is not None and nbformat < 4:
            return None, f"notebook format {nbformat} is not supported: convert it to nbformat 4 (jupyter nbconvert)"
        return None, "invalid notebook: no list of cells (nbformat 4 expected)"
    lines: List[str] = []
    cells: List[Tuple[int, int]] = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        cell_lines = _lines(cell.get("source"))
        whole_cell_magic = bool(cell_lines) and cell_lines[0].startswith("%%")
        python_body = whole_cell_magic and cell_lines[0][2:].split(" ", 1)[0].strip() in PYTHON_CELL_MAGICS
        for index, line in enumerate(cell_lines):
            if whole_cell_magic and (index == 0 or not python_body):
                line = "# " + line
            else:
                line = _neutralised(line)
            lines.append(line)
            cells.append((number, index + 1))
    return Notebook("\n".join(lines) + "\n", cells), None
