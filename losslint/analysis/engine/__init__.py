"""The abstract interpreter of the lowered IR: it knows Python, not libraries."""

from losslint.analysis.engine.driver import Interpreter

__all__ = ["Interpreter"]
