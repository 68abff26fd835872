"""The command line as a careful user expects it (issue 22): exit statuses a CI can
tell apart, --fail-on, no silently ignored input, colour."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from losslint import cli
from losslint.cli import main

SOFTMAX_CE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""
SIGMOID_BCE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
loss = nn.BCELoss()(model(x), y)
"""


def write(tmp_path, source, name="train.py"):
    path = tmp_path / name
    path.write_text(source)
    return str(path)


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def _run_process(code, *args):
    """losslint in a process of its own, with ``cli.lint`` replaced by ``code``."""
    program = f"import sys, losslint.cli as c\n{code}\nc.main()"
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=120)


# -- exit statuses -------------------------------------------------------------------


def test_ctrl_c_exits_130_not_1(tmp_path):
    path = write(tmp_path, SOFTMAX_CE)
    done = _run_process("def lint(*a, **k):\n    raise KeyboardInterrupt\nc.lint = lint", path)
    assert done.returncode == 130
    assert "interrupted" in done.stderr and "Aborted" not in done.stderr and "Traceback" not in done.stderr


def test_an_internal_error_exits_2_and_asks_for_a_report(tmp_path):
    path = write(tmp_path, SOFTMAX_CE)
    done = _run_process("def lint(*a, **k):\n    raise ValueError('boom')\nc.lint = lint", path)
    assert done.returncode == 2
    assert "losslint: internal error, please report: ValueError: boom" in done.stderr
    assert "Traceback" not in done.stderr and "-v" in done.stderr
    verbose = _run_process("def lint(*a, **k):\n    raise ValueError('boom')\nc.lint = lint", path, "-v")
    assert verbose.returncode == 2 and "Traceback (most recent call last)" in verbose.stderr


def test_an_internal_error_beats_exit_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "lint", lambda *a, **k: 1 / 0)
    result = run(write(tmp_path, SOFTMAX_CE), "--exit-zero")
    assert result.exit_code == 2 and "internal error, please report: ZeroDivisionError" in result.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["--select", "LL999"], ["--fail-on", "fatal"], ["/no/such/path"]])
def test_usage_errors_exit_2(tmp_path, args):
    assert run(*args).exit_code == 2


def test_help_and_version_exit_0():
    assert run("--help").exit_code == 0 and run("--version").exit_code == 0


# -- --fail-on -----------------------------------------------------------------------


def test_info_findings_are_shown_but_do_not_fail_by_default(tmp_path):
    path = write(tmp_path, SIGMOID_BCE)
    result = run(path)
    assert "LL111" in result.stdout and result.exit_code == 0


@pytest.mark.parametrize(
    "source, fail_on, status",
    [
        (SIGMOID_BCE, "info", 1),
        (SIGMOID_BCE, "warning", 0),
        (SOFTMAX_CE, "warning", 1),
        (SOFTMAX_CE, "error", 0),
        (SOFTMAX_CE.replace("nn.Linear(4, 3), nn.Softmax(dim=1)", "nn.Linear(4, 1)"), "error", 1),  # LL201
    ],
)
def test_fail_on(tmp_path, source, fail_on, status):
    result = run(write(tmp_path, source), "--fail-on", fail_on)
    assert result.exit_code == status, result.output
    assert "LL" in result.stdout  # shown whatever the threshold


def test_fail_on_in_the_configuration_and_the_command_line_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nfail-on = "info"\n')
    path = write(tmp_path, SIGMOID_BCE)
    assert run(path).exit_code == 1
    assert run(path, "--fail-on", "warning").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\nfail-on = "never"\n')
    result = run(path)
    assert result.exit_code == 2 and "'fail-on' in [tool.losslint]" in result.stderr


def test_ll900_never_fails_even_with_fail_on_info(tmp_path):
    path = write(tmp_path, "import torch.nn as nn\nloss = nn.CrossEntropyLoss()(model(x), y)\n")
    result = run(path, "--show-unresolved", "--fail-on", "info")
    assert "LL900" in result.stdout and result.exit_code == 0


# -- nothing silently ignored --------------------------------------------------------


