"""Standard input as editors use it: ``losslint - --stdin-filename PATH`` lints the buffer
as the file at PATH (configuration, excludes and imports found from PATH), and never
answers bad input with a traceback."""

import json
import os
import subprocess
import sys

import pytest

from tests.test_named_files import MODEL, TRAIN

FIXED_MODEL = MODEL.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")
INLINE = "import torch\nimport torch.nn.functional as F\nz = torch.randn(8, 3)\ny = torch.randint(0, 3, (8,))\nloss = F.cross_entropy(F.softmax(z, dim=1), y)\n"


def cli(*args, cwd, stdin=""):
    env = {**os.environ, "XDG_CACHE_HOME": str(cwd / ".user-cache")}
    done = subprocess.run(
        [sys.executable, "-m", "losslint", *args], cwd=cwd, input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True, env=env, timeout=300,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    return done


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint]\nextend-exclude = ["generated"]\n')
    (root / "src" / "model.py").write_text(MODEL)
    (root / "src" / "train.py").write_text(TRAIN)
    elsewhere = tmp_path / "elsewhere"  # where the editor runs losslint: another folder
    elsewhere.mkdir()
    return root, elsewhere


def test_imports_are_followed_from_the_file_s_folder(project):
    root, elsewhere = project
    train = str(root / "src" / "train.py")
    done = cli("-", "--stdin-filename", train, "--show-unresolved", cwd=elsewhere, stdin=TRAIN)
    assert done.returncode == 1
    assert done.stdout.decode().startswith(f"{train}:10:8: LL101 CrossEntropyLoss receives softmax probabilities from Net ({root / 'src' / 'model.py'}:11")
    assert b"LL900" not in done.stdout and b"not defined" not in done.stdout


def test_the_buffer_replaces_the_file_on_disk(project):
    root, _ = project
    (root / "src" / "model.py").write_text(FIXED_MODEL)  # saved fixed; the buffer still has the softmax
    done = cli("-", "--stdin-filename", "src/model.py", "--output-format", "json", cwd=root, stdin=MODEL)
    [finding] = json.loads(done.stdout)
    assert (finding["filename"], finding["location"]["row"]) == ("src/model.py", 11)
    assert finding["related"][0]["filename"] == os.path.join("src", "train.py")
    # and the other way round: the buffer is fixed, the file on disk is not
    (root / "src" / "model.py").write_text(MODEL)
    assert json.loads(cli("-", "--stdin-filename", "src/model.py", "--output-format", "json", cwd=root, stdin=FIXED_MODEL).stdout) == []


def test_configuration_is_found_from_the_file_not_the_working_folder(project):
    root, elsewhere = project
    path = str(root / "src" / "inline.py")
    assert cli("-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE).returncode == 1
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint]\nignore = ["LL101"]\n')
    done = cli("-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE)
    assert done.returncode == 0 and b"No findings" in done.stdout
    # the cache goes to the file's project, not to where losslint was started
    assert (root / ".losslint_cache" / "CACHEDIR.TAG").exists() and not (elsewhere / ".losslint_cache").exists()


def test_force_exclude_applies_to_the_file_name(project):
    root, elsewhere = project
    path = str(root / "generated" / "inline.py")
    assert cli("-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE).returncode == 1  # named: linted
    done = cli("--force-exclude", "-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE)
    assert done.returncode == 0 and done.stdout == b"" and done.stderr == b""
    # --fix gives the buffer back unchanged: an editor replaces its text with standard output
    fixed = cli("--force-exclude", "--fix", "--unsafe-fixes", "-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE)
    assert fixed.returncode == 0 and fixed.stdout == INLINE.encode()
    diff = cli("--force-exclude", "--diff", "--unsafe-fixes", "-", "--stdin-filename", path, cwd=elsewhere, stdin=INLINE)
    assert diff.returncode == 0 and diff.stdout == b""


def test_diff_and_fix_are_of_the_buffer(project):
    root, _ = project
    (root / "src" / "inline.py").write_text("x = 1\n")  # what is on disk plays no part
    diff = cli("--diff", "--unsafe-fixes", "-", "--stdin-filename", "src/inline.py", cwd=root, stdin=INLINE)
    assert diff.returncode == 1
    assert b"-loss = F.cross_entropy(F.softmax(z, dim=1), y)\n+loss = F.cross_entropy(z, y)\n" in diff.stdout
    assert b"-x = 1" not in diff.stdout
    fixed = cli("--fix", "--unsafe-fixes", "-", "--stdin-filename", "src/inline.py", cwd=root, stdin=INLINE)
    assert fixed.stdout.decode() == INLINE.replace("F.softmax(z, dim=1)", "z")
    assert (root / "src" / "inline.py").read_text() == "x = 1\n"


@pytest.mark.parametrize("data", [b"{not json", b'{"cells": 3}', b'{"nbformat": 4, "cells": [{"cell_type": "code"}]}', b"\xff\xfe\x00"])
@pytest.mark.parametrize("mode", [(), ("--fix",), ("--diff",)])
def test_bad_notebooks_from_standard_input(project, data, mode):
    root, _ = project
    done = cli(*mode, "--unsafe-fixes", "-", "--stdin-filename", "nb.ipynb", cwd=root, stdin=data)
    if mode == ("--diff",):
        assert done.returncode == 0 and done.stdout == b""  # nothing to fix in what cannot be read
    else:
        assert done.returncode == 1 and b"LL000" in (done.stderr if mode else done.stdout)
    if mode == ("--fix",):
        assert done.stdout == data  # the bytes read, unchanged


def test_usage_errors(project):
    root, _ = project
    done = cli("-", "--stdin-filename", "", cwd=root, stdin=INLINE)
    assert done.returncode == 2 and b"--stdin-filename needs a file name" in done.stderr
    done = cli("-", "x.py", cwd=root, stdin=INLINE)
    assert done.returncode == 2


def test_a_syntax_error_s_column_is_counted_on_the_buffer_not_the_file_on_disk(project):
    root, _ = project
    (root / "src" / "scratch.py").write_text("y = 1\n")
    done = cli("--no-cache", "-", "--stdin-filename", "src/scratch.py", cwd=root, stdin="é = pass\n")
    assert "src/scratch.py:1:5: LL000" in done.stdout.decode(), done.stdout.decode()
