"""The command line: exit codes, selection, noqa, output formats, rule docs, stdin."""

import json

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.rules import RULES

SOFTMAX_CE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""


def invoke(tmp_path, source, *args, name="train.py"):
    path = tmp_path / name
    path.write_text(source)
    return CliRunner().invoke(main, [str(path), *args])


def test_exit_status_one_with_findings(tmp_path):
    result = invoke(tmp_path, SOFTMAX_CE)
    assert result.exit_code == 1
    assert f"{tmp_path / 'train.py'}:3:8: LL101 " in result.output


def test_exit_status_zero_and_honest_summary_when_clean(tmp_path):
    result = invoke(tmp_path, SOFTMAX_CE.replace(", nn.Softmax(dim=1)", ""))
    assert result.exit_code == 0
    assert result.output.strip() == "No findings; 1 loss call, 1 resolved, 0 unresolved."


def test_unresolved_loss_calls_are_counted(tmp_path):
    result = invoke(tmp_path, "import torch.nn as nn\nloss = nn.CrossEntropyLoss()(model(x), y)\n")
    assert result.exit_code == 0
    assert "1 loss call, 0 resolved, 1 unresolved" in result.output


@pytest.mark.parametrize(
    "args, status",
    [
        (["--select", "LL2"], 0),
        (["--ignore", "LL101"], 0),
        (["--ignore", "LL1"], 0),
        (["--select", "LL101,LL202"], 1),
        (["--select", "ALL", "--ignore", "LL10"], 0),
        (["--select", "ll101"], 1),
    ],
)
def test_selection(tmp_path, args, status):
    assert invoke(tmp_path, SOFTMAX_CE, *args).exit_code == status


def test_extend_select_enables_an_opt_in_rule(tmp_path):
    source = SOFTMAX_CE.replace("nn.Softmax", "nn.LogSoftmax")
    assert invoke(tmp_path, source).exit_code == 0
    result = invoke(tmp_path, source, "--extend-select", "LL108")
    assert result.exit_code == 0 and "LL108" in result.output  # info: shown, fails only with --fail-on info
    assert invoke(tmp_path, source, "--extend-select", "LL108", "--fail-on", "info").exit_code == 1


@pytest.mark.parametrize("args", [["--select", "LL999"], ["--ignore", "E501"], ["--output-format", "xml"]])
def test_usage_errors_exit_two(tmp_path, args):
    result = invoke(tmp_path, SOFTMAX_CE, *args)
    assert result.exit_code == 2


def test_missing_path_exits_two(tmp_path):
    assert CliRunner().invoke(main, [str(tmp_path / "nope.py")]).exit_code == 2


@pytest.mark.parametrize(
    "loss_line_comment, act_line_comment, suppressed",
    [
        ("  # noqa", "", True),
        ("  # noqa: LL101", "", True),
        ("", "  # noqa: LL101", True),
        ("  # NOQA:LL102, LL101", "", True),
        ("  # noqa: LL102", "", False),
        ("", "  # some comment", False),
    ],
)
def test_noqa_on_either_site(tmp_path, loss_line_comment, act_line_comment, suppressed):
    lines = SOFTMAX_CE.splitlines()
    lines[1] += act_line_comment
    lines[2] += loss_line_comment
    result = invoke(tmp_path, "\n".join(lines) + "\n")
    assert (result.exit_code == 0) is suppressed


def test_json_output_contract(tmp_path):
    result = invoke(tmp_path, SOFTMAX_CE, "--output-format", "json")
    assert result.exit_code == 1
    (item,) = json.loads(result.output)
    assert item["code"] == "LL101"
    assert item["name"] == "softmax-into-cross-entropy"
    assert item["severity"] == "warning"
    assert item["filename"] == str(tmp_path / "train.py")
    assert item["location"] == {"row": 3, "column": 8}
    assert item["end_location"] == {"row": 3, "column": 42}
    assert item["cell"] is None
    assert item["related"] == [
        {
            "filename": str(tmp_path / "train.py"),
            "cell": None,
            "location": {"row": 2, "column": 40},
            "message": "softmax applied here",
        }
    ]
    assert item["fix"]["applicability"] == "unsafe"
    (edit,) = item["fix"]["edits"]  # the softmax leaves the Sequential: ", nn.Softmax(dim=1)" goes
    assert edit["filename"] == str(tmp_path / "train.py") and edit["content"] == ""
    line = (tmp_path / "train.py").read_text().splitlines()[1]
    removed = line[edit["location"]["column"] - 1 : edit["end_location"]["column"] - 1]
    assert removed.replace(" ", "") == ",nn.Softmax(dim=1)"
    assert "train.py:2 nn.Softmax(dim=1)" in item["message"]


def test_json_output_is_an_empty_list_when_clean(tmp_path):
    result = invoke(tmp_path, "x = 1\n", "--output-format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_list_rules_names_every_rule():
    result = CliRunner().invoke(main, ["--list-rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == [rule.code for rule in RULES]


@pytest.mark.parametrize("code", [rule.code for rule in RULES])
def test_explain_every_rule(code):
    result = CliRunner().invoke(main, ["--explain", code.lower()])
    assert result.exit_code == 0
    assert f"({code})" in result.output
    for section in ("## What it does", "## Why is this bad?", "## Example"):
        assert section in result.output


def test_explain_unknown_code():
    assert CliRunner().invoke(main, ["--explain", "LL999"]).exit_code == 2


def test_stdin_with_a_filename():
    result = CliRunner().invoke(main, ["-", "--stdin-filename", "nb/train.py"], input=SOFTMAX_CE)
    assert result.exit_code == 1
    assert result.output.startswith("nb/train.py:3:8: LL101 ")


def test_folder_walk_skips_hidden_and_virtualenv_folders(tmp_path):
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bad.py").write_text(SOFTMAX_CE)
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "env" / "bad.py").write_text(SOFTMAX_CE)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(SOFTMAX_CE)
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("LL101") == 1 and "src" in result.output


def test_notes_of_analyses_stopped_at_their_budget_are_cut_unless_verbose():
    from losslint.cli import BUDGET_NOTES_SHOWN, _shown_notes

    budget = [f"analysis of f{i}() in a.py stopped at its step budget; the loss calls it reached count as unresolved" for i in range(8)]
    notes = ["files excluded: 2", *budget, "another note"]
    shown = _shown_notes(notes, verbose=False)
    assert shown[: BUDGET_NOTES_SHOWN + 1] == notes[: BUDGET_NOTES_SHOWN + 1] and "another note" in shown
    assert shown[-1].startswith(f"{8 - BUDGET_NOTES_SHOWN} more analyses stopped at their step budget (--verbose lists them)")
    assert len(shown) == 2 + BUDGET_NOTES_SHOWN + 1
    assert _shown_notes(notes, verbose=True) == notes
    assert _shown_notes(notes[:4], verbose=False) == notes[:4]
