"""Jupyter notebooks: code cells analysed as one module, findings reported by cell."""

import json

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.notebook import read_notebook


def notebook(*cells, nbformat=4):
    """A notebook document; a cell is (cell_type, source)."""
    return {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True), "outputs": [], "execution_count": None}
            if kind == "code"
            else {"cell_type": kind, "metadata": {}, "source": source}
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": nbformat,
        "nbformat_minor": 5,
    }


TRAINING = notebook(
    ("markdown", "# Classifying iris flowers\nA small MLP."),
    ("code", "%matplotlib inline\n!pip install torch\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F"),
    (
        "code",
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 3)\n"
        "\n"
        "    def forward(self, x):\n"
        "        return F.softmax(self.fc(x), dim=1)",
    ),
    ("code", "%%time\nmodel = Net()\ncriterion = nn.CrossEntropyLoss()"),
    ("code", "files = !ls data\nmodel?"),
    ("code", "for epoch in range(10):\n    loss = criterion(model(x), y)\n    loss.backward()"),
)


def write(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1) + "\n")
    return path


def test_finding_reported_by_cell_and_line(tmp_path):
    path = write(tmp_path, "train.ipynb", TRAINING)
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 1
    assert f"{path}:cell 6:2:12: LL101 CrossEntropyLoss receives softmax probabilities from Net" in result.output
    assert f"({tmp_path / 'train.ipynb'}:cell 3:7 F.softmax(self.fc(x), dim=1))" in result.output


def test_json_has_the_cell(tmp_path):
    write(tmp_path, "train.ipynb", TRAINING)
    (item,) = json.loads(CliRunner().invoke(main, [str(tmp_path), "--output-format", "json"]).output)
    assert (item["cell"], item["location"]) == (6, {"row": 2, "column": 12})
    (related,) = item["related"]
    assert (related["cell"], related["location"]["row"]) == (3, 7)


def test_full_format_shows_the_cell_lines(tmp_path):
    write(tmp_path, "train.ipynb", TRAINING)
    output = CliRunner().invoke(main, [str(tmp_path), "--output-format", "full"]).output
    assert "    2 │     loss = criterion(model(x), y)" in output
    assert "    7 │         return F.softmax(self.fc(x), dim=1)" in output


def test_sarif_and_github_point_at_the_notebook(tmp_path):
    path = write(tmp_path, "train.ipynb", TRAINING)
    # the annotation lands on the notebook file's own line (its JSON), the cell is named
    # in the message (issue 22): cell 6, line 2, column 12 of the cell's code
    text = open(path).read().splitlines()
    row = next(i for i, line in enumerate(text, 1) if "criterion(model(x), y)" in line and "loss" in line)
    column = text[row - 1].index('"') + 2 + 11
    github = CliRunner().invoke(main, [str(tmp_path), "--output-format", "github"]).output
    assert github.startswith(f"::warning file={path},line={row},col={column},")
    assert "::LL101 cell 6, line 2: CrossEntropyLoss" in github
    sarif = json.loads(CliRunner().invoke(main, [str(tmp_path), "--output-format", "sarif"]).output)
    result = sarif["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("train.ipynb")
    assert location["region"]["startLine"] == row and location["region"]["startColumn"] == column
    assert result["message"]["text"].startswith("cell 6, line 2: ")


def test_correct_notebook_is_silent(tmp_path):
    fixed = json.loads(json.dumps(TRAINING).replace("return F.softmax(self.fc(x), dim=1)", "return self.fc(x)"))
    write(tmp_path, "train.ipynb", fixed)
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 0 and "1 loss call, 1 resolved" in result.output


def test_notebook_importing_its_model_from_a_sibling_module(tmp_path):
    (tmp_path / "model.py").write_text(
        "import torch.nn as nn\n\n"
        "def make_model():\n    return nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())\n"
    )
    document = notebook(
        ("code", "import torch.nn as nn\nfrom model import make_model"),
        ("code", "net = make_model()\nloss = nn.BCEWithLogitsLoss()(net(x), y)"),
    )
    path = write(tmp_path, "explore.ipynb", document)
    result = CliRunner().invoke(main, [str(path)])
    assert f"{path}:cell 2:2:8: LL104 " in result.output and f"({tmp_path / 'model.py'}:4 nn.Sigmoid())" in result.output


def test_noqa_in_a_cell(tmp_path):
    document = json.loads(json.dumps(TRAINING).replace("model(x), y)", "model(x), y)  # noqa: LL101"))
    write(tmp_path, "train.ipynb", document)
    assert CliRunner().invoke(main, [str(tmp_path)]).exit_code == 0


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "invalid notebook: not JSON"),
        (json.dumps({"nbformat": 3, "worksheets": []}), "notebook format 3 is not supported"),
        (json.dumps({"metadata": {}}), "invalid notebook: no list of cells"),
    ],
)
def test_malformed_notebooks_are_reported_and_the_run_goes_on(tmp_path, content, message):
    (tmp_path / "broken.ipynb").write_text(content)
    write(tmp_path, "train.ipynb", TRAINING)
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 1
    assert "LL000 " + message in result.output and "LL101" in result.output


def test_cells_without_source_and_syntax_errors(tmp_path):
    document = notebook(("code", "import torch"))
    document["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": []})
    document["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = (\n"]})
    write(tmp_path, "odd.ipynb", document)
    result = CliRunner().invoke(main, [str(tmp_path), "--output-format", "json"])
    (item,) = json.loads(result.output)
    assert item["code"] == "LL000" and item["cell"] == 3
    del document["cells"][1]["source"]  # nbformat 4 requires it: the notebook is not read
    write(tmp_path, "odd.ipynb", document)
    (item,) = json.loads(CliRunner().invoke(main, [str(tmp_path), "--output-format", "json"]).output)
    assert item["code"] == "LL000" and item["message"] == "invalid notebook: cell 2 has no source"


