"""Output formats: each module has ``write(report, out)``; a new format is one module,
named here. A reporter is imported only when chosen (start-up is the pre-commit case)."""

import importlib
from typing import TYPE_CHECKING, Callable, TextIO

if TYPE_CHECKING:
    from losslint.runner import Report

REPORTERS = ("concise", "full", "json", "sarif", "github", "junit")


def reporter(name: str) -> Callable[["Report", TextIO], None]:
    """The ``write`` function of output format ``name`` (one of ``REPORTERS``)."""
    if name not in REPORTERS:
        raise KeyError(name)
    return importlib.import_module(f"losslint.reporters.{name}").write
