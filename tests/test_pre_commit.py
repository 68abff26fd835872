"""The pre-commit hook, end to end and for real: a user's git repository configures this
checkout's hook with a pinned ``rev``, ``pre-commit install`` puts it in the repository,
and ``git commit`` runs it. A commit that changes only the model file is refused when
the model's new softmax reaches a loss call in a file that was not changed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = """import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x)
"""
BAD_MODEL = MODEL.replace("return self.fc(x)", "return F.softmax(self.fc(x), dim=1)")
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
NOTEBOOK = (
    '{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": '
    '["import torch.nn as nn\\n", "loss = nn.CrossEntropyLoss()(nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))(x), y)\\n"]}], '
    '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
)
CONFIG = """repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: losslint
{args}"""


def git(*args, cwd, env=None, check=True):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=check, timeout=900)


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("the hook repository is made from this checkout's git files")
    home = tmp_path_factory.mktemp("home")
    env = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "REQUESTS_", "PYENV"))})
    return env


@pytest.fixture(scope="module")
def hook_repository(environment, tmp_path_factory):
    """This checkout as a hook repository: its files (the tracked ones and new ones git
    does not ignore: the working tree under test) committed in a repository of their
    own, whose commit is the ``rev``. In CI's clean clone this is HEAD."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout.split("\0")
    repo = tmp_path_factory.mktemp("losslint-hook")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("init", "-q", cwd=repo, env=environment)
    git("add", ".", cwd=repo, env=environment)
    git("commit", "-q", "-m", "snapshot", cwd=repo, env=environment)
    return repo, git("rev-parse", "HEAD", cwd=repo, env=environment).stdout.strip()


def user_repository(path, environment, hook_repository, args=""):
    repo_path, rev = hook_repository
    git("init", "-q", str(path), cwd=path.parent, env=environment)
    (path / ".pre-commit-config.yaml").write_text(CONFIG.format(repo=repo_path, rev=rev, args=args))
    (path / "pyproject.toml").write_text('[project]\nname = "demo"\n[tool.losslint]\nextend-exclude = ["vendored"]\n')
    (path / "model.py").write_text(MODEL)
    (path / "train.py").write_text(TRAIN)
    git("add", ".", cwd=path, env=environment)
    git("commit", "-q", "-m", "a correct model", cwd=path, env=environment)  # before the hook is installed
    done = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=path, capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def commit(path, environment, message, *files):
    git("add", *files, cwd=path, env=environment)
    return git("commit", "-m", message, cwd=path, env=environment, check=False)


def test_a_commit_of_the_model_alone_fails_at_the_loss_call_it_breaks(tmp_path, environment, hook_repository):
    repo = user_repository(tmp_path / "project", environment, hook_repository)
    (repo / "model.py").write_text(BAD_MODEL)
    done = commit(repo, environment, "softmax in the model", "model.py")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "model.py:11:16: LL101" in output and "train.py:10:8" in output, output
    assert git("log", "--oneline", cwd=repo, env=environment).stdout.count("\n") == 1  # refused

    # the hook passes --force-exclude: an excluded file is not linted even when committed
    (repo / "model.py").write_text(MODEL)
    (repo / "vendored").mkdir()
    (repo / "vendored" / "old.py").write_text("import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Softmax(dim=1)(x), y)\n")
    done = commit(repo, environment, "vendored code and the model back", "model.py", "vendored/old.py")
    assert done.returncode == 0, done.stdout + done.stderr

    # notebooks are linted too
    (repo / "explore.ipynb").write_text(NOTEBOOK)
    done = commit(repo, environment, "a notebook", "explore.ipynb")
    assert done.returncode != 0 and "explore.ipynb:cell 1:2:8: LL101" in done.stdout + done.stderr, done.stdout + done.stderr


def test_args_fix_repairs_the_committed_file_and_stops_the_commit(tmp_path, environment, hook_repository):
    repo = user_repository(tmp_path / "project", environment, hook_repository, args="        args: [--fix, --unsafe-fixes]\n")
    (repo / "model.py").write_text(BAD_MODEL + "# version 2\n")
    done = commit(repo, environment, "softmax in the model", "model.py")
    assert done.returncode != 0, done.stdout + done.stderr
    assert "files were modified by this hook" in done.stdout + done.stderr
    assert (repo / "model.py").read_text() == MODEL + "# version 2\n" and (repo / "train.py").read_text() == TRAIN
    done = commit(repo, environment, "the model, as fixed", "model.py")  # nothing left to find
    assert done.returncode == 0, done.stdout + done.stderr
