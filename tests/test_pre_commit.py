"""The pre-commit hook, end to end: a repository using this checkout's hook fails on a
file with a mistake and passes on a correct one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = "import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))(x), y)\n"
GOOD = "import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Linear(4, 3)(x), y)\n"


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    repo = tmp_path_factory.mktemp("user-project")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "bad.py").write_text(BAD)
    (repo / "good.py").write_text(GOOD)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    return repo


def try_repo(repo, home, *files):
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "losslint", "--files", *files]
    env = {"PRE_COMMIT_HOME": str(home), "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(home)}
    import os

    env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "REQUESTS_"))})
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)


def test_hook_fails_on_a_mistake_and_passes_on_correct_code(repository, tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    bad = try_repo(repository, home, "bad.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "LL101" in bad.stdout
    good = try_repo(repository, home, "good.py")
    assert good.returncode == 0, good.stdout + good.stderr
