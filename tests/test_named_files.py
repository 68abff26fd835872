"""Named files (pre-commit passes the changed ones): a finding is reported when either of
its sites is in a named file. A model file changed alone reports the mistake its
softmax causes at a loss call in a file that was not named."""

import json

from click.testing import CliRunner

from losslint.cli import main

MODEL = """import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)
"""
TRAIN = """import torch
import torch.nn as nn

from model import Net

model = Net()
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
loss.backward()
"""


def project(tmp_path, files):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def run(monkeypatch, tmp_path, *args):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".user-cache"))
    return CliRunner().invoke(main, [*args])


def findings(monkeypatch, tmp_path, *args):
    result = run(monkeypatch, tmp_path, "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_named_model_reports_the_loss_call_in_a_file_not_named(monkeypatch, tmp_path):
    project(tmp_path, {"model.py": MODEL, "train.py": TRAIN})
    result = run(monkeypatch, tmp_path, "model.py")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("model.py:11:16: LL101 CrossEntropyLoss receives softmax probabilities")
    assert first.endswith("(the loss call: train.py:10:8 criterion(model(x), y))")
    [finding] = findings(monkeypatch, tmp_path, "model.py")
    assert finding["filename"] == "model.py" and finding["location"] == {"row": 11, "column": 16}
    assert [(r["filename"], r["location"]) for r in finding["related"]] == [("train.py", {"row": 10, "column": 8})]
    assert finding["related"][0]["message"] == "the loss call: criterion(model(x), y)"
    # the fix changes the named file only: it is offered
    assert finding["fix"]["applicability"] == "unsafe" and {e["filename"] for e in finding["fix"]["edits"]} == {"model.py"}


def test_the_loss_file_named_or_both_named_report_once_at_the_loss_call(monkeypatch, tmp_path):
    project(tmp_path, {"model.py": MODEL, "train.py": TRAIN})
    for named in (["train.py"], ["model.py", "train.py"], ["."]):
        [finding] = findings(monkeypatch, tmp_path, *named)
        assert (finding["filename"], finding["location"]["row"]) == ("train.py", 10), named
        assert finding["related"][0]["filename"] == "model.py"


def test_importers_are_found_through_packages_and_chains(monkeypatch, tmp_path):
    """pkg/__init__.py re-exports the model; the loss is in a function of trainer.py that
    main.py calls with the model: every file on the way is followed, none is named."""
    project(
        tmp_path,
        {
            "pkg/__init__.py": "from .model import Net\n",
            "pkg/model.py": MODEL,
            "trainer.py": "import torch.nn as nn\n\n\ndef train(model, x, y):\n    return nn.CrossEntropyLoss()(model(x), y)\n",
            "main.py": "import torch\nfrom pkg import Net\nfrom trainer import train\n\ntrain(Net(), torch.randn(8, 4), torch.randint(0, 3, (8,)))\n",
            "unrelated.py": "import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Linear(4, 3)(x), y)\n",
        },
    )
    [finding] = findings(monkeypatch, tmp_path, "pkg/model.py")
    assert (finding["filename"], finding["location"]["row"], finding["code"]) == ("pkg/model.py", 11, "LL101")
    assert finding["related"][0]["filename"] == "trainer.py"


def test_excluded_and_ignored_importers_are_not_read(monkeypatch, tmp_path):
    project(tmp_path, {"model.py": MODEL, "legacy/train.py": TRAIN.replace("from model", "from model")})
    (tmp_path / "legacy" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint]\nextend-exclude = ["legacy"]\n')
    assert findings(monkeypatch, tmp_path, "model.py") == []


def test_noqa_at_the_loss_call_and_per_file_ignores_of_the_named_file(monkeypatch, tmp_path):
    project(tmp_path, {"model.py": MODEL, "train.py": TRAIN.replace("loss = criterion(model(x), y)", "loss = criterion(model(x), y)  # noqa: LL101")})
    assert findings(monkeypatch, tmp_path, "model.py") == []
    project(tmp_path, {"train.py": TRAIN})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint.per-file-ignores]\n"model.py" = ["LL101"]\n')
    assert findings(monkeypatch, tmp_path, "model.py") == []


def test_fix_of_the_named_model_writes_only_the_named_file(monkeypatch, tmp_path):
    project(tmp_path, {"model.py": MODEL, "train.py": TRAIN})
    result = run(monkeypatch, tmp_path, "--fix", "--unsafe-fixes", "model.py")
    assert result.exit_code == 0, result.output
    assert "return self.fc(x)\n" in (tmp_path / "model.py").read_text()
    assert (tmp_path / "train.py").read_text() == TRAIN


def test_a_new_importer_changes_a_cached_run(monkeypatch, tmp_path):
    """The run record of a named file depends on the project's other files: one that
    starts importing the model is seen on the next run."""
    project(tmp_path, {"model.py": MODEL})
    assert findings(monkeypatch, tmp_path, "model.py") == []
    assert findings(monkeypatch, tmp_path, "model.py") == []  # from the run record
    (tmp_path / "train.py").write_text(TRAIN)
    assert [f["code"] for f in findings(monkeypatch, tmp_path, "model.py")] == ["LL101"]
    (tmp_path / "train.py").write_text(TRAIN.replace("from model import Net", "from elsewhere import Net"))
    assert findings(monkeypatch, tmp_path, "model.py") == []


def test_output_is_the_same_with_and_without_the_cache_and_with_jobs(monkeypatch, tmp_path):
    files = {"model.py": MODEL, "train.py": TRAIN}
    files.update({f"mod{i}.py": f"from model import Net\nimport torch.nn as nn\nl{i} = nn.NLLLoss()(Net()(x), y)\n" for i in range(10)})
    project(tmp_path, files)
    outputs = {
        run(monkeypatch, tmp_path, *args, "model.py").stdout
        for args in (["--no-cache"], ["--no-cache", "-j", "2"], [], [], ["-j", "1"])
    }
    assert len(outputs) == 1
    [output] = outputs
    assert output.count("model.py:11:16: LL101") == 1 and output.count("model.py:11:16: LL106") == 10


def test_every_cross_file_finding_of_the_fixture_projects_is_found_from_the_activation_s_file(monkeypatch, tmp_path):
    """For each finding of a whole-project run whose activation is in another file than
    its loss call, naming only the activation's file reports it there (the projects have
    no project marker: the current folder is the tree searched)."""
    import shutil
    from pathlib import Path

    fixtures = Path(__file__).resolve().parent / "fixtures"
    checked = 0
    for source in sorted([*(fixtures / "projects").iterdir(), *(fixtures / "fix_projects").iterdir()]):
        if not source.is_dir():
            continue
        folder = tmp_path / source.parent.name / source.name
        shutil.copytree(source, folder)
        whole = findings(monkeypatch, folder, "--no-cache", ".")
        for finding in whole:
            for related in finding["related"]:
                if related["filename"] == finding["filename"] or related["filename"].endswith(".ipynb"):
                    continue
                named = findings(monkeypatch, folder, "--no-cache", related["filename"])
                at = [
                    (d["code"], d["location"], d["related"][0]["filename"], d["related"][0]["location"])
                    for d in named
                    if d["related"]
                ]
                assert (finding["code"], related["location"], finding["filename"], finding["location"]) in at, (source.name, at)
                checked += 1
    assert checked >= 6
