"""Read one file into a summary: decode, parse, lower; and which files are entry points.

Order matters for speed and safety:
1. CPython's own parser (``ast``) parses every file: it gives the LL000 message and,
   unlike libcst's native parser, refuses cleanly the pathologically nested inputs that
   could crash the whole process. The tree is then compiled (``check``): what the
   compiler refuses after parsing ('return' outside function, a duplicate argument,
   an unknown ``__future__`` feature, ...) is an LL000 too, as for ``python -m py_compile``;
2. the file is lowered from that same tree, with the position of every site, so no
   file is parsed twice (one that is only imported included) and a report needs no
   second parse. libcst parses a file only when a fix is checked or applied
   (``losslint.fixer``);
3. ``names_a_loss`` (a regex over the bytes: the losses) and the outline the lowering
   keeps beside the IR (a softmax without ``dim`` or next to a layer of width 1, the
   imports) let the runner choose its entry points without unpickling any IR
   (``runner._entry_points``); the other files are read when an import leads there.

Whatever CPython compiles is analysed: the lowering, the pickling of the IR and the
interpreter recurse as deep as the code nests (thousands of levels in valid generated
code: ``elif`` chains, ``a.b.c...``, ``f()()()...``), which Python's default recursion
limit does not allow. A file whose lowering hits the limit is lowered again in a thread
with a large stack and a raised limit (``deep``); the interpreter always runs in one.
"""

from __future__ import annotations

import ast
import io
import pickle
import re
import sys
import threading
import tokenize
import types
import warnings
import zlib
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple, TypeVar

from losslint.analysis import ir

MAX_FILE_BYTES = 2_000_000
"""Larger files are reported (LL000) instead of parsed: generated code, not worth a parse."""


def names_a_loss(data: bytes) -> bool:
    """Whether the bytes name a loss the knowledge files know (``tables.RELEVANT``,
    derived from them): a file that names none can hold a finding of the default rules
    only through a softmax (``ir.Outline.standalone``), or through a file that does."""
    from losslint.analysis import tables

    return tables.RELEVANT.search(data)


@dataclass(frozen=True)
class Span:
    """1-based line and column of a node's start and end, plus its first source line."""

    row: int
    column: int
    end_row: int
    end_column: int
    snippet: str


@dataclass
class ParseFailure:
    """Why a file could not be analysed, and where (LL000); ``internal``: a bug in
    losslint, reported as an internal error (exit status 2), never cached."""

    message: str
    row: int = 1
    column: int = 1
    internal: bool = False


NOTEBOOK_SUFFIX = ".ipynb"
"""As ``losslint.files.NOTEBOOK_SUFFIX`` (which imports this module): a notebook's code."""

LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Where Python's tokenizer ends a line (``str.splitlines`` also splits at form feeds)."""


