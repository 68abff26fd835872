"""Jupyter notebooks: their code cells joined into one module, with a line map back.

IPython syntax (``%magic``, ``!shell``, ``%%cell`` magics, ``obj?``) is neutralised
line by line, so no line moves: a finding on module line L is cell C, line l.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

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


class NotebookLayoutError(ValueError):
    """A fix cannot be written back into the notebook without changing more than the
    code it fixes."""


_LAYOUTS = [(indent, ascii) for indent in (1, 2, 4, None) for ascii in (False, True)]
"""json.dumps settings tried to reproduce a notebook's bytes (nbformat writes indent 1)."""


def replace_code(data: bytes, old_source: str, new_source: str) -> bytes:
    """The notebook with its joined code changed from ``old_source`` to ``new_source``:
    only the code cells whose lines change are rewritten; outputs, metadata, magics and
    the JSON layout (indent, key order, escapes, final newline) stay byte for byte."""
    text = data.decode("utf-8-sig")
    document = json.loads(text)
    layout = next((l for l in _LAYOUTS if _dumps(document, l, text) == text), None)
    if layout is None:
        raise NotebookLayoutError("its JSON layout is not one losslint can reproduce byte for byte")
    notebook, problem = read_notebook(data)
    if notebook is None:
        raise NotebookLayoutError(problem or "invalid notebook")
    cells = document["cells"]
    originals = {number: _lines(cells[number - 1].get("source")) for number, _ in notebook.cells}
    old_lines, new_lines = old_source.splitlines(), new_source.splitlines()
    rewritten: Dict[int, List[str]] = {number: [] for number in originals}
    changed = set()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            for i in range(i1, i2):
                number, row = notebook.cells[i]
                rewritten[number].append(originals[number][row - 1])
            continue
        touched = {notebook.cells[i][0] for i in range(i1, i2)} or {notebook.cells[max(i1 - 1, 0)][0]}
        if len(touched) != 1:
            raise NotebookLayoutError("a fix would span two cells")
        number = touched.pop()
        if any(originals[number][notebook.cells[i][1] - 1] != old_lines[i] for i in range(i1, i2)):
            raise NotebookLayoutError("a fix would change an IPython magic line")
        rewritten[number].extend(new_lines[j1:j2])
        changed.add(number)
    for number in sorted(changed):
        cell = cells[number - 1]
        source = cell.get("source")
        joined = "".join(source) if isinstance(source, list) else (source or "")
        new = "\n".join(rewritten[number]) + ("\n" if joined.endswith("\n") else "")
        cell["source"] = new.splitlines(keepends=True) if isinstance(source, list) else new
    out = _dumps(document, layout, text)
    return (codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b"") + out.encode("utf-8")


def _dumps(document: object, layout: Tuple[Optional[int], bool], original: str) -> str:
    indent, ascii = layout
    out = json.dumps(document, indent=indent, ensure_ascii=ascii)
    return out + "\n" if original.endswith("\n") else out