def test_a_config_file_without_a_losslint_table_is_an_error(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text("[tool.black]\nline-length = 100\n")
    result = run(write(tmp_path, SOFTMAX_CE), "--config", str(other))
    assert result.exit_code == 2 and "has no [tool.losslint] table" in result.stderr


def test_an_invalid_output_format_in_the_config_is_reported_even_when_overridden(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.losslint]\noutput-format = "jsn"\n')
    result = run(write(tmp_path, SOFTMAX_CE), "--output-format", "json")
    assert result.exit_code == 2 and "unknown output-format 'jsn'" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--list-rules", "PATH"], "--list-rules lints nothing: it takes no paths"),
        (["--list-rules", "--select", "LL9"], "--list-rules does not lint: --select would be ignored"),
        (["--list-rules", "--select", "XX1"], "--list-rules does not lint: --select would be ignored"),
        (["--explain", "LL101", "PATH"], "--explain lints nothing"),
        (["--explain", "LL101", "--fix"], "--explain does not lint: --fix would be ignored"),
        (["--explain", "LL101", "--output-format", "json"], "--explain does not take --output-format json"),
        (["--list-rules", "--output-format", "sarif"], "--list-rules does not take --output-format sarif"),
        (["--statistics", "--output-format", "sarif", "PATH"], "--statistics prints counts as text or JSON"),
        (["--list-rules", "--explain", "LL101"], "cannot be combined"),
        (["--stdin-filename", "x.py", "PATH"], "--stdin-filename goes with '-'"),
        (["--add-noqa", "--fix", "PATH"], "--add-noqa cannot be combined with --fix"),
    ],
)
def test_ignored_inputs_are_usage_errors(tmp_path, args, message):
    path = write(tmp_path, SOFTMAX_CE)
    result = run(*[path if a == "PATH" else a for a in args])
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_list_rules_and_statistics_as_json(tmp_path):
    rules = json.loads(run("--list-rules", "--output-format", "json").stdout)
    assert {"code": "LL101", "name": "softmax-into-cross-entropy"}.items() <= rules[1].items()
    stats = json.loads(run(write(tmp_path, SOFTMAX_CE), "--statistics", "--output-format", "json").stdout)
    assert stats["findings"] == [{"code": "LL101", "name": "softmax-into-cross-entropy", "count": 1}]
    assert stats["loss_calls"] == 1 and stats["resolved"] == 1


# -- colour --------------------------------------------------------------------------

ESC = "\x1b["


@pytest.mark.parametrize(
    "args, env, coloured",
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "0"}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        (["--output-format", "full", "--color", "always"], {}, True),
        (["--output-format", "json", "--color", "always"], {}, False),  # machine formats never
    ],
)
def test_colour(tmp_path, args, env, coloured):
    full_env = {"NO_COLOR": None, "FORCE_COLOR": None, **env}
    result = CliRunner().invoke(main, [write(tmp_path, SOFTMAX_CE), *args], env=full_env)
    assert (ESC in result.stdout) == coloured
    assert result.exit_code == 1


def test_concise_colour_marks_code_path_and_position(tmp_path):
    result = run(write(tmp_path, SOFTMAX_CE), "--color", "always")
    line = result.stdout.splitlines()[0]
    assert "\x1b[1m" in line and "LL101" in line and "\x1b[33m" in line  # bold path, warning in yellow


def test_full_carets_line_up_under_tabs_and_wide_characters(tmp_path):
    source = 'import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\nif True:\n\tl = {"损失": nn.CrossEntropyLoss()(model(x), y)}\n'
    result = run(write(tmp_path, source), "--output-format", "full", "--color", "never")
    lines = result.stdout.splitlines()
    code = next(i for i, text in enumerate(lines) if "损失" in text)
    text, caret = lines[code], lines[code + 1]
    # the terminal shows the tab as 4 columns and each CJK character as 2
    shown = text.replace("损", "损 ").replace("失", "失 ")
    assert caret.index("^") == shown.index("nn.CrossEntropyLoss")
    assert "\t" not in text


# -- positions -----------------------------------------------------------------------


