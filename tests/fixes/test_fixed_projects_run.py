"""After ``--fix --unsafe-fixes`` every script of a project still runs and prints what
it printed before, apart from the loss the fix corrects: a fix that removes an
activation must see the model's uses in every linted file, also files without a loss
(a predict.py thresholding the output keeps the activation; one taking argmax lets it go)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint.cli import main

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "fix_projects"


def outputs(folder: Path) -> dict:
    printed = {}
    for script in sorted(folder.glob("*.py")):
        if script.name == "models.py":
            continue
        done = subprocess.run([sys.executable, script.name], cwd=folder, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        printed[script.name] = [line for line in done.stdout.splitlines() if not line.startswith("loss")]
    return printed


@pytest.mark.parametrize("project, changed", [("threshold", set()), ("argmax", {"models.py"})])
def test_scripts_print_the_same_after_the_fix(tmp_path, project, changed):
    pytest.importorskip("torch")
    folder = tmp_path / project
    shutil.copytree(PROJECTS / project, folder)
    before = {p.name: p.read_bytes() for p in folder.glob("*.py")}
    printed = outputs(folder)
    CliRunner().invoke(main, [str(folder), "--fix", "--unsafe-fixes", "--no-cache"])
    assert {p.name for p in folder.glob("*.py") if p.read_bytes() != before[p.name]} == changed
    assert outputs(folder) == printed


def test_a_use_in_a_file_without_a_loss_blocks_the_fix():
    result = CliRunner().invoke(main, [str(PROJECTS / "threshold"), "--unsafe-fixes", "--no-cache", "--output-format", "full"])
    assert "LL111" in result.output
    assert "also used at tests/fixtures/fix_projects/threshold/predict.py:7" in result.output  # from the working directory
