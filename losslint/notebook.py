"""Jupyter notebooks: their code cells joined into one module, with a line map back.

IPython syntax (``%magic``, ``!shell``, ``%%cell`` magics, ``obj?`` and ``?obj`` help,
``/f x`` autocalls, automagic lines such as ``pip install torch``) and the
``from __future__`` imports a cell begins with (IPython compiles each cell alone) are
neutralised line by line where a statement starts, into
``pass  # !pip install torch`` with the line's indentation (a block whose only body it
is stays valid), so no line moves: a finding on module line L is cell C, line l. As
IPython does, a cell's leading blank lines and its first line's indentation are dropped.

A notebook that is not one nbformat 4 describes (a cell that is not an object, without
``cell_type``, a code cell without a string or list-of-strings ``source``, JSON nested
deeper than the decoder goes, a lone surrogate in the code) is refused with the reason:
``read_notebook`` never raises.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
"""Cell magics whose body is Python: only their first line is neutralised."""

AUTOMAGICS = frozenset({
    "cat", "cd", "conda", "cp", "env", "history", "load_ext", "ls", "mamba", "matplotlib", "micromamba", "mkdir",
    "mv", "pip", "pwd", "pylab", "reload_ext", "rm", "rmdir", "run", "set_env", "tensorflow_version", "time",
    "timeit", "uv", "who", "whos",
})  # fmt: skip
"""Line magics (and IPython's shell aliases) that IPython's automagic, on by default,
runs without ``%``: ``pip install torch``, ``ls ./data``; Colab's ``tensorflow_version``."""

_AUTOMAGIC = re.compile(r"^(?P<name>[A-Za-z_]\w*)[ \t]+(?P<rest>\S.*)$")
_NOT_AUTOMAGIC = re.compile(r"^[=,(\[]")
"""A rest that makes ``name rest`` Python to IPython (``cd = 3``: its ``AssignmentChecker``
runs ahead of automagic), or a call of the notebook's own function written with a space
(``run (x)``), which IPython calls instead of the magic."""
_FUTURE = re.compile(r"^from[ \t]+__future__[ \t]+import\b")

_HELP = re.compile(r"^%{0,2}[\w.*]+\?{1,2}\s*$")  # obj?  obj.attr??  np.*load*?  %magic?
_SHELL_ASSIGNMENT = re.compile(r"^(\s*[\w.,\s]+=\s*)[!%]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ESCAPES = ("!", "%", "?", "/", ",", ";")
"""What starts an IPython-only statement: shell, magic, help, and the autocall escapes."""


@dataclass
class Notebook:
    source: str  # the code cells, joined
    cells: List[Tuple[int, int]]  # module line - 1 -> (cell number over all cells, line in the cell)
    indents: Dict[int, str] = field(default_factory=dict)  # cell -> indentation IPython strips from it


def split_lines(text: str) -> List[str]:
    """Lines as Python's tokenizer ends them (``str.splitlines`` also splits at form
    feeds and U+2028, which may stand inside a line of valid code)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _source_text(source: object) -> Optional[str]:
    """A cell's source (a string or a list of strings, nbformat 4), or None."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return None


def _lines(source: object) -> List[str]:
    return split_lines(_source_text(source) or "")


class _Statements:
    """Follows brackets, strings and backslash continuations line by line, to tell
    whether a line starts a statement (only there is ``%`` a magic: ``(a\n % b)`` is
    Python's modulo, ``if (a\n    != b):`` a comparison)."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote = ""
        self.continued = False

    @property
    def at_start(self) -> bool:
        return self.depth == 0 and not self.quote and not self.continued

    def feed(self, line: str) -> None:
        self.continued = False
        escaped_end = False
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if self.quote:
                if c == "\\":
                    escaped_end = i == n - 1
                    i += 2
                elif line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = ""
                else:
                    i += 1
                continue
            if c == "#":
                break
            if c in "\"'":
                self.quote = c * 3 if line.startswith(c * 3, i) else c
                i += len(self.quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif c == "\\" and i == n - 1:
                self.continued = True
            i += 1
        if len(self.quote) == 1 and not escaped_end:
            self.quote = ""  # an unterminated string: Python reports it


def _neutralised(line: str) -> Optional[str]:
    """The line as Python with the same indentation when it is IPython-only syntax
    (``pass  # !pip install torch``: a block whose only body it is stays valid), else None."""
    stripped = line.lstrip(" \t")
    indent = line[: len(line) - len(stripped)]
    if not stripped:
        return None
    if stripped.startswith(_ESCAPES) or _HELP.match(stripped):
        return indent + "pass  # " + stripped
    automagic = _AUTOMAGIC.match(stripped)
    if automagic and automagic.group("name") in AUTOMAGICS and not _NOT_AUTOMAGIC.match(automagic.group("rest")):
        if not _is_python(stripped):  # ``time -= 1`` is Python: IPython sees the name ``time`` defined
            return indent + "pass  # " + stripped
    shell = _SHELL_ASSIGNMENT.match(line)
    if shell:  # files = !ls  ->  files = None  # !ls
        return shell.group(1) + "None  # " + line[shell.end() - 1 :]
    return None


def _is_python(line: str) -> bool:
    """Whether the line compiles by itself."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(line, "<line>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _dedented(lines: List[str], indent: str) -> List[str]:
    return [line[len(indent) :] if indent and line.startswith(indent) else line for line in lines] if indent else lines


def _cell_code(text: str) -> Tuple[List[str], str]:
    """A code cell's lines as Python, one for one, and the indentation removed from them
    (IPython drops a cell's leading blank lines and the first line's indentation)."""
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    indent = ""
    if first is not None:
        line = lines[first]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        lines = _dedented(lines, indent)
    whole_cell_magic = first is not None and lines[first].startswith("%%")
    python_body = whole_cell_magic and lines[first][2:].split(" ", 1)[0].strip() in PYTHON_CELL_MAGICS
    statements = _Statements()
    out = []
    command_continues = False  # a shell or magic line ending with a backslash goes on
    leading = True  # no statement yet but ``from __future__`` imports
    future_continues = False  # in the parentheses of one
    for index, line in enumerate(lines):
        if whole_cell_magic and (index <= first or not python_body) or command_continues:
            out.append("# " + line if line else line)
            command_continues = command_continues and line.endswith("\\")
            continue
        if future_continues or leading and _FUTURE.match(line):
            # IPython compiles each cell alone: a cell may begin with its own
            # ``from __future__`` imports, which the joined module may not
            out.append(("# " if future_continues else "pass  # ") + line)
            future_continues = (future_continues or "(" in line) and ")" not in line
            continue
        leading = leading and (not line.strip() or line.lstrip().startswith("#"))
        neutral = _neutralised(line) if statements.at_start else None
        if neutral is None:
            statements.feed(line)
        else:
            command_continues = line.endswith("\\")
        out.append(line if neutral is None else neutral)
    return out, indent


def read_notebook(data: bytes) -> Tuple[Optional[Notebook], Optional[str]]:
    """The notebook's code as one module, or the reason it cannot be read (never raises)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        return None, "invalid notebook: nested too deeply"
    except MemoryError:
        return None, "invalid notebook: too large to read"
    except (UnicodeDecodeError, ValueError) as error:
        return None, f"invalid notebook: not JSON ({error})"
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        nbformat = document.get("nbformat") if isinstance(document, dict) else None
        if isinstance(nbformat, int) and not isinstance(nbformat, bool) and nbformat < 4:
            return None, f"notebook format {nbformat} is not supported: convert it to nbformat 4 (jupyter nbconvert)"
        return None, "invalid notebook: no list of cells (nbformat 4 expected)"
    lines: List[str] = []
    cells: List[Tuple[int, int]] = []
    indents: Dict[int, str] = {}
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict):
            return None, f"invalid notebook: cell {number} is not an object"
        kind = cell.get("cell_type")
        if kind is None:
            return None, f"invalid notebook: cell {number} has no cell_type"
        if not isinstance(kind, str):
            return None, f"invalid notebook: cell {number} cell_type is not a string"
        if kind != "code":
            continue  # markdown and raw cells are not read
        if cell.get("source") is None:
            return None, f"invalid notebook: cell {number} has no source"
        text = _source_text(cell["source"])
        if text is None:
            return None, f"invalid notebook: cell {number} source is not a string or list of strings"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            character = ord(text[error.start])
            return None, f"invalid notebook: cell {number} source holds a lone surrogate (U+{character:04X}), not text"
        cell_lines, indent = _cell_code(text)
        if indent:
            indents[number] = indent
        for index, line in enumerate(cell_lines):
            lines.append(line)
            cells.append((number, index + 1))
    return Notebook("\n".join(lines) + "\n", cells, indents), None


class NotebookLayoutError(ValueError):
    """A fix cannot be written back into the notebook without changing more than the
    code it fixes."""


_LAYOUTS = [(indent, ascii) for indent in (1, 2, 4, None) for ascii in (False, True)]
"""json.dumps settings tried to reproduce a notebook's bytes (nbformat writes indent 1)."""


def replace_code(data: bytes, old_source: str, new_source: str) -> bytes:
    """The notebook with its joined code changed from ``old_source`` to ``new_source``:
    only the code cells whose lines change are rewritten; outputs, metadata, magics and
    the JSON layout (indent, key order, escapes, final newline) stay byte for byte."""
    notebook, problem = read_notebook(data)
    if notebook is None:
        raise NotebookLayoutError(problem or "invalid notebook")
    text = data.decode("utf-8-sig")
    document = json.loads(text)
    layout = next((l for l in _LAYOUTS if _dumps(document, l, text) == text), None)
    if layout is None:
        raise NotebookLayoutError("its JSON layout is not one losslint can reproduce byte for byte")
    cells = document["cells"]
    originals = {number: _lines(cells[number - 1].get("source")) for number, _ in notebook.cells}
    dedented = {number: _dedented(lines, notebook.indents.get(number, "")) for number, lines in originals.items()}
    old_lines, new_lines = split_lines(old_source), split_lines(new_source)
    if len(old_lines) != len(notebook.cells):
        raise NotebookLayoutError("the code to fix is not this notebook's")
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
        if any(dedented[number][notebook.cells[i][1] - 1] != old_lines[i] for i in range(i1, i2)):
            raise NotebookLayoutError("a fix would change an IPython magic line")
        indent = notebook.indents.get(number, "")  # IPython strips it: the new lines get it back
        rewritten[number].extend(indent + line if line.strip() else line for line in new_lines[j1:j2])
        changed.add(number)
    for number in sorted(changed):
        cell = cells[number - 1]
        source = cell.get("source")
        joined = _source_text(source) or ""
        new = "\n".join(rewritten[number]) + ("\n" if joined.endswith("\n") else "")
        cell["source"] = [part for part in re.split(r"(?<=\n)", new) if part] if isinstance(source, list) else new
    out = _dumps(document, layout, text)
    return (codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b"") + out.encode("utf-8")


def _dumps(document: object, layout: Tuple[Optional[int], bool], original: str) -> str:
    indent, ascii = layout
    out = json.dumps(document, indent=indent, ensure_ascii=ascii)
    return out + "\n" if original.endswith("\n") else out



_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\],:"]+', re.S)


@dataclass
class _Frame:
    kind: str  # "object" or "array"
    name: object  # the key or index it sits under in its parent
    index: int = 0  # an array: the element being read
    key: Optional[str] = None  # an object: the key whose value is being read
    expect_key: bool = True


def source_positions(data: bytes) -> Dict[int, List[Tuple[int, int]]]:
    """Where each code cell's lines are in the notebook file: cell number (over all
    cells, from 1) -> for each line of its source, (line in the file, column in the file
    where that line's text starts), 1-based; for reporters that point into the
    ``.ipynb`` file itself (SARIF, GitHub annotations). nbformat writes a ``source`` as a
    list of one-line strings, each on a line of the file; a ``source`` kept as one string
    has all its lines on that string's line. Empty when the JSON cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    found: Dict[int, List[Tuple[int, int]]] = {}
    stack: List[_Frame] = []
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        line += text.count("\n", last, start)
        last = start
        top = stack[-1] if stack else None
        if token in ("{", "["):
            name = (top.key if top.kind == "object" else top.index) if top is not None else None
            stack.append(_Frame("object" if token == "{" else "array", name))
        elif token in ("}", "]"):
            if stack:
                stack.pop()
        elif token == ",":
            if top is not None and top.kind == "array":
                top.index += 1
            elif top is not None:
                top.key, top.expect_key = None, True
        elif token == ":":
            if top is not None:
                top.expect_key = False
        elif top is not None and top.kind == "object" and top.expect_key:
            try:
                top.key = json.loads(token)
            except ValueError:
                return {}
        elif token.startswith('"'):
            cell = _source_cell(stack)
            if cell is not None:
                column = start - text.rfind("\n", 0, start) + 1  # after the opening quote
                try:
                    value = json.loads(token)
                except ValueError:
                    return {}
                found.setdefault(cell, []).extend((line, column) for _ in split_lines(value) or [""])
    return found


def _source_cell(stack: List[_Frame]) -> Optional[int]:
    """The cell number when the string being read is (part of) a cell's ``source``."""
    if len(stack) < 3 or stack[0].kind != "object" or stack[1].kind != "array" or stack[1].name != "cells":
        return None
    cell = stack[2]
    if cell.kind != "object":
        return None
    if len(stack) == 3 and cell.key == "source":
        return stack[1].index + 1
    if len(stack) == 4 and cell.key == "source" and stack[3].kind == "array":
        return stack[1].index + 1
    return None