class FileSummary:
    """One analysed file. Its IR comes from worker processes and from the cache pickled
    (``blob``) and is unpickled only when the analysis reads it: many files of a large
    project are only checked, never read. ``module`` is None for a huge file that
    names no loss. ``lazy``: the file parsed and compiled, and is lowered when the
    analysis first reads it (``summarize``: most files of a large project are never
    read); ``lowered_late`` says it was."""

    def __init__(
        self,
        path: str,
        text: str,
        module: Optional[ir.Module] = None,
        blob: Optional[bytes] = None,
        outline: Optional[ir.Outline] = None,
        lazy: bool = False,
    ) -> None:
        self.path = path
        self._packed = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        self.size = len(text)  # in characters
        self._module = module
        self._blob = blob
        self.outline = outline or (module.outline if module is not None else ir.Outline())
        self._lines: Optional[List[str]] = None
        self.lazy = lazy and module is None and blob is None
        self.lowered_late = False
        self._too_deep = False  # the IR nests deeper than pickle goes

    @property
    def text(self) -> str:
        """The file's text, held compressed: it is read for the few files with a finding, a
        fix or a lowering left to do, and a large repository's texts took more memory
        than the IR the analysis holds (diffusers: 78 MB as strings, 12 MB packed)."""
        return zlib.decompress(self._packed).decode("utf-8", "surrogatepass")

    @property
    def module(self) -> Optional[ir.Module]:
        if self._module is None and self._blob is not None:
            self._module = pickle.loads(self._blob)
            self._blob = None  # pickled again only if a cache entry needs it
        elif self._module is None and self.lazy:
            self.lazy = False
            self._module = lower_text(self.text, self.path)
            self.lowered_late = self._module is not None
        return self._module

    def peek(self) -> Optional[ir.Module]:
        """The IR, without holding it (it is unpickled again when read): a scan of every
        file's IR then holds one file's at a time, not the whole project's (diffusers:
        330 MB for the 1,778 files that import a loss). A lazy file is lowered and kept
        pickled, as the cache stores it."""
        if self._module is None and self.lazy:
            module = self.module
            if self.blob is not None:  # held only when too deep to pickle
                self._module = None
            return module
        if self._module is None and self._blob is not None:
            return pickle.loads(self._blob)
        return self.module

    @property
    def blob(self) -> Optional[bytes]:
        """The pickled IR; None without IR, or when it nests deeper than pickle goes (see
        ``pickled``): the cache then stores the file to be lowered again when read."""
        if self._blob is None and self._module is not None and not self._too_deep:
            self._blob = pickled(self._module)
            self._too_deep = self._blob is None
        return self._blob

    @property
    def unpicklable(self) -> bool:
        """The IR is held and nests too deep to pickle (``blob`` is None)."""
        return self._module is not None and self.blob is None

    def lowered(self, blob: bytes) -> None:
        """A lazy summary's IR, lowered elsewhere (a worker process) and pickled."""
        if self.lazy:
            self.lazy = False
            self._blob = blob
            self.lowered_late = True

    def release_blob(self) -> None:
        """Forget the pickled IR while the IR itself is held (both would double the memory)."""
        if self._module is not None:
            self._blob = None

    def span(self, ordinal: int) -> Span:
        """Where site ``ordinal`` is, in characters."""
        assert self.module is not None
        row, start, end_row, end = self.module.positions[ordinal]
        lines = self.lines()
        line = lines[row - 1] if row - 1 < len(lines) else ""
        column = _column(line, start)
        end_column = _column(lines[end_row - 1], end) if end_row - 1 < len(lines) else end
        stop = end_column if end_row == row else None
        return Span(row, column + 1, end_row, end_column + 1, _snippet(line, column, stop))

    def lines(self) -> List[str]:
        if self._lines is None:
            self._lines = LINE_BREAK.split(self.text)
        return self._lines


def pickled(module: ir.Module) -> Optional[bytes]:
    """The IR pickled, or None when it nests deeper than pickle goes: pickle recurses
    once per level of nesting, and from Python 3.12 its C code has a limit of its own
    that no recursion limit raises (about 750 levels on 3.12, 5,000 on 3.13)."""
    try:
        return deep_if_needed(pickle.dumps, module, pickle.HIGHEST_PROTOCOL)
    except RecursionError:
        return None


