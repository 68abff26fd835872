"""What a run found, for the reporters, the fixer and the command line: diagnostics
with their locations, and the run's counts. Nothing here runs an analysis."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from losslint.edits import Fix


class Severity(str, enum.Enum):
    """error: crashes at run time; warning: trains wrongly; info: correct but unwise."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Location:
    """1-based; in a notebook, ``row`` counts within code cell ``cell`` (1-based over all
    cells), ``source_row`` is the line in the joined code the snippets come from and
    ``file_row``/``file_column`` where that is in the ``.ipynb`` file's JSON."""

    path: str
    row: int
    column: int
    end_row: int
    end_column: int
    cell: Optional[int] = None
    source_row: Optional[int] = None
    file_row: Optional[int] = None  # a notebook: the line of the .ipynb file (SARIF, GitHub)
    file_column: Optional[int] = None
    file_end_column: Optional[int] = None


@dataclass(frozen=True)
class RelatedLocation:
    location: Location
    message: str


@dataclass(frozen=True)
class Change:
    """What a fix does to one file, as one replacement (for JSON and SARIF)."""

    location: Location
    end_location: Location
    content: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    related: Tuple[RelatedLocation, ...] = ()
    width: Optional[int] = None
    fix: Optional[Fix] = None  # checked against the code: it applies and the result parses
    changes: Tuple[Change, ...] = ()  # the fix's effect, file by file
    no_fix: str = ""  # why a fixable rule offers no fix here
    framework: Optional[str] = None  # the loss's framework when not torch ("keras"): selects the demo

    @property
    def sort_key(self) -> Tuple[str, int, int, int, str, str]:
        where = self.location
        return (where.path, where.cell or 0, where.row, where.column, self.code, self.message)


@dataclass
class Report:
    """The outcome of a run, for the reporters."""

    diagnostics: List[Diagnostic] = field(default_factory=list)
    files: int = 0
    loss_calls: int = 0
    unresolved: int = 0
    unresolved_by_reason: Dict[str, int] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)  # for standard error
    sources: Dict[str, List[str]] = field(default_factory=dict)  # lines of files with findings
    texts: Dict[str, str] = field(default_factory=dict)  # linted files fixes change: their code
    unsafe_fixes: bool = False  # whether unsafe fixes count as available (--unsafe-fixes)
    fixed: int = 0  # findings --fix repaired before this report
    internal_errors: Tuple[str, ...] = ()  # bugs in losslint, also in notes: exit status 2

    def internal_error(self, path: str, error: object, consequence: str) -> None:
        """Note a bug in losslint met while analysing ``path``: said, and the run goes on."""
        message = f"internal error while analysing {path}: {error} (please report); {consequence}"
        self.internal_errors += (message,)
        self.notes.append(message)

    @property
    def resolved(self) -> int:
        return self.loss_calls - self.unresolved

    def fixable(self, diagnostic: "Diagnostic") -> bool:
        fix = diagnostic.fix
        return fix is not None and (fix.safe or self.unsafe_fixes)
