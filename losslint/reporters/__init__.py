"""Output formats: each module has ``write(report, out)``; a new format is one module,
named here. A reporter is imported only when chosen (start-up is the pre-commit case)."""

import importlib
import re
from typing import TYPE_CHECKING, Any, Callable, Match, Optional, TextIO

if TYPE_CHECKING:
    from losslint.report import Location, Report

REPORTERS = ("concise", "full", "json", "sarif", "github", "junit", "gitlab", "rdjson", "html")

DOCUMENTED_HOME: Optional[str] = None
"""The address of losslint's published documentation, once it has one: SARIF's
``helpUri`` and ``informationUri`` point there (the README's rule table). Unset, they
are left out rather than pointing at a guessed address."""


def reporter(name: str) -> Callable[["Report", TextIO], None]:
    """The ``write`` function of output format ``name`` (one of ``REPORTERS``)."""
    if name not in REPORTERS:
        raise KeyError(name)
    return importlib.import_module(f"losslint.reporters.{name}").write


# Paths, messages and snippets come from the linted tree: a file name may hold control
# characters or bytes that are not UTF-8 (lone surrogates once decoded), a snippet a form
# feed or an escape sequence. Each format shows them as visible escapes (``\x0c``; a
# byte of a non-UTF-8 name as ``\xff``) instead of writing what it cannot encode,
# what breaks its syntax, or what a terminal would act on.
_TEXT_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _escape(match: Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """For line-oriented text output: no control character but tab, nothing unencodable."""
    return _TEXT_UNSAFE.sub(_escape, text)


def xml_text(text: str) -> str:
    """Only characters XML 1.0 allows (tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, above)."""
    return _XML_UNSAFE.sub(_escape, text)


def unicode_only(value: Any) -> Any:
    """``value`` (strings, lists, dicts) without lone surrogates, for JSON any parser takes."""
    if isinstance(value, str):
        return _SURROGATES.sub(_escape, value)
    if isinstance(value, list):
        return [unicode_only(item) for item in value]
    if isinstance(value, dict):
        return {unicode_only(key): unicode_only(item) for key, item in value.items()}
    return value


def in_file(location: "Location") -> "tuple[int, int, int, int]":
    """(row, column, end row, end column) in the file itself: for a notebook, the
    position in the ``.ipynb`` JSON (on one line), else the location's own."""
    if location.cell is not None and location.file_row is not None:
        column = location.file_column or 1
        return location.file_row, column, location.file_row, max(location.file_end_column or column, column)
    return location.row, location.column, location.end_row, location.end_column


def cell_prefix(location: "Location") -> str:
    """``cell 3, line 2: `` for a notebook finding (the annotation is on the file's JSON)."""
    return f"cell {location.cell}, line {location.row}: " if location.cell is not None else ""
