"""Output formats: each module has ``write(report, out)``."""

from typing import Callable, Dict, TextIO

from losslint.reporters import concise, full, json
from losslint.runner import Report

REPORTERS: Dict[str, Callable[[Report, TextIO], None]] = {
    "concise": concise.write,
    "full": full.write,
    "json": json.write,
}
