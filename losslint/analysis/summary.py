"""Read one file into a summary: decode, parse, lower; and which files are entry points.

Order matters for speed and safety:
1. CPython's own parser (``ast``) parses every file: it gives the LL000 message and,
   unlike libcst's native parser, refuses cleanly the pathologically nested inputs that
   could crash the whole process;
2. the file is lowered from that same tree, with the position of every site, so no
   file is parsed twice (one that is only imported included) and a report needs no
   second parse. libcst parses a file only when a fix is checked or applied
   (``losslint.fixer``);
3. ``RELEVANT`` (a regex over the bytes: the losses) and the outline the lowering
   keeps beside the IR (a softmax without ``dim`` or next to a layer of width 1, the
   imports) let the runner choose its entry points without unpickling any IR
   (``runner._entry_points``); the other files are read when an import leads there.
"""

from __future__ import annotations

import ast
import io
import pickle
import re
import tokenize
from dataclasses import dataclass
from typing import List, Optional, Tuple

from losslint.analysis import ir

MAX_FILE_BYTES = 2_000_000
"""Larger files are reported (LL000) instead of parsed: generated code, not worth a parse."""

RELEVANT = re.compile(
    rb"CrossEntropyLoss|cross_entropy|NLLLoss|nll_loss|BCELoss|BCEWithLogitsLoss|binary_cross_entropy"
    rb"|KLDivLoss|kl_div|CTCLoss|ctc_loss|MultiLabelSoftMarginLoss|multilabel_soft_margin_loss"
    rb"|sigmoid_focal_loss"
)
"""The losses: a file that names none can hold a finding of the default rules only
through a softmax (``ir.Outline.standalone``), or through a file that does name one."""


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
    """Why a file could not be analysed, and where (LL000)."""

    message: str
    row: int = 1
    column: int = 1


LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Where Python's tokenizer ends a line (``str.splitlines`` also splits at form feeds)."""


class FileSummary:
    """One analysed file. Its IR comes from worker processes and from the cache pickled
    (``blob``) and is unpickled only when the analysis reads it: many files of a large
    project are only checked, never read. ``module`` is None for a huge file that
    names no loss."""

    def __init__(
        self, path: str, text: str, module: Optional[ir.Module] = None, blob: Optional[bytes] = None, outline: Optional[ir.Outline] = None
    ) -> None:
        self.path = path
        self.text = text
        self._module = module
        self._blob = blob
        self.outline = outline or (module.outline if module is not None else ir.Outline())
        self._lines: Optional[List[str]] = None

    @property
    def module(self) -> Optional[ir.Module]:
        if self._module is None and self._blob is not None:
            self._module = pickle.loads(self._blob)
        return self._module

    @property
    def blob(self) -> Optional[bytes]:
        if self._blob is None and self._module is not None:
            self._blob = pickle.dumps(self._module, protocol=pickle.HIGHEST_PROTOCOL)
        return self._blob

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


def summarize(path: str, data: bytes) -> Tuple[Optional[FileSummary], Optional[ParseFailure]]:
    """Summarise a file's bytes; returns (summary, None) or (None, failure). Every file
    that parses is lowered once, so a file another one imports is never parsed again."""
    if b"\x00" in data:
        return None, ParseFailure("binary file (contains NUL bytes); not Python source")
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return None, ParseFailure(f"cannot decode the file as Python source: {error}")
    if len(data) > MAX_FILE_BYTES:
        if not RELEVANT.search(data):  # generated data or tables: nothing to check, not worth a parse
            return FileSummary(path, text, None), None
        size = len(data) / 1e6
        return None, ParseFailure(f"file too large to analyse ({size:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB); skipped")
    try:
        module = _lower(ast.parse(text, filename=path))
    except SyntaxError as error:
        return None, ParseFailure(f"syntax error: {error.msg}", error.lineno or 1, max(error.offset or 1, 1))
    except (RecursionError, MemoryError):
        return None, ParseFailure("expression nested too deeply to analyse; skipped")
    except ValueError as error:
        return None, ParseFailure(f"cannot parse: {error}")
    return FileSummary(path, text, module), None


def _lower(tree: ast.Module) -> ir.Module:
    from losslint.analysis.lower import lower

    return lower(tree)
