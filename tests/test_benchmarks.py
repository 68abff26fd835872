"""The benchmark harness runs from a checkout (its timings are never asserted)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "benchmarks" / "run.py"


def load_harness():
    spec = importlib.util.spec_from_file_location("benchmark_run", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_corpus_is_deterministic_and_mostly_loss_free(tmp_path):
    harness = load_harness()
    harness.generate(tmp_path / "a", 60)
    harness.generate(tmp_path / "b", 60)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.py"))
    assert len(files) == 60
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    with_losses = [f for f in files if b"Loss()" in (tmp_path / "a" / f).read_bytes()]
    assert len(with_losses) == 3


def test_the_harness_times_losslint_against_the_references():
    result = subprocess.run(
        [sys.executable, str(HARNESS), "--files", "40", "--no-write"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    for row in ("read every file", "libcst parse of every file", "losslint, cold", "losslint, warm", "losslint, one training script"):
        assert f"| {row}" in result.stdout
