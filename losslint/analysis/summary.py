"""Read one file into a summary: decode, prefilter, parse once, lower.

Order matters for speed and safety:
1. CPython's own parser (``ast``, ~12x faster than libcst) checks every file's syntax:
   it gives the LL000 message and, unlike libcst's native parser, refuses cleanly the
   pathologically nested inputs that make libcst crash the whole process;
2. a regex over the bytes skips files that name no loss and no softmax (most files of a
   large repository): they cannot hold a finding, so libcst never parses them;
3. libcst parses the others once; positions are resolved later and only for files
   that have something to report (PositionProvider costs about 1.7x a parse).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Pattern, Sequence, Tuple

from losslint.analysis import ir

# libcst (0.3 s to import) is imported where a file is parsed: a run whose summaries all
# come from the cache never loads it.

MAX_FILE_BYTES = 2_000_000
"""Larger files are reported (LL000) instead of parsed: libcst needs ~10 s per MB."""

RELEVANT_SOURCE = (
    r"CrossEntropyLoss|cross_entropy|NLLLoss|nll_loss|BCELoss|BCEWithLogitsLoss|binary_cross_entropy"
    r"|KLDivLoss|kl_div|CTCLoss|ctc_loss|MultiLabelSoftMarginLoss|multilabel_soft_margin_loss"
    r"|sigmoid_focal_loss|[Ss]oftmax|[Ss]oftmin"
)
RELEVANT = re.compile(RELEVANT_SOURCE.encode())
"""A file that matches none of these cannot hold a finding of the default rules."""


def relevance(extra: Sequence[str] = ()) -> Pattern[bytes]:
    """The prefilter for a selection: the default pattern plus what opt-in rules need."""
    if not extra:
        return RELEVANT
    return re.compile("|".join([RELEVANT_SOURCE, *extra]).encode())


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


@dataclass
class FileSummary:
    """One analysed file. ``module`` is None for files the prefilter skipped."""

    path: str
    text: str
    module: Optional[ir.Module]
    _tree: Optional[Any] = field(default=None, repr=False)  # libcst.Module
    _sites: Optional[List[Any]] = field(default=None, repr=False)  # libcst nodes by site ordinal
    _spans: Optional[Dict[int, Span]] = field(default=None, repr=False)
    spans_computed: Optional[Dict[int, Span]] = field(default=None, repr=False)  # in this run, to cache
    parsed_late: bool = False  # parsed in this run because another file imports it

    def parsed(self) -> Tuple[Any, List[Any]]:
        """The libcst tree and its nodes by site ordinal, parsing now if needed."""
        if self._tree is None or self._sites is None:
            self._tree, (_, self._sites) = _parse_and_lower(self.text)
        return self._tree, self._sites

    def span(self, ordinal: int) -> Span:
        """Where site ``ordinal`` is; positions are computed on first use per file."""
        if self._spans is None:
            from libcst.metadata import MetadataWrapper, PositionProvider

            self._spans = self.spans_computed = {}
            tree, sites = self.parsed()
            positions = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
            lines = self.text.splitlines()
            for i, node in enumerate(sites):
                code_range = positions[node]
                start, end = code_range.start, code_range.end
                line = lines[start.line - 1] if start.line - 1 < len(lines) else ""
                stop = end.column if end.line == start.line else None
                self._spans[i] = Span(start.line, start.column + 1, end.line, end.column + 1, _snippet(line, start.column, stop))
        return self._spans[ordinal]

    def lines(self) -> List[str]:
        return self.text.splitlines()

    def __getstate__(self) -> dict:
        """Sent between processes and cached without the libcst tree (positions are
        recomputed from the text when needed)."""
        state = dict(self.__dict__)
        state["_tree"] = state["_sites"] = None
        return state

    def ensure_module(self) -> Optional[ir.Module]:
        """The IR, parsing the file now if the prefilter skipped it: a file another one
        imports a model from is parsed only when (and once) that import is followed."""
        if self.module is None:
            import libcst as cst

            try:
                self._tree, (self.module, self._sites) = _parse_and_lower(self.text)
            except (cst.ParserSyntaxError, RecursionError):
                return None
            self.parsed_late = True
        return self.module


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


def summarize(
    path: str, data: bytes, relevant: Pattern[bytes] = RELEVANT
) -> Tuple[Optional[FileSummary], Optional[ParseFailure]]:
    """Summarise a file's bytes; returns (summary, None) or (None, failure)."""
    if b"\x00" in data:
        return None, ParseFailure("binary file (contains NUL bytes); not Python source")
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return None, ParseFailure(f"cannot decode the file as Python source: {error}")
    is_relevant = relevant.search(data) is not None
    if len(data) > MAX_FILE_BYTES:
        if not is_relevant:  # generated data or tables: nothing to check, not worth a parse
            return FileSummary(path, text, None), None
        size = len(data) / 1e6
        return None, ParseFailure(f"file too large to analyse ({size:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB); skipped")
    try:
        ast.parse(text, filename=path)
    except SyntaxError as error:
        return None, ParseFailure(f"syntax error: {error.msg}", error.lineno or 1, max(error.offset or 1, 1))
    except (RecursionError, MemoryError):
        return None, ParseFailure("expression nested too deeply to analyse; skipped")
    except ValueError as error:
        return None, ParseFailure(f"cannot parse: {error}")
    if not is_relevant:
        return FileSummary(path, text, None), None
    import libcst as cst

    try:
        tree, (module, sites) = _parse_and_lower(text)
    except cst.ParserSyntaxError as error:
        return None, ParseFailure(f"syntax error: {error.message}", error.raw_line, error.raw_column + 1)
    except RecursionError:
        return None, ParseFailure("expression nested too deeply to analyse; skipped")
    return FileSummary(path, text, module, tree, sites), None


def _parse_and_lower(text: str) -> Tuple[Any, Tuple[ir.Module, List[Any]]]:
    """Parse with libcst once and lower; the tree is kept for positions."""
    import libcst as cst

    from losslint.analysis.lower import lower

    tree = cst.parse_module(text)
    return tree, lower(tree)
