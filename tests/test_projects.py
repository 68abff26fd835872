"""Multi-file projects: models, losses and trainers that cross files (issue: project-wide
analysis). Each project marks its findings with ``# expect: CODE``; each ``*_fixed``
twin is the corrected project and must stay silent."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.runner import lint
from losslint.selection import resolve
from tests.conftest import marked_codes

PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"
BUGGY = sorted(p for p in PROJECTS.iterdir() if p.is_dir() and not p.name.endswith("_fixed"))


def markers(project: Path):
    found = set()
    for path in sorted(project.rglob("*.py")):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            found |= {(path.relative_to(project).as_posix(), code, row) for code in marked_codes(line)}
    return found


def findings(project: Path):
    report = lint([str(project)], resolve(["ALL"], ignore=["LL900"]), root=str(project))
    return report, {
        (Path(d.location.path).relative_to(project).as_posix(), d.code, d.location.row) for d in report.diagnostics
    }


@pytest.mark.parametrize("project", BUGGY, ids=[p.name for p in BUGGY])
def test_findings_across_files(project):
    report, found = findings(project)
    assert found == markers(project) and found


@pytest.mark.parametrize("project", BUGGY, ids=[p.name for p in BUGGY])
def test_corrected_twin_is_silent_and_fully_resolved(project):
    report, found = findings(project.with_name(project.name + "_fixed"))
    assert found == set()
    assert report.loss_calls >= 1 and report.unresolved == 0


def test_message_names_the_other_file():
    report, _ = findings(PROJECTS / "package")
    (diagnostic,) = report.diagnostics
    assert "from Net (tests/fixtures/projects/package/pkg/models/net.py:11 F.softmax(self.fc(x), dim=1))" in diagnostic.message
    (related,) = diagnostic.related
    assert related.location.path.endswith("pkg/models/net.py") and related.location.row == 11


def test_message_names_where_a_travelling_loss_was_built():
    report, _ = findings(PROJECTS / "trainer_class")
    (diagnostic,) = report.diagnostics
    assert diagnostic.message.startswith("CrossEntropyLoss (built at tests/fixtures/projects/trainer_class/main.py:10 nn.CrossEntropyLoss()) receives")


def test_noqa_on_the_activation_in_another_file(tmp_path):
    import shutil

    project = tmp_path / "package"
    shutil.copytree(PROJECTS / "package", project)
    net = project / "pkg" / "models" / "net.py"
    net.write_text(net.read_text().replace("dim=1)", "dim=1)  # noqa: LL101"))
    assert CliRunner().invoke(main, [str(project)]).exit_code == 0


def test_two_call_sites_with_different_models_prove_nothing(tmp_path):
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\n"
        "def probabilities():\n    return nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
        "def logits():\n    return nn.Linear(4, 3)\n"
    )
    (tmp_path / "loop.py").write_text(
        "def fit(model, criterion, data):\n    for x, y in data:\n        criterion(model(x), y).backward()\n"
    )
    (tmp_path / "main.py").write_text(
        "import torch.nn as nn\nfrom models import logits, probabilities\nfrom loop import fit\n"
        "fit(probabilities(), nn.CrossEntropyLoss(), [])\nfit(logits(), nn.CrossEntropyLoss(), [])\n"
    )
    report = lint([str(tmp_path)], resolve())
    assert report.diagnostics == [] and report.loss_calls == 1 and report.unresolved == 0


def test_each_file_is_parsed_once(monkeypatch):
    import ast

    parsed = []
    original = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, *a, **k: parsed.append(text) or original(text, *a, **k))
    findings(PROJECTS / "trainer_class")
    files = {path.read_text() for path in (PROJECTS / "trainer_class").glob("*.py")}
    assert sorted(parsed.count(text) for text in files) == [1, 1, 1]


def test_a_single_named_file_follows_its_imports_but_reports_only_itself(tmp_path):
    """What pre-commit does: it passes the changed files only."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "def make():\n    return nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n\n"
        "def unrelated(x):\n    return F.softmax(x)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom models import make\n\nloss = nn.CrossEntropyLoss()(make()(x), y)\n"
    )
    result = CliRunner().invoke(main, [str(tmp_path / "train.py")])
    assert result.exit_code == 1
    assert "train.py:4:8: LL101" in result.output and "/models.py:5 nn.Softmax(dim=1))" in result.output
    assert "LL205" not in result.output  # models.py was not named
    assert CliRunner().invoke(main, [str(tmp_path)]).output.count("LL205") == 1


def test_base_class_and_constant_from_other_files(tmp_path):
    (tmp_path / "config.py").write_text("NUM_CLASSES = 1\n")
    (tmp_path / "base.py").write_text(
        "import torch.nn as nn\nfrom config import NUM_CLASSES\n\n\n"
        "class Classifier(nn.Module):\n"
        "    def __init__(self, hidden=16):\n"
        "        super().__init__()\n"
        "        self.head = nn.Linear(hidden, NUM_CLASSES)\n\n"
        "    def forward(self, x):\n"
        "        return self.head(self.features(x))\n"
    )
    (tmp_path / "model.py").write_text(
        "import torch.nn as nn\nfrom base import Classifier\n\n\n"
        "class MLP(Classifier):\n"
        "    def __init__(self):\n"
        "        super().__init__(hidden=32)\n"
        "        self.features = nn.Sequential(nn.Linear(8, 32), nn.ReLU())\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom model import MLP\n\nloss = nn.CrossEntropyLoss()(MLP()(x), y)\n"
    )
    report = lint([str(tmp_path)], resolve())
    (diagnostic,) = report.diagnostics
    assert diagnostic.code == "LL201" and diagnostic.location.path.endswith("train.py")
    assert "/base.py:8 nn.Linear(hidden, NUM_CLASSES))" in diagnostic.message



def test_a_module_attribute_assigned_from_another_module_is_not_its_old_value(tmp_path):
    """``config.NUM_CLASSES = len(classes)``: config.py's placeholder 1 is no longer sure."""
    (tmp_path / "config.py").write_text("NUM_CLASSES = 1  # set by train.py\n")
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nimport config\n"
        "def main(classes, x, y):\n    config.NUM_CLASSES = len(classes)\n"
        "    model = nn.Linear(8, config.NUM_CLASSES)\n    return nn.CrossEntropyLoss()(model(x), y)\n"
    )
    report = lint([str(tmp_path)], resolve())
    assert report.diagnostics == [] and report.loss_calls == 1
    (tmp_path / "train.py").write_text((tmp_path / "train.py").read_text().replace("len(classes)", "1"))
    assert [d.code for d in lint([str(tmp_path)], resolve()).diagnostics] == ["LL201"]
