"""The input layer: whatever the linted tree holds, the run neither hangs nor crashes nor
executes anything from it; a file it did not read is said (LL000), and the other files'
findings are still reported."""

import hashlib
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint import gitignore
from losslint.analysis.summary import MAX_FILE_BYTES
from losslint.cache import CACHE_DIRECTORY, Cache
from losslint.cli import main
from losslint.files import Excluder, discover
from losslint.notebook import read_notebook, replace_code
from losslint.runner import lint
from losslint.selection import resolve

ROOT = Path(__file__).resolve().parent.parent
TRAIN = (
    "import torch\n"
    "import torch.nn.functional as F\n"
    "\n"
    "logits = torch.randn(8, 3)\n"
    "loss = F.cross_entropy(F.softmax(logits, dim=1), torch.randint(0, 3, (8,)))\n"
)
"""LL101 on line 5."""


@pytest.fixture(autouse=True)
def private_cache_key(tmp_path_factory, monkeypatch):
    """The per-user cache key of these tests lives in a folder of their own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


def cli(*args, cwd=None, stdin=None, env=None):
    """losslint in a process of its own (a hang fails the test instead of the suite)."""
    command = [sys.executable, "-m", "losslint", *map(str, args)]
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, env=environment, timeout=300)


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout


def nb(*sources, kind="code"):
    return {"cells": [{"cell_type": kind, "metadata": {}, "outputs": [], "source": s} for s in sources], "nbformat": 4}


# -- notebooks ----------------------------------------------------------------------------

MALFORMED = {
    "source-int": ('{"cells": [{"cell_type": "code", "source": 42}], "nbformat": 4}', "cell 1 source is not a string or list of strings"),
    "source-list-with-int": ('{"cells": [{"cell_type": "code", "source": ["x = 1\\n", 2]}], "nbformat": 4}', "cell 1 source is not a string or list of strings"),
    "source-list-with-null": ('{"cells": [{"cell_type": "code", "source": ["x = 1\\n", null]}], "nbformat": 4}', "cell 1 source is not a string or list of strings"),
    "source-dict": ('{"cells": [{"cell_type": "code", "source": {"a": 1}}], "nbformat": 4}', "cell 1 source is not a string or list of strings"),
    "source-null": ('{"cells": [{"cell_type": "code", "source": null}], "nbformat": 4}', "cell 1 has no source"),
    "no-source": ('{"cells": [{"cell_type": "markdown", "source": ""}, {"cell_type": "code"}], "nbformat": 4}', "cell 2 has no source"),
    "cells-not-objects": ('{"cells": [1, "text", null], "nbformat": 4}', "cell 1 is not an object"),
    "no-cell-type": ('{"cells": [{"source": "' + TRAIN.replace("\n", "\\n") + '"}], "nbformat": 4}', "cell 1 has no cell_type"),
    "cell-type-not-a-string": ('{"cells": [{"cell_type": 7, "source": ""}], "nbformat": 4}', "cell 1 cell_type is not a string"),
    "nested-too-deeply": ('{"metadata": ' + "[" * 100_000 + "]" * 100_000 + ', "cells": [], "nbformat": 4}', "nested too deeply"),
    "lone-surrogate": ('{"cells": [{"cell_type": "code", "source": "x = \'\\ud800\'\\n"}], "nbformat": 4}', "lone surrogate (U+D800)"),
    "nbformat-a-string": ('{"nbformat": "3"}', "no list of cells"),
    "top-level-list": ("[1, 2]", "no list of cells"),
    "not-utf-8": (b'{"cells": "\xff"}', "not JSON"),
}


@pytest.mark.parametrize("content, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_notebook_is_reported_and_the_run_goes_on(tmp_path, content, message):
    (tmp_path / "bad.ipynb").write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "train.py").write_text(TRAIN)
    status, output = invoke(tmp_path, "--no-cache")
    assert status == 1
    (ll000,) = [line for line in output.splitlines() if " LL000 " in line]
    assert "bad.ipynb:1:1: LL000 invalid notebook: " in ll000 and message in ll000
    assert "train.py:5:8: LL101" in output


@pytest.mark.parametrize(
    "cell",
    [
        "IN_COLAB = False\nif IN_COLAB:\n    !pip install torch\n",
        "for i in range(2):\n    %time f(i)\nelse:\n    !echo done\n",
        "try:\n    import google.colab\nexcept ImportError:\n    %pip install torch\n",
        "def f():\n    %timeit g()\n",
        "?len\n",
        "??len\n",
        "?\n",
        "len?\n",
        "torch.nn.functional??\n",
        "with open('x') as handle:\n    ?handle\n",
        "np.*load*?\n",
        "files = !ls\nhome = %env HOME\n",
        "!pip install \\\n    torch \\\n    numpy\nif x:\n    %pip install \\\n        torch\n",
        "y = (1\n     % 2)\nif (y\n    != 3):\n    pass\n",
        "text = '''\n!not a command\n'''\n",
        "await asyncio.sleep(0)\nasync with lock:\n    pass\nasync for item in stream():\n    pass\n",
        "    x = 1\n    if x:\n        !ls\n",
        "\n\n%%bash\necho 'an unclosed (\n",
        "%%time\nx = 1\n",
        "/print 1 2\n",
        "s = 'a\u2028b\x0cc'\n",
    ],
)
def test_valid_ipython_is_never_refused(tmp_path, cell):
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb(cell, TRAIN)))
    status, output = invoke(tmp_path / "nb.ipynb", "--no-cache")
    assert "LL000" not in output
    assert status == 1 and "nb.ipynb:cell 2:5:8: LL101" in output


def test_a_neutralised_line_keeps_the_block_valid_and_the_line_count():
    notebook, problem = read_notebook(json.dumps(nb("if x:\n    !pip install torch\n    ?len\nz = 1\n")).encode())
    assert problem is None
    assert notebook.source == "if x:\n    pass  # !pip install torch\n    pass  # ?len\nz = 1\n"
    assert notebook.cells == [(1, 1), (1, 2), (1, 3), (1, 4)]


def test_a_fix_in_an_indented_cell_keeps_its_indentation():
    data = (json.dumps(nb(["  if x:\n", "      !ls\n", "  y = F.softmax(z, 1)\n"]), indent=1) + "\n").encode()
    notebook, _ = read_notebook(data)
    fixed = replace_code(data, notebook.source, notebook.source.replace("F.softmax(z, 1)", "z"))
    assert json.loads(fixed)["cells"][0]["source"] == ["  if x:\n", "      !ls\n", "  y = z\n"]


# -- files that are not regular files, unreadable folders, oversized files -------------------


def _tree_with(tmp_path, make):
    (tmp_path / "train.py").write_text(TRAIN)
    make(tmp_path)
    return cli("--no-cache", tmp_path, cwd=tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["pipe.py", "pipe.ipynb"])
def test_a_fifo_is_reported_not_read(tmp_path, name):
    result = _tree_with(tmp_path, lambda root: os.mkfifo(root / name))
    assert result.returncode == 1
    assert f"{name}:1:1: LL000 not a regular file (FIFO); skipped".encode() in result.stdout
    assert b"train.py:5:8: LL101" in result.stdout
    named = cli("--no-cache", tmp_path / name, tmp_path / "train.py", cwd=tmp_path)  # named on the command line
    assert b"LL000 not a regular file (FIFO)" in named.stdout and b"LL101" in named.stdout


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_link_to_a_device_is_reported_not_read(tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    result = _tree_with(tmp_path, lambda root: os.symlink(device, root / "device.py"))
    assert result.returncode == 1
    assert b"device.py:1:1: LL000 not a regular file (character device); skipped" in result.stdout
    assert b"train.py:5:8: LL101" in result.stdout


def test_an_oversized_file_is_reported_when_it_names_a_loss_anywhere(tmp_path):
    filler = b"x = 1\n" * (MAX_FILE_BYTES // 6 + 1000)
    (tmp_path / "big_loss.py").write_bytes(filler + b"criterion = nn.CrossEntropyLoss()\n")
    (tmp_path / "big_table.py").write_bytes(filler)
    (tmp_path / "train.py").write_text(TRAIN)
    report = lint([str(tmp_path)], resolve())
    found = sorted((os.path.basename(d.location.path), d.code, d.message) for d in report.diagnostics)
    assert [(name, code) for name, code, _ in found] == [("big_loss.py", "LL000"), ("train.py", "LL101")]
    assert found[0][2].startswith("file too large to analyse (2.0 MB > 2 MB)")


def _unlistable_folder(root):
    (root / "models").mkdir()
    (root / "models" / "train.py").write_text(TRAIN)
    (root / "ok.py").write_text("x = 1\n")
    os.chmod(root / "models", 0)


def _can_drop_privileges():
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run(["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", "true"], capture_output=True)
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] if probe.returncode == 0 else None


def test_an_unreadable_folder_is_reported(tmp_path):
    prefix = _can_drop_privileges()
    if prefix is None:
        pytest.skip("running as root without setpriv: a mode-000 folder stays readable")
    _unlistable_folder(tmp_path)
    try:
        command = prefix + [sys.executable, "-m", "losslint", "--no-cache", str(tmp_path)]
        result = subprocess.run(command, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    finally:
        os.chmod(tmp_path / "models", 0o755)
    assert result.returncode == 1, result.stderr
    assert f"{tmp_path / 'models'}:1:1: LL000 cannot read the folder: Permission denied".encode() in result.stdout


def test_a_folder_the_walk_cannot_list_is_reported(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "train.py").write_text(TRAIN)
    (tmp_path / "train.py").write_text(TRAIN)
    scandir = os.scandir

    def refusing(path="."):
        if os.path.basename(os.fspath(path)) == "models":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    report = lint([str(tmp_path)], resolve())
    found = sorted((d.location.path, d.code, d.message) for d in report.diagnostics)
    assert (str(tmp_path / "models"), "LL000", "cannot read the folder: Permission denied") in found
    assert (str(tmp_path / "train.py"), "LL101") in [(p, c) for p, c, _ in found]


def test_a_tree_a_thousand_folders_deep_is_walked(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    folders = [tmp_path]
    for _ in range(1200):  # os.walk recurses (Python < 3.12): RecursionError
        folders.append(folders[-1] / "a")
        folders[-1].mkdir()
    (folders[-1] / "deep.py").write_text("x = 1\n")
    try:
        report = lint([str(tmp_path)], resolve())
        assert report.files == 2 and [d.code for d in report.diagnostics] == ["LL101"]
    finally:  # shutil.rmtree recurses too
        (folders[-1] / "deep.py").unlink()
        for folder in reversed(folders[1:]):
            folder.rmdir()


# -- git: the checkout's configuration never runs anything ----------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@needs_git
def test_a_checkout_configuration_naming_commands_runs_none_of_them(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    marker = tmp_path / "MARKER"
    for key in ("core.fsmonitor", "core.pager", "core.sshCommand", "core.editor", "core.askPass", "diff.external"):
        _git(repo, "config", key, f"touch {marker}; false")
    _git(repo, "config", "core.hooksPath", str(tmp_path / "hooks"))
    _git(repo, "config", "filter.evil.clean", f"touch {marker}")
    _git(repo, "config", "filter.evil.process", f"touch {marker}")
    (tmp_path / "hooks").mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change"):
        (tmp_path / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        os.chmod(tmp_path / "hooks" / hook, 0o755)
    (repo / ".gitattributes").write_text("* filter=evil\n")
    (repo / ".gitignore").write_text("outputs/\n")
    (repo / "train.py").write_text(TRAIN)
    (repo / "outputs").mkdir()
    (repo / "outputs" / "copy.py").write_text(TRAIN)
    result = cli("--no-cache", repo, cwd=repo)
    assert not marker.exists()
    assert result.stdout.count(b"LL101") == 1 and b"outputs" not in result.stdout


def test_discovering_files_starts_no_process(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    (tmp_path / "ignored.py").write_text(TRAIN)
    (tmp_path / "train.py").write_text(TRAIN)

    def refuse(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    found, _ = discover([str(tmp_path)], Excluder((), str(tmp_path)))
    assert found == [str(tmp_path / "train.py")]


GITIGNORE_CASES = [
    "*.py\n!keep.py\n",
    "build/\n!build/keep.py\n",
    "build/*\n!build/keep.py\n",
    "/top.py\n",
    "a/b.py\n",
    "**/gen/\n",
    "deep/**\n!deep/**/keep.py\n",
    "deep/**/x.py\n",
    "docs/**/*.py\n",
    "[ab].py\n[!k]*.py\n",
    "x.p?\n",
    "\\!bang.py\n\\#hash.py\n",
    "# a comment\n\ntrailing.py   \n",
    "escaped\\ .py\n",
    "*/nested.py\n",
    "gen\n!gen/\n",
    "sub/\n",
    "/sub/\n",
    "**\n!*/\n!keep.py\n",
]
TREE = [
    "top.py", "keep.py", "x.py", "a.py", "k.py", "!bang.py", "#hash.py", "trailing.py", "escaped .py", "b.py",
    "a/b.py", "a/keep.py", "build/keep.py", "build/other.py", "deep/x.py", "deep/keep.py", "deep/one/two/x.py",
    "deep/one/keep.py", "docs/a/b/c.py", "docs/c.py", "src/gen/m.py", "gen/m.py", "src/nested.py", "src/x/nested.py",
    "sub/a.py", "src/sub/a.py", "src/top.py",
]  # fmt: skip


@needs_git
@pytest.mark.parametrize("rules", GITIGNORE_CASES)
def test_ignore_rules_are_read_as_git_reads_them(tmp_path, rules):
    _git(tmp_path, "init", "-q")
    for name in TREE:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / ".gitignore").write_text(rules)
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / ".gitignore").write_text("!top.py\nx/\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("k.py\n")
    _git(tmp_path, "add", "-f", "b.py", "deep/x.py")  # tracked files are never ignored
    listed = subprocess.run(
        ["git", "-C", str(tmp_path), "ls-files", "-z", "--others", "--ignored", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    by_git = {path for path in listed.split("\0") if path.endswith(".py")}
    found, _ = discover([str(tmp_path)], Excluder((), str(tmp_path)))
    skipped = set(TREE) - {os.path.relpath(path, tmp_path).replace(os.sep, "/") for path in found}
    assert skipped == by_git


def test_gitignore_patterns_translate_as_wildmatch():
    def match(pattern, path):
        return gitignore.parse_rules(pattern.encode(), "")[0].matches(path, False)

    assert match("a/**/b", "a/b") and match("a/**/b", "a/x/y/b") and not match("a/**/b", "ab")
    assert match("**/foo", "foo") and match("**/foo", "x/y/foo") and not match("/foo", "x/foo")
    assert match("foo", "x/y/foo") and not match("x/*.py", "x/y/z.py") and match("[[:digit:]]*.py", "1.py")
    assert not gitignore.parse_rules(b"dir/\n", "")[0].matches("dir", False)


# -- the cache: nothing losslint did not write is unpickled ---------------------------------


class Payload:
    """Unpickling this writes a marker: what a planted cache entry would run."""

    marker = ""

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _plant(path, marker):
    payload = Payload()
    payload.marker = str(marker)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(payload))


def test_a_pickle_planted_in_the_tree_cache_is_never_loaded(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.losslint]\n")
    (project / "a.py").write_text("x = 1\n")
    (project / "train.py").write_text(TRAIN)
    marker = tmp_path / "MARKER"
    cache = Cache(str(project / CACHE_DIRECTORY))
    key = hashlib.sha256(b"x = 1\n").hexdigest()
    _plant(Path(cache._path(key)), marker)
    result = cli(project, cwd=tmp_path)
    assert not marker.exists() and result.returncode == 1 and b"train.py:5:8: LL101" in result.stdout
    written = list((project / CACHE_DIRECTORY).rglob("*.pickle"))
    assert len(written) >= 3  # the run wrote its own entries: now replace every one of them
    for path in written:
        _plant(path, marker)
    again = cli(project, cwd=tmp_path)
    assert not marker.exists() and again.stdout == result.stdout


def test_a_tampered_or_foreign_entry_reads_as_absent(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN)
    cache = Cache(str(tmp_path / "cache"))
    first = [(d.code, d.location.row) for d in lint([str(tmp_path)], resolve(), cache=cache).diagnostics]
    entries = list((tmp_path / "cache").rglob("*.pickle"))
    assert first == [("LL101", 5)] and entries
    foreign = Cache(str(tmp_path / "cache"), key=b"k" * 32)  # another user's secret
    assert all(foreign.get(path.stem, object) is None for path in entries)
    for path in entries:
        data = bytearray(path.read_bytes())
        data[-1] ^= 1
        path.write_bytes(bytes(data))
    assert all(cache.get(path.stem, object) is None for path in entries)
    assert [(d.code, d.location.row) for d in lint([str(tmp_path)], resolve(), cache=cache).diagnostics] == first


def test_the_cache_key_is_private_and_outside_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = Cache(str(tmp_path / "project" / CACHE_DIRECTORY))
    key = tmp_path / "xdg" / "losslint" / "key"
    assert cache.enabled and key.exists() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert Cache(str(tmp_path / "elsewhere")).secret == cache.secret  # one key per user


def test_without_a_key_there_is_no_cache_and_the_run_goes_on(tmp_path, monkeypatch):
    (tmp_path / "blocked").write_text("a file where the key folder would go\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "train.py").write_text(TRAIN)
    cache = Cache(str(tmp_path / "project" / CACHE_DIRECTORY))
    assert not cache.enabled
    cache.put("0" * 64, "value")
    assert cache.get("0" * 64, str) is None and not (tmp_path / "project" / CACHE_DIRECTORY).exists()
    result = cli(tmp_path / "project", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "blocked")})
    assert result.returncode == 1 and b"LL101" in result.stdout and b"Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_key_others_can_read_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    Cache(str(tmp_path / "c"))
    os.chmod(tmp_path / "losslint" / "key", 0o644)
    cache = Cache(str(tmp_path / "c"))
    assert not cache.enabled and "only you can read" in cache.problem


@pytest.mark.parametrize("marker", [".git", "pyproject.toml", "setup.py", "setup.cfg", None])
def test_the_default_cache_is_at_the_project_root_not_the_current_folder(tmp_path, marker):
    project = tmp_path / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    if marker == ".git":
        (project / ".git").mkdir()
    elif marker:
        (project / marker).write_text("")
    (project / "src" / "pkg" / "train.py").write_text(TRAIN)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cli(project / "src" / "pkg", cwd=elsewhere)
    assert not (elsewhere / CACHE_DIRECTORY).exists()
    home = project if marker else project / "src" / "pkg"  # no marker: the folder linted
    assert any((home / CACHE_DIRECTORY).rglob("*.pickle"))


# -- output formats: whatever the paths and the code hold --------------------------------------


def test_junit_stays_well_formed_with_control_characters(tmp_path):
    (tmp_path / "formfeed.py").write_text(TRAIN.replace("F.softmax(logits", "F.softmax(\x0clogits"))
    name = "ctl\x01.py"
    (tmp_path / name).write_text(TRAIN)
    result = cli("--no-cache", "--output-format", "junit", tmp_path, cwd=tmp_path)
    suites = ET.fromstring(result.stdout)  # raises on a character XML 1.0 forbids
    failures = [f.get("message") for f in suites.iter("failure")]
    assert len(failures) == 2 and any("\\x0c" in message for message in failures)
    assert any(suite.get("name").endswith("ctl\\x01.py") for suite in suites.iter("testsuite"))


@pytest.mark.parametrize("fmt", ["concise", "full", "json", "sarif", "github", "junit"])
def test_a_file_name_that_is_not_utf8_breaks_no_format(tmp_path, fmt):
    try:
        (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(TRAIN)
    except (OSError, UnicodeError):
        pytest.skip("this file system wants UTF-8 names")
    result = cli("--no-cache", "--output-format", fmt, tmp_path, cwd=tmp_path, env={"PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    text = result.stdout.decode("utf-8")  # strict: valid UTF-8
    if fmt in ("json", "sarif"):
        json.loads(text)
        text = text.replace("\\\\", "\\")  # the backslash of the escape, as JSON writes it
    assert "caf\\xe9.py" in text
    if fmt == "junit":
        ET.fromstring(result.stdout)


def test_control_characters_reach_no_terminal(tmp_path):
    (tmp_path / "evil\x1b]0;title\x07.py").write_text(TRAIN)
    result = cli("--no-cache", "--output-format", "full", tmp_path, cwd=tmp_path)
    assert b"\x1b" not in result.stdout and b"\\x1b]0;title\\x07.py" in result.stdout


# -- --fix and --diff on standard input ---------------------------------------------------

SOFTMAX_CE_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": TRAIN.splitlines(True)}],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.mark.parametrize("on_disk", [None, "other", "shorter"])
def test_fix_of_a_notebook_from_standard_input_changes_the_bytes_read(tmp_path, on_disk):
    given = (json.dumps(SOFTMAX_CE_NOTEBOOK, indent=1) + "\n").encode()
    if on_disk == "other":  # what the file on disk says must not come back
        other = json.loads(given)
        other["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["# cell deleted in the editor\n"]})
        (tmp_path / "nb.ipynb").write_text(json.dumps(other, indent=1) + "\n")
    elif on_disk == "shorter":
        (tmp_path / "nb.ipynb").write_text(json.dumps(nb("x = 1\n"), indent=1) + "\n")
    before = (tmp_path / "nb.ipynb").read_bytes() if on_disk else None
    fixed = cli("--no-cache", "--fix", "--unsafe-fixes", "-", "--stdin-filename", "nb.ipynb", cwd=tmp_path, stdin=given)
    assert fixed.returncode == 0, fixed.stderr
    expected = json.loads(given)
    expected["cells"][0]["source"][4] = "loss = F.cross_entropy(logits, torch.randint(0, 3, (8,)))\n"
    assert json.loads(fixed.stdout) == expected and b"Traceback" not in fixed.stderr
    diff = cli("--no-cache", "--diff", "--unsafe-fixes", "-", "--stdin-filename", "nb.ipynb", cwd=tmp_path, stdin=given)
    assert diff.returncode == 1 and b"-    \"loss = F.cross_entropy(F.softmax(logits" in diff.stdout
    assert b"cell deleted" not in diff.stdout and b"Traceback" not in diff.stderr
    assert (tmp_path / "nb.ipynb").read_bytes() == before if on_disk else not (tmp_path / "nb.ipynb").exists()
