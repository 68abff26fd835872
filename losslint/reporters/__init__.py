"""Output formats: each module has ``write(report, out)``; a new format is one module."""

from typing import Callable, Dict, TextIO

from losslint.reporters import concise, full, github, json, junit, sarif
from losslint.runner import Report

REPORTERS: Dict[str, Callable[[Report, TextIO], None]] = {
    "concise": concise.write,
    "full": full.write,
    "json": json.write,
    "sarif": sarif.write,
    "github": github.write,
    "junit": junit.write,
}
