"""The layout the design promises: an engine that knows Python only; what libraries do
is data (the knowledge tables) plus one module of effects; facts for rules are observed."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "losslint" / "analysis" / "engine"
LIBRARY_ATOMS = {"Tensor", "Layer", "Loss", "Kind", "Axis"}


def _modules():
    return sorted(ENGINE.glob("*.py"))


def test_no_library_name_in_the_engine():
    for path in _modules():
        text = path.read_text()
        for name in ("torch", "lightning", "softmax", "sigmoid", "nn.Module"):
            assert name not in text.lower(), f"{path.name} names {name}"


def test_engine_modules_import_no_library_effects_or_values():
    for path in _modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if path.name != "driver.py":  # the driver composes the interpreter from all parts
                    assert node.module not in ("losslint.analysis.library", "losslint.analysis.observers"), path.name
                imported = {alias.name for alias in node.names}
                assert not imported & LIBRARY_ATOMS, f"{path.name} imports {imported & LIBRARY_ATOMS}"


def test_each_engine_module_reads_in_one_sitting():
    for path in _modules():
        assert len(path.read_text().splitlines()) <= 400, path.name
