"""Suppression (issue 22): exact codes, file-level ``# losslint: noqa``, ``--add-noqa``
(idempotent, also in notebooks) and LL901, the opt-in report of unused suppressions."""

import json
import re

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.noqa import tables

SOFTMAX_CE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""


def line_table(lines):
    return tables(lines)[0]


def file_table(lines):
    return tables(lines)[1]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def codes(result):
    return re.findall(r"^\S.*?: (LL\d+) ", result.stdout, re.M)


@pytest.mark.parametrize(
    "comment, suppressed",
    [
        ("  # noqa", True),
        ("  # noqa: LL101", True),
        ("  # noqa:LL101,LL205", True),
        ("  # NOQA: ll205 LL101", True),
        ("  # noqa: LL101x", False),  # the code LL101X, not a prefix match
        ("  # noqa: LL10", False),  # prefixes do not suppress
        ("  # noqa: LL1011", False),
        ("  # noqa: LL102", False),
        ("  # noqa: E501", False),
        ("  # noqa: LL101 -- the softmax is wanted here", True),
        ("  # noqa_not", False),
    ],
)
def test_line_codes_match_exactly(tmp_path, comment, suppressed):
    path = tmp_path / "train.py"
    path.write_text(SOFTMAX_CE.replace("model(x), y)", "model(x), y)" + comment))
    assert ("LL101" not in codes(run(path))) is suppressed


def test_tables():
    assert line_table(["x  # noqa: LL101x, LL102", "y  # noqa", "# losslint: noqa"]) == {
        1: frozenset({"LL101X", "LL102"}),
        2: None,
    }
    assert file_table(["# losslint: noqa: LL101", "x = 1  # losslint: noqa", "   #losslint:noqa"]) == {
        1: frozenset({"LL101"}),
        3: None,
    }


@pytest.mark.parametrize(
    "header, suppressed",
    [
        ("# losslint: noqa\n", True),
        ("# losslint: noqa: LL101\n", True),
        ("# losslint: noqa: LL102, LL101\n", True),
        ("# losslint: noqa: LL102\n", False),
        ("# losslint: noqa: LL101x\n", False),
        ("import os  # losslint: noqa\n", False),  # not on a line of its own: not the whole file
    ],
)
def test_file_level(tmp_path, header, suppressed):
    path = tmp_path / "train.py"
    path.write_text(header + SOFTMAX_CE)
    result = run(path)
    assert ("LL101" not in codes(result)) is suppressed
    assert result.exit_code == (0 if suppressed else 1)


def test_file_level_applies_to_the_file_a_finding_is_reported_in(tmp_path):
    (tmp_path / "model.py").write_text(
        "# losslint: noqa\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 3)\n"
        "    def forward(self, x):\n        return F.softmax(self.fc(x), dim=1)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom model import Net\nmodel = Net()\nloss = nn.CrossEntropyLoss()(model(x), y)\n"
    )
    result = run(tmp_path)
    assert codes(result) == ["LL101"]  # reported in train.py, whose loss call has no suppression


def test_noqa_text_inside_a_string_is_no_comment(tmp_path):
    """A docstring or help text that documents the comments suppresses nothing, and is
    no unused suppression either; a real comment after such a string still counts."""
    path = tmp_path / "train.py"
    path.write_text(
        '"""To silence the linter in a file, write a line:\n# losslint: noqa\n"""\n'
        + 'HELP = "write  # noqa: LL101  after the call"\n'
        + SOFTMAX_CE
    )
    assert codes(run(path, "--select", "ALL")) == ["LL101"]
    path.write_text(SOFTMAX_CE.replace("model(x), y)", 'model(x), y or "# noqa: LL102")  # noqa: LL101'))
    assert codes(run(path, "--select", "ALL")) == []
    docstring = '"""'
    assert line_table(['s = "# noqa"', "f(x)  # noqa: LL101", docstring, "# losslint: noqa", docstring]) == {
        2: frozenset({"LL101"})
    }
    assert file_table([docstring, "# losslint: noqa", docstring, "# losslint: noqa: LL205"]) == {4: frozenset({"LL205"})}
    assert line_table(["x = (  # noqa: LL101", "def"]) == {1: frozenset({"LL101"})}  # does not tokenize: line by line


