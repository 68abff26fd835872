"""The cache folder keeps out of git and backups, and ``losslint clean`` removes it."""

import os
import subprocess
import sys

from click.testing import CliRunner

from losslint.cache import CACHEDIR_TAG, Cache, mark
from losslint.cli import main

SOFTMAX_CE = "import torch.nn.functional as F\nloss = F.cross_entropy(F.softmax(z, dim=1), y)\n"


def lint(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".user-cache"))
    return CliRunner().invoke(main, list(args))


def test_the_cache_folder_has_a_gitignore_and_a_cachedir_tag(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "train.py").write_text(SOFTMAX_CE)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text(".user-cache/\n")
    assert lint(tmp_path, monkeypatch, ".").exit_code == 1
    cache = tmp_path / ".losslint_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True)
    assert ".losslint_cache" not in status.stdout and "train.py" in status.stdout


def test_marking_never_replaces_or_follows_what_is_there(tmp_path):
    cache = tmp_path / ".losslint_cache"
    cache.mkdir()
    target = tmp_path / "victim"
    target.write_text("precious\n")
    os.symlink(target, cache / ".gitignore")  # planted in the linted tree
    (cache / "CACHEDIR.TAG").write_text("mine\n")
    mark(str(cache))
    assert target.read_text() == "precious\n" and (cache / "CACHEDIR.TAG").read_text() == "mine\n"
    # an older cache without the markers gets them on the next write
    old = tmp_path / "old" / ".losslint_cache"
    old.mkdir(parents=True)
    store = Cache(str(old), key=b"k" * 32)
    store.put("ab" * 32, ("an", "entry"))
    assert (old / ".gitignore").exists() and (old / "CACHEDIR.TAG").read_bytes() == CACHEDIR_TAG


def test_clean_removes_the_project_cache_and_nothing_else(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "train.py").write_text(SOFTMAX_CE)
    lint(tmp_path, monkeypatch, "sub")
    assert (tmp_path / ".losslint_cache").is_dir()
    monkeypatch.chdir(tmp_path / "sub")  # the project's cache, from a folder inside it
    result = CliRunner().invoke(main, ["clean"])
    assert result.exit_code == 0 and "removed" in result.output
    assert not (tmp_path / ".losslint_cache").exists() and (tmp_path / "sub" / "train.py").exists()
    result = CliRunner().invoke(main, ["clean"])
    assert result.exit_code == 0 and "no cache at" in result.output


def test_clean_refuses_a_folder_that_is_not_a_cache(tmp_path, monkeypatch):
    mine = tmp_path / "my-data"
    mine.mkdir()
    (mine / "results.csv").write_text("1,2\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(mine)])
    assert result.exit_code == 2 and "not a losslint cache" in result.output
    assert (mine / "results.csv").exists()
    # a --cache-dir losslint made is tagged: clean removes it
    lint(tmp_path, monkeypatch, "--cache-dir", str(tmp_path / "elsewhere"), ".")
    (tmp_path / "train.py").write_text(SOFTMAX_CE)
    lint(tmp_path, monkeypatch, "--cache-dir", str(tmp_path / "elsewhere"), ".")
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").exists()
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(tmp_path / "elsewhere")])
    assert result.exit_code == 0 and not (tmp_path / "elsewhere").exists()


def test_a_folder_named_like_a_command_is_linted_with_a_path(tmp_path, monkeypatch):
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "train.py").write_text(SOFTMAX_CE)
    result = lint(tmp_path, monkeypatch, "--no-cache", "./clean")
    assert result.exit_code == 1 and "LL101" in result.output
    help_text = subprocess.run([sys.executable, "-m", "losslint", "--help"], capture_output=True, text=True).stdout
    assert "server" in help_text and "clean" in help_text
