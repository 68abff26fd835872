"""losslint: a static linter for loss-function mistakes in deep-learning code."""

__version__ = "0.1.0"
DOCS_URL = "https://github.com/losslint/losslint/blob/main/README.md"
"""Where the rules are documented; SARIF's helpUri points into it."""