def argument_span(lines: List[str], call: Span, position: int, keyword: str, part: Any = None) -> Optional[Span]:
    """Where one argument of the call at ``call`` is (``keyword=value``, or the value at
    ``position``; with ``part``, its item at that index of a list or tuple, or under that
    key of a dict): a finding about what a call was given points there (Keras's
    ``compile(loss=...)``). None when the call's text does not parse on its own or the
    argument is not there (``**kwargs``)."""
    if not 1 <= call.row <= call.end_row <= len(lines):
        return None
    text = lines[call.row - 1 : call.end_row]
    text[-1] = text[-1][: call.end_column - 1]
    text[0] = text[0][call.column - 1 :]
    try:
        node = ast.parse("\n".join(text), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call):
        return None
    found: Optional[ast.AST] = next((k for k in node.keywords if k.arg == keyword), None)
    if found is None and position < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
        found = node.args[position]
    if found is not None and part is not None:
        value = found.value if isinstance(found, ast.keyword) else found
        if isinstance(value, (ast.List, ast.Tuple)) and isinstance(part, int) and 0 <= part < len(value.elts):
            found = value.elts[part]
        elif isinstance(value, ast.Dict):
            found = next((v for k, v in zip(value.keys, value.values) if isinstance(k, ast.Constant) and k.value == part), found)
    if found is None or found.end_lineno is None or found.end_col_offset is None:
        return None

    def place(lineno: int, offset: int) -> Tuple[int, int]:
        row = call.row + lineno - 1
        column = _column(text[lineno - 1], offset) + (call.column - 1 if lineno == 1 else 0)
        return row, column + 1

    row, column = place(found.lineno, found.col_offset)
    end_row, end_column = place(found.end_lineno, found.end_col_offset)
    line = lines[row - 1]
    return Span(row, column, end_row, end_column, _snippet(line, column - 1, end_column - 1 if end_row == row else None))


def _column(line: str, offset: int) -> int:
    """A UTF-8 byte offset in ``line`` (what ``ast`` gives) as a character offset."""
    if line.isascii():
        return offset
    return len(line.encode()[:offset].decode(errors="ignore"))


def _snippet(line: str, start: int, stop: Optional[int], limit: int = 60) -> str:
    """The node's own text when it fits on its first line, shortened to ``limit``."""
    text = line[start:stop].strip() + ("" if stop is not None else " …")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def decode(data: bytes) -> str:
    """Decode Python source as the interpreter would (coding cookie, BOM, UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def summarize(path: str, data: bytes, eager: bool = True) -> Tuple[Optional[FileSummary], Optional[ParseFailure]]:
    """Summarise a file's bytes; returns (summary, None) or (None, failure). A notebook
    (``.ipynb``: ``data`` is its joined code) may ``await`` at top level.

    ``eager``: lowered now, from the tree just parsed. Otherwise (a file that names no
    loss, which the runner may never read) the lowering waits until the analysis reads
    the file (``FileSummary.lazy``: parsed again then), when nothing can make the
    lowering fail and the outline needs no lowering: the tree compiled at Python's
    normal recursion limit, so its depth is far within what ``deep`` lowers, and no
    softmax-like name is in the text (``ir.Outline.standalone`` needs one); the outline's
    imports are those of every import statement, in the order the lowering meets them
    (``import_outline``)."""
    if b"\x00" in data:
        return None, ParseFailure("binary file (contains NUL bytes); not Python source")
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return None, ParseFailure(f"cannot decode the file as Python source: {error}")
    if len(data) > MAX_FILE_BYTES:
        if not names_a_loss(data):  # generated data or tables: nothing to check, not worth a parse
            return FileSummary(path, text, None), None
        size = len(data) / 1e6
        return None, ParseFailure(f"file too large to analyse ({size:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB); skipped")
    notebook = path.endswith(NOTEBOOK_SUFFIX)
    if not eager:
        lazy = _compiled_lazily(path, text, notebook)
        if lazy is not None:
            return lazy, None
    shallow = False
    try:
        try:
            tree = parse(text, path)
            shallow = check(tree, text, path, notebook)
        except (RecursionError, MemoryError):  # Python's limits count the calls already on the stack
            shallow = False
            tree = deep(_parse_and_check, text, path, notebook, raise_limit=False)
    except SyntaxError as error:
        return None, _syntax_error(error, text)
    except (RecursionError, MemoryError) as error:  # Python's parser or compiler gives up
        row, column = _nested_construct(text, path)
        return None, ParseFailure(f"syntax error: nested too deeply for Python's compiler ({type(error).__name__})", row, column)
    except ValueError as error:
        return None, ParseFailure(f"cannot parse: {error}")
    if not eager and shallow and not _SOFTMAX_LIKE.search(text) and DEEP_RECURSION_LIMIT >= LAZY_RECURSION_LIMIT:
        return FileSummary(path, text, outline=ir.Outline(False, import_outline(tree)), lazy=True), None
    try:
        module = _lower(tree)
    except RecursionError:  # valid code nested deeper than the default limit allows
        try:
            module = deep(_lower, tree)
        except (RecursionError, MemoryError):
            row, column = _deepest(tree, text)
            return None, ParseFailure("nested too deeply to analyse; skipped", row, column)
    return FileSummary(path, text, module), None


def _parse_and_check(text: str, path: str, notebook: bool) -> ast.Module:
    tree = parse(text, path)
    check(tree, text, path, notebook)
    return tree


def _unread_name(path: str) -> str:
    """The file name given to Python's parser and compiler: one no file has, because for a
    syntax error CPython reads the line from the file of that name when there is one, and
    counts the column on it: a notebook's JSON, the file ``--stdin-filename`` names, a file
    changed since it was read. Without a file, the line is the text's own."""
    return f"<{path}>"


