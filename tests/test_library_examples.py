"""examples/libraries/: a mistake made with a library model (torchvision, timm,
transformers) and its corrected twin. losslint finds exactly the marked line without
the library installed; each script runs and shows its mistake where the library is
installed, and is skipped otherwise (CI installs none of them)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import reported_and_marked

FOLDER = Path(__file__).resolve().parent.parent / "examples" / "libraries"
SCRIPTS = sorted(FOLDER.glob("*.py"))
BUGGY = [p for p in SCRIPTS if not p.stem.endswith("_fixed")]


def importable(name: str) -> bool:
    """In another process: this one never imports the libraries losslint models."""
    if importlib.util.find_spec(name) is None:
        return False
    return subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, timeout=300).returncode == 0


def library(path: Path) -> str:
    return path.name.split("_", 1)[0]


def test_each_library_has_a_pair():
    assert {library(p) for p in BUGGY} == {"torchvision", "timm", "transformers"}
    assert {p.stem + "_fixed" for p in BUGGY} == {p.stem for p in SCRIPTS if p.stem.endswith("_fixed")}


def test_losslint_reports_exactly_the_marked_lines():
    found, expected = reported_and_marked(FOLDER, SCRIPTS)
    assert expected and found == expected


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_script_runs_and_shows_its_mistake(path):
    pytest.importorskip("torch", reason="running the examples needs torch")
    if not importable(library(path)):
        pytest.skip(f"{library(path)} is not installed (or does not import)")
    env = dict(os.environ, PYTHONWARNINGS="ignore", HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    expected = "no mistake" if path.stem.endswith("_fixed") else "mistake shown"
    assert expected in result.stdout