def test_related_sites_are_paths_from_the_working_directory(tmp_path, monkeypatch):
    package = tmp_path / "pkg" / "models"
    package.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 3)\n"
        "    def forward(self, x):\n        return F.softmax(self.fc(x), dim=1)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch.nn as nn\nfrom pkg.models.model import Net\nmodel = Net()\nloss = nn.CrossEntropyLoss()(model(x), y)\n"
    )
    monkeypatch.chdir(tmp_path)
    for format_name in ("concise", "github", "junit"):
        output = run(".", "--output-format", format_name).stdout
        assert "pkg/models/model.py:8 F.softmax(self.fc(x), dim=1)" in output, (format_name, output)
        assert "(model.py:8" not in output


def test_sarif_uris_are_percent_encoded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my runs").mkdir()
    (tmp_path / "my runs" / "train #1%.py").write_text(SOFTMAX_CE)
    sarif = json.loads(run(".", "--output-format", "sarif").stdout)
    result = sarif["runs"][0]["results"][0]
    uris = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    uris += [r["physicalLocation"]["artifactLocation"]["uri"] for r in result["relatedLocations"]]
    assert set(uris) == {"my%20runs/train%20%231%25.py"}
    driver = sarif["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver and all("helpUri" not in rule for rule in driver["rules"])


def test_help_uri_only_with_a_documented_home(tmp_path, monkeypatch):
    from losslint import reporters

    monkeypatch.setattr(reporters, "DOCUMENTED_HOME", "https://docs.example.org/losslint/")
    sarif = json.loads(run(write(tmp_path, SOFTMAX_CE), "--output-format", "sarif").stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://docs.example.org/losslint/"
    assert driver["rules"][1]["helpUri"] == "https://docs.example.org/losslint/#what-it-finds"


def test_notebook_positions_in_every_format(tmp_path):
    from losslint.notebook import source_positions

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# notes\n", "more"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": SOFTMAX_CE.splitlines(keepends=True)},
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n")
    lines = path.read_text().splitlines()
    row = next(i for i, line in enumerate(lines, 1) if "CrossEntropyLoss" in line)
    column = lines[row - 1].index('"') + 2 + 7  # the loss call starts at column 8 of the cell's line
    assert source_positions(path.read_bytes())[2][2] == (row, lines[row - 1].index('"') + 2)
    concise = run(str(path)).stdout
    assert f"{path}:cell 2:3:8: LL101 " in concise and f"({path}:cell 2:2 nn.Softmax(dim=1))" in concise
    assert f"{path}:cell 2:3:8: LL101 " in run(str(path), "--output-format", "full").stdout
    assert f"{path}:cell 2:3:8: LL101 " in run(str(path), "--output-format", "junit").stdout
    github = run(str(path), "--output-format", "github").stdout
    assert github.startswith(f"::warning file={path},line={row},col={column},endLine={row},")
    assert "::LL101 cell 2, line 3: " in github
    sarif = json.loads(run(str(path), "--output-format", "sarif").stdout)["runs"][0]["results"][0]
    region = sarif["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (row, column)
    assert sarif["message"]["text"].startswith("cell 2, line 3: ")
    related = sarif["relatedLocations"][0]
    assert related["physicalLocation"]["region"]["startLine"] == row - 1 and related["message"]["text"].startswith("cell 2, line 2: ")
    finding = json.loads(run(str(path), "--output-format", "json").stdout)[0]
    assert finding["cell"] == 2 and finding["location"] == {"row": 3, "column": 8}


def test_source_positions_of_a_one_string_source_and_escapes():
    from losslint.notebook import source_positions

    document = '{"cells": [{"cell_type": "code", "source": "a = 1\\nb = \\"x\\"\\n", "metadata": {"source": ["no"]}}], "nbformat": 4}'
    assert source_positions(document.encode()) == {1: [(1, 45), (1, 45)]}
    assert source_positions(b"not json") == {}


def test_explain_is_rendered_on_a_terminal_and_markdown_on_a_pipe():
    plain = run("--explain", "LL101").stdout
    assert "## What it does" in plain and ESC not in plain
    rendered = run("--explain", "LL101", "--color", "always").stdout
    assert ESC in rendered and "## What it does" not in rendered and "What it does" in rendered