def parse(text: str, path: str) -> ast.Module:
    """``ast.parse``, silent: a ``SyntaxWarning`` is Python's business, not a finding
    (and under ``-W error`` it would be raised as a SyntaxError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=_unread_name(path))


def check(tree: ast.Module, text: str, path: str, notebook: bool = False) -> bool:
    """Raise the SyntaxError CPython's compiler raises for a parsed tree: what the
    parser accepts and the compiler refuses ('return' outside function, 'break' outside
    loop, a duplicate argument, two starred targets, an unknown ``__future__`` feature,
    ``import *`` in a function, a name assigned before its ``global`` declaration,
    more than 20 nested blocks, ...). In a notebook, top-level ``await``, ``async for``
    and ``async with`` are valid (IPython's autoawait).

    The tree is compiled, not the text: on torch's 2,285 files that costs 4.4 s where
    compiling the text costs 6.0 s and ``symtable`` 4.1 s (it parses the text again, and
    sees only half of these errors), against 11.8 s to parse and lower. Converting a
    tree back for the compiler recurses once per level where the parser counts a third
    (a chain of 1,000 ``elif`` compiles from the text, not from its tree): when the
    tree is too deep, the text is compiled, as ``python -m py_compile`` would."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if notebook else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            try:
                compile(tree, _unread_name(path), "exec", flags=flags, dont_inherit=True)
                return True  # the tree compiled: it nests within Python's normal limit
            except RecursionError:
                compile(text, _unread_name(path), "exec", flags=flags, dont_inherit=True)
                return False
        except SyntaxError as error:
            error.compiled = True  # type: ignore[attr-defined]  # its offset counts UTF-8 bytes
            raise


def _syntax_error(error: SyntaxError, text: str) -> ParseFailure:
    """LL000 at Python's own line and column (1-based, in characters: the compiler,
    unlike the parser, counts the column in UTF-8 bytes)."""
    row = error.lineno or 1
    column = max(error.offset or 1, 1)
    if getattr(error, "compiled", False):
        lines = LINE_BREAK.split(text)
        if row - 1 < len(lines):
            column = _column(lines[row - 1], column - 1) + 1
    return ParseFailure(f"syntax error: {error.msg}", row, column)


def _deepest(tree: ast.AST, text: str) -> Tuple[int, int]:
    """Where the most deeply nested node starts (1-based line and character column;
    the first in the file of those as deep): the construct a recursion limit was hit
    in. Walked without recursion."""
    best = (-1, 0, 0)  # depth, -line, -column
    stack: List[Tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if hasattr(node, "lineno"):
            best = max(best, (depth, -node.lineno, -node.col_offset))  # type: ignore[attr-defined]
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    row, offset = (-best[1], -best[2]) if best[0] >= 0 else (1, 0)
    lines = LINE_BREAK.split(text)
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    return row, _column(line, offset) + 1


def _nested_construct(text: str, path: str) -> Tuple[int, int]:
    """Where a file Python refuses as too deeply nested is nested deepest: parsed again
    with room to recurse, or (beyond the parser's own stack) the logical line with the
    most tokens."""
    try:
        return _deepest(deep(parse, text, path), text)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        pass
    best, most, count, start = (1, 1), 0, 0, None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > most and start is not None:
                    best, most = (start[0], start[1] + 1), count
                count, start = 0, None
            elif token.type not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                start = start or token.start
                count += 1
    except (SyntaxError, tokenize.TokenError, IndentationError):
        pass
    return best


def _lower(tree: ast.Module) -> ir.Module:
    from losslint.analysis.lower import lower

    return lower(tree)


def lower_text(text: str, path: str) -> Optional[ir.Module]:
    """The IR of a file ``summarize`` left lazy (it parsed and compiled then)."""
    try:
        tree = parse(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = deep(parse, text, path, raise_limit=False)
    return deep_if_needed(_lower, tree)


def import_outline(tree: ast.Module) -> Tuple[Tuple[str, int, Tuple[str, ...]], ...]:
    """``ir.Outline.imports`` without lowering: every import statement, in the order the
    lowering meets them (statements depth first, in source order, except that a ``try``
    lowers its handlers before its body)."""
    found: List[Tuple[str, int, Tuple[str, ...]]] = []
    stack: List[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level or 0, tuple(alias.name for alias in node.names)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith)):
            stack.extend(reversed(node.body))
        elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            stack.extend(reversed(node.body + node.orelse))
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            inner = [s for h in node.handlers for s in h.body] + node.body + node.orelse + node.finalbody  # type: ignore[attr-defined]
            stack.extend(reversed(inner))
        elif isinstance(node, ast.Match):
            stack.extend(reversed([s for case in node.cases for s in case.body]))
    return tuple(found)


LAZY_RECURSION_LIMIT = 100_000
"""A file is left to lower when read only while ``deep`` lowers whatever CPython parses
(``DEEP_RECURSION_LIMIT``): then lowering it later cannot fail where lowering it now
would have (an LL000)."""

IMPORT_STATEMENT = re.compile(
    r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|(?:[^\n\\]|\\(?:\r?\n|.))*)|import[ \t]+(?:[^\n\\]|\\(?:\r?\n|.))*)",
    re.MULTILINE,
)
"""An import statement's text at the start of a line (a parenthesised or continued one
whole). It can also match in a string, and misses ``if x: import y``: what it finds is
used only when the compiled code's imports are the same (``_compiled_lazily``)."""


