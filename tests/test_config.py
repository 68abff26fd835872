"""[tool.losslint] in pyproject.toml, and file discovery."""

import subprocess

import pytest
from click.testing import CliRunner

from losslint.cli import main

SOFTMAX_CE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""
LOG_SOFTMAX_CE = SOFTMAX_CE.replace("nn.Softmax", "nn.LogSoftmax")


def project(tmp_path, table="", files=None):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'demo'\n\n[tool.losslint]\n{table}")
    for name, text in (files or {"train.py": SOFTMAX_CE}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_ignore_in_the_config(tmp_path):
    root = project(tmp_path, 'ignore = ["LL101"]\n')
    assert run(root).exit_code == 0


def test_command_line_wins_over_the_config(tmp_path):
    root = project(tmp_path, 'ignore = ["LL101"]\n')
    assert run(root, "--select", "LL101").exit_code == 1


def test_extend_select_in_the_config(tmp_path):
    root = project(tmp_path, 'extend-select = ["LL108"]\nfail-on = "info"\n', {"train.py": LOG_SOFTMAX_CE})
    result = run(root)
    assert result.exit_code == 1 and "LL108" in result.stdout


def test_select_in_the_config_replaces_the_defaults(tmp_path):
    root = project(tmp_path, 'select = ["LL2"]\n')
    assert run(root).exit_code == 0


def test_per_file_ignores(tmp_path):
    files = {"train.py": SOFTMAX_CE, "scripts/demo.py": SOFTMAX_CE}
    root = project(tmp_path, '[tool.losslint.per-file-ignores]\n"scripts/*" = ["LL1"]\n', files)
    result = run(root)
    assert result.stdout.count("LL101") == 1 and "train.py" in result.stdout


def test_exclude_and_extend_exclude(tmp_path):
    files = {"train.py": SOFTMAX_CE, "legacy/old.py": SOFTMAX_CE, "gen/model_pb2.py": SOFTMAX_CE}
    root = project(tmp_path, 'extend-exclude = ["legacy", "*_pb2.py"]\n', files)
    assert run(root).stdout.count("LL101") == 1


def test_a_path_named_on_the_command_line_is_linted_unless_forced(tmp_path):
    root = project(tmp_path, 'extend-exclude = ["legacy"]\n', {"legacy/old.py": SOFTMAX_CE})
    assert run(root / "legacy" / "old.py").exit_code == 1
    assert run(root / "legacy" / "old.py", "--force-exclude").exit_code == 0


def test_output_format_in_the_config(tmp_path):
    root = project(tmp_path, 'output-format = "github"\n')
    assert run(root).stdout.startswith("::warning file=")


def test_the_nearest_pyproject_upwards_is_used(tmp_path):
    root = project(tmp_path, 'ignore = ["LL101"]\n', {"src/pkg/train.py": SOFTMAX_CE})
    assert run(root / "src" / "pkg" / "train.py").exit_code == 0


def test_config_option_names_the_file(tmp_path):
    root = project(tmp_path, "")
    other = tmp_path / "strict.toml"
    other.write_text('[tool.losslint]\nignore = ["LL101"]\n')
    assert run(root, "--config", other).exit_code == 0


@pytest.mark.parametrize(
    "table, words",
    [
        ('selekt = ["LL101"]\n', ["unknown key 'selekt'", "pyproject.toml"]),
        ('ignore = ["LL999"]\n', ["unknown rule selector 'LL999'", "pyproject.toml"]),
        ('ignore = "LL101"\n', ["'ignore'", "list of rule codes"]),
        ('output-format = "xml"\n', ["unknown output-format 'xml'"]),
        ("select = [\n", ["not valid TOML"]),
    ],
)
def test_configuration_errors_exit_two_and_name_the_problem(tmp_path, table, words):
    root = project(tmp_path, table)
    result = run(root)
    assert result.exit_code == 2
    assert all(word in result.stderr for word in words)


def test_gitignored_files_are_skipped(tmp_path):
    root = project(tmp_path, "", {"train.py": SOFTMAX_CE, "outputs/copy.py": SOFTMAX_CE})
    (root / ".gitignore").write_text("outputs/\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    result = run(root)
    assert result.stdout.count("LL101") == 1 and "outputs" not in result.stdout


def test_exit_zero_and_quiet(tmp_path):
    root = project(tmp_path, "")
    result = run(root, "--exit-zero", "--quiet")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1 and "LL101" in result.stdout


def test_unsafe_fixes_in_the_config(tmp_path):
    root = project(tmp_path, "unsafe-fixes = true\n")
    assert "LL101 [*] " in run(root).output
    assert "LL101 [*] " not in run(root, "--no-unsafe-fixes").output
    (tmp_path / "bad").mkdir()
    bad = project(tmp_path / "bad", "unsafe-fixes = 'yes'\n")
    result = run(bad)
    assert result.exit_code == 2 and "'unsafe-fixes'" in result.output


def test_jupyter_checkpoints_are_excluded_by_default(tmp_path):
    """A committed checkpoint copy would report every finding of a notebook twice."""
    import json

    from click.testing import CliRunner

    from losslint.cli import main

    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
            "source": ["import torch\n", "import torch.nn.functional as F\n",
                       "loss = F.cross_entropy(F.softmax(torch.randn(4, 3), dim=1), torch.tensor([0, 1, 2, 0]))\n"]}
    notebook = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (tmp_path / "train.ipynb").write_text(notebook)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "train-checkpoint.ipynb").write_text(notebook)
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache", "--output-format", "json"])
    assert [d["filename"].rsplit("/", 1)[-1] for d in json.loads(result.output)] == ["train.ipynb"]
