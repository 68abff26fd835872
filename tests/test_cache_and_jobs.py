"""The on-disk cache of per-file summaries, and parallel parsing: same results, fewer parses."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from losslint.cache import Cache
from losslint.runner import lint
from losslint.selection import resolve

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "fixtures" / "projects" / "trainer_class"


@pytest.fixture
def parses(monkeypatch):
    counted = []
    original = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, *a, **k: counted.append(1) or original(text, *a, **k))
    return counted


def outcome(report):
    return [(d.location.path, d.location.row, d.code, d.message) for d in report.diagnostics], report.loss_calls


@pytest.mark.parametrize("target", [PROJECT, ROOT / "examples"], ids=["cross-file project", "examples"])
def test_a_second_run_parses_nothing(tmp_path, parses, target):
    cache = Cache(str(tmp_path))
    first = outcome(lint([str(target)], resolve(["ALL"]), cache=cache))
    assert parses
    parses.clear()
    second = outcome(lint([str(target)], resolve(["ALL"]), cache=cache))
    assert parses == [] and second == first and first[0]


def test_a_changed_file_is_parsed_again(tmp_path, parses):
    project = tmp_path / "project"
    project.mkdir()
    (project / "train.py").write_text("import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Linear(2, 2)(x), y)\n")
    cache = Cache(str(tmp_path / "cache"))
    assert lint([str(project)], resolve(), cache=cache).diagnostics == []
    (project / "train.py").write_text("import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1))(x), y)\n")
    parses.clear()
    assert [d.code for d in lint([str(project)], resolve(), cache=cache).diagnostics] == ["LL101"]
    assert parses


def test_a_corrupt_cache_is_recomputed_silently(tmp_path, parses):
    cache = Cache(str(tmp_path))
    first = outcome(lint([str(PROJECT)], resolve(), cache=cache))
    for path in Path(cache.directory).rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    parses.clear()
    assert outcome(lint([str(PROJECT)], resolve(), cache=cache)) == first
    assert parses


def test_another_version_does_not_read_this_cache(tmp_path, monkeypatch, parses):
    from losslint import cache as cache_module

    lint([str(PROJECT)], resolve(), cache=Cache(str(tmp_path)))
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "9.9.9-other")
    parses.clear()
    lint([str(PROJECT)], resolve(), cache=Cache(str(tmp_path)))
    assert parses


def run_cli(*args, cwd):
    command = [sys.executable, "-m", "losslint", *map(str, args), "--output-format", "json", "--select", "ALL"]
    return subprocess.run(command, capture_output=True, cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT))).stdout


def test_jobs_do_not_change_the_output(tmp_path):
    targets = [ROOT / "examples", ROOT / "tests" / "fixtures" / "projects"]
    one = run_cli(*targets, "--jobs", "1", "--no-cache", cwd=tmp_path)
    two = run_cli(*targets, "--jobs", "2", "--no-cache", cwd=tmp_path)
    assert one == two and b"LL101" in one


def test_no_cache_writes_nothing_and_the_default_cache_is_at_the_project_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.losslint]\n")
    (tmp_path / "train.py").write_text("import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Linear(2, 2)(x), y)\n")
    run_cli(tmp_path, "--no-cache", cwd=tmp_path)
    assert not (tmp_path / ".losslint_cache").exists()
    run_cli(tmp_path, cwd=tmp_path)
    assert any((tmp_path / ".losslint_cache").rglob("*.pickle"))


@pytest.fixture
def analyses(monkeypatch):
    from losslint import runner
    from losslint.analysis.engine import Interpreter

    counted = []
    monkeypatch.setattr(runner, "Interpreter", lambda *a, **k: counted.append(1) or Interpreter(*a, **k))
    return counted


def test_a_second_run_over_an_unchanged_tree_analyses_nothing(tmp_path, analyses):
    cache = Cache(str(tmp_path))
    first = outcome(lint([str(PROJECT)], resolve(["ALL"]), cache=cache))
    second = outcome(lint([str(PROJECT)], resolve(["ALL"]), cache=cache))
    assert analyses == [1] and second == first and first[0]
    assert outcome(lint([str(PROJECT)], resolve(["LL101"]), cache=cache)) != first and analyses == [1, 1]


def pre_commit_project(root: Path) -> Path:
    """train.py is named; models.py is only imported (what pre-commit does)."""
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (root / "models.py").write_text("import torch.nn as nn\n\ndef make():\n    return nn.Linear(4, 3)\n")
    (root / "train.py").write_text("import torch.nn as nn\nfrom models import make\n\nloss = nn.CrossEntropyLoss()(make()(x), y)\n")
    return root / "train.py"


def test_a_changed_imported_file_is_analysed_again(tmp_path, analyses):
    train = pre_commit_project(tmp_path / "project")
    cache = Cache(str(tmp_path / "cache"))
    assert lint([str(train)], resolve(), cache=cache).diagnostics == []
    (train.parent / "models.py").write_text(
        "import torch.nn as nn\n\ndef make():\n    return nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
    )
    assert [d.code for d in lint([str(train)], resolve(), cache=cache).diagnostics] == ["LL101"]
    assert analyses == [1, 1]


def test_a_file_appearing_where_an_import_looked_is_analysed_again(tmp_path, analyses):
    train = pre_commit_project(tmp_path / "project")
    (train.parent / "models.py").unlink()
    cache = Cache(str(tmp_path / "cache"))
    assert lint([str(train)], resolve(), cache=cache).unresolved == 1
    (train.parent / "models.py").write_text(
        "import torch.nn as nn\n\ndef make():\n    return nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
    )
    assert [d.code for d in lint([str(train)], resolve(), cache=cache).diagnostics] == ["LL101"]