def _fixable_notebook():
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n", "Softmax classifier."]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {"tags": ["model"]},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
            "source": [
                "%matplotlib inline\n",
                "import torch\n",
                "import torch.nn as nn\n",
                "model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))  # classifier",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [],
            "source": "!nvidia-smi\nloss = nn.CrossEntropyLoss()(model(torch.randn(8, 4)), torch.randint(0, 3, (8,)))\n",
        },
    ]
    document = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return document


def test_fix_rewrites_only_the_code_cell_that_changes(tmp_path):
    document = _fixable_notebook()
    path = tmp_path / "train.ipynb"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    result = CliRunner().invoke(main, [str(path), "--no-cache", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    document["cells"][1]["source"][3] = "model = nn.Sequential(nn.Linear(4, 3))  # classifier"
    assert path.read_text() == json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    again = CliRunner().invoke(main, [str(path), "--no-cache", "--fix", "--unsafe-fixes"])
    assert again.exit_code == 0 and path.read_text() == json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def test_diff_on_a_notebook_writes_nothing(tmp_path):
    path = tmp_path / "train.ipynb"
    original = json.dumps(_fixable_notebook(), indent=2) + "\n"
    path.write_text(original)
    result = CliRunner().invoke(main, [str(path), "--no-cache", "--diff", "--unsafe-fixes"])
    assert result.exit_code == 1
    removed = [line for line in result.output.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in result.output.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert [line.strip("- ") for line in removed] == ['"model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))  # classifier"']
    assert [line.strip("+ ") for line in added] == ['"model = nn.Sequential(nn.Linear(4, 3))  # classifier"']
    assert path.read_text() == original


def test_a_notebook_whose_layout_cannot_be_kept_is_reported_not_rewritten(tmp_path):
    path = tmp_path / "train.ipynb"
    original = json.dumps(_fixable_notebook(), indent=1, separators=(",", " : ")) + "\n"
    path.write_text(original)
    result = CliRunner().invoke(main, [str(path), "--no-cache", "--fix", "--unsafe-fixes"])
    assert "cannot fix" in result.output and "JSON layout" in result.output
    assert path.read_text() == original and result.exit_code == 1


@pytest.mark.parametrize(
    "cells",
    [
        ["!pip install torch \\\n    torchvision \\\n    numpy\n", "import torch\n"],  # continuation lines
        ["files = !ls \\\n   -la\n"],
        ["%env A=1 \\\n  B=2\n"],
        ["for f in files:\n    !echo {f}\n    !ls {f}\n", "x = 1\n"],  # a body of magics only
        ["for f in files:\n    !echo {f}\n"],  # ... at the end of a cell
        ["if a:\n    !ls\nelse:\n    %pwd\n"],
        ["for f in x:\n    # a comment\n    !ls\n"],
        ["def f():\n    !ls\n\nf()\n"],
        ["%%bash\nfor i in 1 2; do\n  echo $i\ndone\n", "x = 1\n"],  # a cell magic: skipped
        ["%%time\nfor i in range(3):\n    !echo hi\n"],
        ["  !ls\n  x = 1\n"],
        ["pip install torch\n", "ls ./data/train/\n", "cd ..\n", "matplotlib inline\n", "time model = f(x)\n"],  # automagic
        ["load_ext autoreload\nimport os\n", "tensorflow_version 2.x\n"],
        ["import os\n", "from __future__ import annotations\nx: int = 1\n"],  # each cell compiles alone
        ["!pip install torch\n", "# a comment\n\nfrom __future__ import (print_function,\n    division)\nfrom __future__ import annotations\n"],
    ],
)
def test_ipython_syntax_jupyter_runs_is_never_ll000(tmp_path, cells):
    """Issue 22: valid notebooks never get LL000 (IPython itself turns these into calls)."""
    document = notebook(*[("code", source) for source in cells])
    write(tmp_path, "nb.ipynb", document)
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert "LL000" not in result.output and result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "cell, neutralised",
    [
        ("pip install torch", True),
        ("ls -la data", True),
        ("cd = nn.CrossEntropyLoss()", False),  # Python: an assignment
        ("time -= 1", False),
        ("run (epoch)", False),  # a function of the notebook's own, called with a space
        ("ls is None", False),
        ("env", False),  # a bare name is Python already
        ("install torch", False),  # not a magic
    ],
)
def test_automagic_lines_and_the_python_that_looks_like_them(cell, neutralised):
    found, _ = read_notebook(json.dumps(notebook(("code", cell))).encode())
    assert (found.source.strip() != cell) is neutralised, found.source


def test_a_future_import_after_a_cell_s_first_statement_is_still_ll000(tmp_path):
    write(tmp_path, "nb.ipynb", notebook(("code", "import os\nfrom __future__ import annotations\n")))
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert "LL000" in result.output and "from __future__ imports must occur" in result.output


def test_ll000_column_is_the_cell_s_not_the_json_file_s(tmp_path):
    """CPython reads a syntax error's line from the file it is told the code came from:
    the notebook's JSON then gave the column."""
    write(tmp_path, "nb.ipynb", notebook(("code", "x = pass\n")))
    result = CliRunner().invoke(main, [str(tmp_path / "nb.ipynb"), "--no-cache"])
    assert "nb.ipynb:cell 1:1:5: LL000" in result.output, result.output