def test_add_noqa_writes_after_a_string_holding_noqa_text(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SOFTMAX_CE.replace("model(x), y)", 'model(x), y or "# noqa: E501")'))
    assert run(path, "--add-noqa").exit_code == 0
    assert 'y or "# noqa: E501")  # noqa: LL101\n' in path.read_text()
    assert codes(run(path)) == []


def test_add_noqa_is_idempotent_and_merges(tmp_path):
    path = tmp_path / "train.py"
    source = SOFTMAX_CE.replace("model(x), y)", "model(x), y)  # noqa: E501") + "p = nn.NLLLoss()(model(x), y)\n"
    path.write_text("import torch\n" + source)
    before = run(path)
    assert sorted(codes(before)) == ["LL101", "LL106"]
    added = run(path, "--add-noqa")
    assert added.exit_code == 0 and "Added 2 noqa comments in 1 file." in added.stderr
    text = path.read_text()
    assert "loss = nn.CrossEntropyLoss()(model(x), y)  # noqa: E501, LL101\n" in text
    assert "p = nn.NLLLoss()(model(x), y)  # noqa: LL106\n" in text
    assert run(path).exit_code == 0 and codes(run(path)) == []
    again = run(path, "--add-noqa")
    assert "Added 0 noqa comments in 0 files." in again.stderr and path.read_text() == text


def test_add_noqa_keeps_crlf_and_refuses_a_line_it_would_break(tmp_path):
    path = tmp_path / "train.py"
    path.write_bytes(SOFTMAX_CE.replace("\n", "\r\n").encode())
    run(path, "--add-noqa")
    assert path.read_bytes().endswith(b"model(x), y)  # noqa: LL101\r\n")
    broken = tmp_path / "cont.py"
    broken.write_text(SOFTMAX_CE.replace("loss = nn.CrossEntropyLoss()(model(x), y)", "loss = nn.CrossEntropyLoss()(model(x), \\\n y)"))
    before = broken.read_text()
    result = run(broken, "--add-noqa")
    assert codes(run(broken)) == ["LL101"]
    assert result.exit_code == 2 and "cannot add noqa" in result.stderr and broken.read_text() == before


def test_add_noqa_in_a_notebook(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": ["!pip install torch\n", "import torch.nn as nn\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": SOFTMAX_CE.splitlines(keepends=True)},
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, indent=1) + "\n")
    assert codes(run(path)) == ["LL101"]
    assert run(path, "--add-noqa").exit_code == 0
    document = json.loads(path.read_text())
    assert document["cells"][2]["source"][2] == "loss = nn.CrossEntropyLoss()(model(x), y)  # noqa: LL101\n"
    assert document["cells"][1] == cells[1]
    assert codes(run(path)) == []


def test_unused_suppressions_are_reported_on_request(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(
        "# losslint: noqa: LL203\n"
        + SOFTMAX_CE.replace("model(x), y)", "model(x), y)  # noqa: LL101, LL102, LL1O1, E501")
        + "a = 1  # noqa\n"
        + "b = 2  # noqa: LL404\n"
        + "c = 3  # noqa: LL108\n"  # opt-in, not selected: not judged
    )
    assert "LL901" not in codes(run(path))  # opt-in
    result = run(path, "--extend-select", "LL901", "--output-format", "json")
    found = sorted((d["location"]["row"], d["message"]) for d in json.loads(result.stdout) if d["code"] == "LL901")
    assert found == [
        (1, "unused suppression: no LL203 finding in this file"),
        (4, "suppression names LL1O1, which is no rule (see --list-rules)"),
        (4, "unused suppression: no LL102 finding on this line"),
        (6, "unused suppression: no LL404 finding on this line"),
    ]
    assert result.exit_code == 0  # info
    assert run(path, "--extend-select", "LL901", "--fail-on", "info").exit_code == 1


def test_ll901_is_silenced_only_by_naming_it(tmp_path):
    path = tmp_path / "clean.py"
    path.write_text("# losslint: noqa\nimport os\n")
    assert codes(run(path, "--extend-select", "LL901")) == ["LL901"]
    path.write_text("# losslint: noqa: LL901\nx = 1  # noqa: LL101\n")
    assert codes(run(path, "--extend-select", "LL901")) == []