def imports_in(statements: List[str]) -> Tuple[Tuple[str, int, Tuple[str, ...]], ...]:
    """(module, level, names) of import statements' text, as ``ir.Outline.imports`` has
    them; a text that does not parse as an import (it was in a string) is skipped."""
    found: List[Tuple[str, int, Tuple[str, ...]]] = []
    try:  # all at once when all parse (most files): one parse, not one per statement
        trees = [ast.parse("\n".join(statement.lstrip() for statement in statements))]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        trees = []
        for statement in statements:
            try:
                trees.append(ast.parse(statement.lstrip()))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Import):
                found.extend((alias.name, 0, ()) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                found.append((node.module or "", node.level or 0, tuple(alias.name for alias in node.names)))
    return tuple(found)


_OPCODES = __import__("dis").opmap
_IMPORT_CODE = re.compile(
    b"(?=((?:\\x%02x[\\x00-\\xff])*)\\x%02x([\\x00-\\xff])((?:\\x%02x[\\x00-\\xff])*)\\x%02x([\\x00-\\xff])((?:\\x%02x[\\x00-\\xff])*)\\x%02x([\\x00-\\xff]))"
    % (
        _OPCODES["EXTENDED_ARG"], _OPCODES["LOAD_CONST"], _OPCODES["EXTENDED_ARG"],
        _OPCODES["LOAD_CONST"], _OPCODES["EXTENDED_ARG"], _OPCODES["IMPORT_NAME"],
    ),  # fmt: skip
    re.DOTALL,
)
"""``LOAD_CONST level; LOAD_CONST names; IMPORT_NAME module``, each with its
``EXTENDED_ARG`` prefixes: how CPython compiles every import statement (checked on
import by ``_imports_compile_as_expected``; otherwise files are lowered when parsed)."""


def _argument(prefix: bytes, last: bytes) -> int:
    value = 0
    for i in range(1, len(prefix), 2):
        value = (value << 8) | prefix[i]
    return (value << 8) | last[0]


def code_imports(code: types.CodeType) -> Optional[List[Tuple[str, int, Tuple[str, ...]]]]:
    """The imports of compiled code and the code it holds (functions, classes,
    comprehensions), as ``imports_in`` gives them (in no particular order); None when
    the instructions are not what they seemed."""
    found = []
    stack = [code]
    while stack:
        current = stack.pop()
        raw = current.co_code
        for match in _IMPORT_CODE.finditer(raw):
            start = match.start()
            if start % 2 or start and raw[start - 2] == _OPCODES["EXTENDED_ARG"]:
                continue  # not an instruction's start, or its argument's prefix left out
            e1, a1, e2, a2, e3, a3 = match.groups()
            try:
                level = current.co_consts[_argument(e1, a1)]
                names = current.co_consts[_argument(e2, a2)]
                module = current.co_names[_argument(e3, a3)]
            except IndexError:
                return None
            if type(level) is not int or not (names is None or type(names) is tuple and all(type(n) is str for n in names)):
                return None
            found.append((module, level, tuple(names) if names is not None else ()))
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return found


def _imports_compile_as_expected() -> bool:
    sample = (
        "import a, b.c as d\nfrom .e import f, g as h\nfrom .. import i\nfrom j import *\n"
        "def k():\n    import l.m\n    class N:\n        from o import p\n"
        + "".join(f"x{n} = {n}.5\n" for n in range(300))  # EXTENDED_ARG
        + "from q import r\n"
    )
    try:
        found = code_imports(compile(sample, "sample", "exec", dont_inherit=True))
    except Exception:  # noqa: BLE001 - another Python's compiler: not used
        return False
    return found is not None and sorted(found) == sorted(imports_in(IMPORT_STATEMENT.findall(sample)))


IMPORTS_FROM_CODE = _imports_compile_as_expected()


def _compiled_lazily(path: str, text: str, notebook: bool) -> Optional[FileSummary]:
    """A file left to lower when read (``FileSummary.lazy``) without building its tree:
    compiled from the text (what CPython refuses, the normal path says again, with the
    same message and place), its imports read from the import statements' text and used
    only if the compiled code imports exactly those. They are in source order, where the
    lowering meets a ``try``'s handlers first: the runner reads them as a set (whether
    any import leads somewhere). None: summarised the normal way."""
    if not IMPORTS_FROM_CODE or DEEP_RECURSION_LIMIT < LAZY_RECURSION_LIMIT or _SOFTMAX_LIKE.search(text):
        return None
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if notebook else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(text, _unread_name(path), "exec", flags=flags, dont_inherit=True)
    except Exception:  # noqa: BLE001 - a syntax error, limits: the normal path says what
        return None
    imports = imports_in(IMPORT_STATEMENT.findall(text))
    compiled = code_imports(code)
    if compiled is None or sorted(imports) != sorted(compiled):
        return None
    return FileSummary(path, text, outline=ir.Outline(False, imports), lazy=True)


def _softmax_like() -> "re.Pattern[str]":
    from losslint.analysis.lower import IMPLICIT_DIM, SOFTMAX_NAMES

    names = sorted(set(SOFTMAX_NAMES) | set(IMPLICIT_DIM))
    return re.compile("|".join(map(re.escape, names))) if names else re.compile(r"(?!)")


class _LazyPattern:
    """``_softmax_like()``, compiled on first use (lower.py imports the knowledge tables)."""

    pattern: "Optional[re.Pattern[str]]" = None

    def search(self, text: str) -> object:
        if self.pattern is None:
            self.pattern = _softmax_like()
        return self.pattern.search(text)


_SOFTMAX_LIKE = _LazyPattern()
"""Any name the outline's ``standalone`` looks for, anywhere in a text: without one, it is False."""


# --- room to recurse ---------------------------------------------------------------

DEEP_RECURSION_LIMIT = 100_000
DEEP_STACK_BYTES = 512 * 1024 * 1024
"""The recursion limit and thread stack ``deep`` gives. Valid code nests at most about
3,000 levels (CPython's parser refuses deeper), which the analysis walks with up to ~10
Python frames a level; a frame that goes through C takes under 1 KB of C stack
(measured: 85,000 frames of ``__init__`` calling a class fill 64 MB), so 512 MB is five
times what 100,000 frames can take: the limit is hit, as a RecursionError, long before
the stack overflows. The stack is virtual memory, touched only as deep as it is used."""

_T = TypeVar("_T")
_deep_state = threading.local()
_deep_lock = threading.Lock()
_deep_users = 0
_normal_limit = 0


def deep(function: Callable[..., _T], *args: object, raise_limit: bool = True) -> _T:
    """``function(*args)`` in a new thread, with a large stack and a raised recursion
    limit; its result, or its exception raised here. The recursion limit is the
    interpreter's, not the thread's: it is raised while any such call runs and then
    restored (the calling thread waits meanwhile). Without threads to spare it runs
    here, as is. ``raise_limit=False``: the limit as it is, but counted from a fresh
    stack (as ``python -m py_compile`` counts it), for Python's own parse and compile."""
    if getattr(_deep_state, "active", False):
        return function(*args)
    outcome: List[object] = []

    def run() -> None:
        _deep_state.active = raise_limit
        try:
            outcome.append((True, _call_with_room(function, args)))
        except BaseException as error:  # noqa: B902 - handed to the caller as it is
            outcome.append((False, error))

    if raise_limit:
        _raise_limit()
    try:
        try:
            previous = threading.stack_size(DEEP_STACK_BYTES)
        except (ValueError, RuntimeError):
            previous = None
        try:
            thread = threading.Thread(target=run, name="losslint-deep", daemon=True)
            thread.start()
        except RuntimeError:  # cannot start a thread (memory, limits): the default stack
            return function(*args)
        finally:
            if previous is not None:
                threading.stack_size(previous)
        thread.join()
    finally:
        if raise_limit:
            _restore_limit()
    ok, value = outcome[0] if outcome else (False, RuntimeError("the analysis thread ended without a result"))
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def deep_if_needed(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)`` here, and again in ``deep`` if it runs out of recursion: most
    code nests shallowly, and a thread for each call would cost more than the call."""
    try:
        return function(*args)
    except RecursionError:
        return deep(function, *args)


def _call(function: Callable[..., _T], args: Tuple[object, ...]) -> _T:
    return function(*args)


_call_with_room = types.FunctionType(_call.__code__.replace(co_stacksize=1 << 17), globals(), "_call_with_room")
"""``_call``, whose frame has room for 131,072 stack slots it never uses. CPython 3.11+
keeps frames in 16 KB chunks and unmaps a chunk as soon as the frame at its start
returns: a call chain that goes back and forth over a chunk's edge maps and unmaps
memory each time (on pytorch/ignite, 48 of 182 s were spent in the kernel). This frame
takes a chunk of 2 MB, whose other half holds the next few thousand frames."""


def _raise_limit() -> None:
    global _deep_users, _normal_limit
    with _deep_lock:
        if _deep_users == 0:
            _normal_limit = sys.getrecursionlimit()
            if _normal_limit < DEEP_RECURSION_LIMIT:
                sys.setrecursionlimit(DEEP_RECURSION_LIMIT)
        _deep_users += 1


def _restore_limit() -> None:
    global _deep_users
    with _deep_lock:
        _deep_users -= 1
        if _deep_users == 0 and sys.getrecursionlimit() == DEEP_RECURSION_LIMIT and _normal_limit < DEEP_RECURSION_LIMIT:
            sys.setrecursionlimit(_normal_limit)
