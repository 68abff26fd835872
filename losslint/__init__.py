"""losslint: a static linter for loss-function mistakes in deep-learning code."""

__version__ = "0.1.0"
