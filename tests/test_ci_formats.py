"""The gitlab (Code Quality) and rdjson (reviewdog) formats, validated against the
published schema and example kept in tests/fixtures/formats (see its README)."""

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from losslint.cli import main

FORMATS = Path(__file__).parent / "fixtures" / "formats"
SOURCE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
μ = {"损失": nn.CrossEntropyLoss()(model(x), y)}
other = nn.Sequential(nn.Linear(4, 1))
l2 = nn.CrossEntropyLoss()(other(x), y)
"""


def schema(name):
    return json.loads((FORMATS / name).read_text())


def output(tmp_path, monkeypatch, format_name, *args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src dir").mkdir(exist_ok=True)
    (tmp_path / "src dir" / "train.py").write_text(SOURCE)
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": SOURCE.splitlines(keepends=True)[:3]}]
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
    result = CliRunner().invoke(main, [".", "--output-format", format_name, *args])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_the_gitlab_schema_accepts_gitlab_s_documented_example():
    jsonschema.validate(schema("gitlab_code_quality.example.json"), schema("gitlab_code_quality.schema.json"))


def test_gitlab(tmp_path, monkeypatch):
    issues = output(tmp_path, monkeypatch, "gitlab")
    jsonschema.validate(issues, schema("gitlab_code_quality.schema.json"))
    assert len(issues) == 4
    assert len({issue["fingerprint"] for issue in issues}) == 4
    by_path = {(i["location"]["path"], i["location"]["positions"]["begin"]["line"]): i for i in issues}
    assert by_path[("src dir/train.py", 3)]["severity"] == "minor"  # a warning
    assert by_path[("src dir/train.py", 6)]["severity"] == "major"  # LL201, an error
    assert by_path[("src dir/train.py", 3)]["check_name"] == "losslint/LL101/softmax-into-cross-entropy"
    notebook = [i for i in issues if i["location"]["path"] == "nb.ipynb"][0]
    assert notebook["description"].startswith("LL101 cell 1, line 3: ")
    row = notebook["location"]["positions"]["begin"]["line"]
    assert "CrossEntropyLoss" in (tmp_path / "nb.ipynb").read_text().splitlines()[row - 1]


def test_gitlab_fingerprints_survive_a_moved_line(tmp_path, monkeypatch):
    before = {i["fingerprint"] for i in output(tmp_path, monkeypatch, "gitlab")}
    (tmp_path / "src dir" / "train.py").write_text("\n\n" + SOURCE)
    monkeypatch.chdir(tmp_path)
    after = {i["fingerprint"] for i in json.loads(CliRunner().invoke(main, ["src dir/train.py", "--output-format", "gitlab"]).stdout)}
    assert after and after <= before


def test_rdjson(tmp_path, monkeypatch):
    result = output(tmp_path, monkeypatch, "rdjson", "--unsafe-fixes")
    jsonschema.Draft4Validator(schema("rdjson_DiagnosticResult.schema.json")).validate(result)
    found = result["diagnostics"]
    assert {d["severity"] for d in found} == {"WARNING", "ERROR"}
    wide = [d for d in found if d["location"]["path"] == "src dir/train.py" and d["location"]["range"]["start"]["line"] == 4][0]
    # 'μ = {"损失": ' : μ is 2 bytes, each CJK character 3, so the call starts at byte column 17
    line = SOURCE.splitlines()[3]
    assert wide["location"]["range"]["start"]["column"] == len(line[: line.index("nn.Cross")].encode()) + 1 == 17
    assert wide["code"] == {"value": "LL101"}
    assert wide["related_locations"][0]["location"]["range"]["start"]["line"] == 2
    suggestion = wide["suggestions"][0]
    assert suggestion["text"] == "" and suggestion["range"]["start"]["line"] == 2
    notebook = [d for d in found if d["location"]["path"].endswith("nb.ipynb")][0]
    assert notebook["message"].startswith("cell 1, line 3: ") and "suggestions" not in notebook


@pytest.mark.parametrize("format_name", ["gitlab", "rdjson"])
def test_clean_runs_are_valid_too(tmp_path, monkeypatch, format_name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, [".", "--output-format", format_name])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == [] if format_name == "gitlab" else data == {"source": {"name": "losslint"}, "diagnostics": []}
