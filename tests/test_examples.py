"""examples/: every buggy script gets exactly its documented finding, every corrected
twin none; with torch installed, each script runs and shows its mistake."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.rules import BY_CODE
from tests.conftest import marked_codes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
BUGGY = [p for p in SCRIPTS if not p.stem.endswith("_fixed")]
FIXED = [p for p in SCRIPTS if p.stem.endswith("_fixed")]
KERAS = sorted((EXAMPLES / "keras").glob("*.py"))  # Keras-only rules: run by tests/test_keras.py
RAISES = {
    "LL103": "all elements of input should be between 0 and 1",
    "LL201": "Target 1 is out of bounds",
    "LL203": "must be the same as input size",
    "LL204": "must be the same as input size",
    "LL206": "Expected target size [4, 5], got [4, 7]",
    "LL301": "can't be cast to the desired output type Long",
    "LL302": "expected target dtype to be Long or Byte, but got Float",
}
NEEDS_CUDA = {"LL404": "needs a CUDA device to show the mistake"}


def own_code(path):
    return path.name[:5].upper()


def markers(path):
    lines = path.read_text().splitlines()
    return {(path.name, c, i) for i, line in enumerate(lines, 1) for c in marked_codes(line)}


def run_losslint(*args):
    result = CliRunner().invoke(main, [str(EXAMPLES), "--output-format", "json", *args])
    return result.exit_code, {(Path(d["filename"]).name, d["code"], d["location"]["row"]) for d in json.loads(result.output)}


def test_every_rule_about_code_has_an_example_pair():
    buggy = BUGGY + [p for p in KERAS if not p.stem.endswith("_fixed")]
    codes = {own_code(p) for p in buggy}
    assert codes == set(BY_CODE) - {"LL000", "LL900", "LL901"}  # unparseable files; the run's coverage; unused noqa
    assert {p.stem + "_fixed" for p in buggy} == {p.stem for p in FIXED + KERAS if p.stem.endswith("_fixed")}


def test_all_rules_report_exactly_the_marked_lines():
    status, found = run_losslint("--select", "ALL")
    expected = set().union(*(markers(p) for p in EXAMPLES.rglob("*.py")))  # libraries/ too
    assert status == 1
    assert found == expected
    assert all(own_code(p) in {code for _, code, _ in markers(p)} for p in BUGGY)


def test_default_run_reports_the_marked_lines_of_default_rules():
    _, found = run_losslint()
    expected = {m for p in EXAMPLES.rglob("*.py") for m in markers(p) if BY_CODE[m[1]].default}
    assert found == expected


torch = pytest.importorskip("torch", reason="running the examples needs torch")


def run_script(path):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("path", BUGGY, ids=[p.stem for p in BUGGY])
def test_buggy_script_shows_its_mistake(path):
    code = own_code(path)
    result = run_script(path)
    if code in NEEDS_CUDA and not torch.cuda.is_available():
        assert result.returncode == 0, result.stderr
        assert NEEDS_CUDA[code] in result.stdout
    elif code in RAISES:
        assert result.returncode != 0
        assert RAISES[code] in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "mistake shown" in result.stdout


@pytest.mark.parametrize("path", FIXED, ids=[p.stem for p in FIXED])
def test_corrected_script_runs(path):
    result = run_script(path)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def fixed_folder(tmp_path_factory):
    from tests.fixes.examples import fixed_examples

    return fixed_examples(tmp_path_factory.mktemp("fixed"))


FIXED_BY_LOSSLINT = {
    "LL101", "LL102", "LL103", "LL104", "LL105", "LL106", "LL108", "LL111", "LL205", "LL206", "LL303", "LL401", "LL403", "LL404",
}
KEEPS_BEHAVIOUR: set = set()  # LL205's fix on a 3-D output writes the class axis, not the batch dim torch picked


@pytest.mark.parametrize("path", BUGGY, ids=[p.stem for p in BUGGY])
def test_script_fixed_by_losslint_runs(fixed_folder, path):
    """Done when of the fixes issue: every script --fix --unsafe-fixes changed still
    runs, and the mistake it showed is gone (its own check says so)."""
    fixed = fixed_folder / path.name
    if own_code(path) not in FIXED_BY_LOSSLINT:
        assert fixed.read_bytes() == path.read_bytes()  # no rule of its findings has a fix
        return
    assert fixed.read_bytes() != path.read_bytes()
    result = run_script(fixed)
    assert result.returncode == 0, result.stderr
    if own_code(path) in KEEPS_BEHAVIOUR:
        assert "mistake shown" in result.stdout
    elif own_code(path) not in NEEDS_CUDA:
        assert "no mistake" in result.stdout
