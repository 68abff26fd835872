"""The README's rule table is the registry's, and its Quick start has two commands."""

from pathlib import Path

from losslint.rules import RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def rule_table() -> str:
    rows = ["| code | name | severity | default | fix | what it flags |", "| --- | --- | --- | --- | --- | --- |"]
    for rule in RULES:
        default = "yes" if rule.default else "opt-in"
        rows.append(f"| {rule.code} | {rule.name} | {rule.severity.value} | {default} | {rule.fix} | {rule.summary} |")
    return "\n".join(rows) + "\n"


def test_rule_table_matches_the_registry():
    assert rule_table() in README, "README.md's rule table is stale; replace it with:\n" + rule_table()


def test_quick_start_has_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert commands == ['pip install . && losslint examples/', 'pip install -e ".[test]" && python -m pytest']
    assert "python -m pytest" in (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()


# -- installation, pre-commit, GitHub Actions, editors (issue 21) -----------------------

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DISTRIBUTION = PYPROJECT["project"]["name"]
# `pip install losslint`, `pip install 'losslint[plot]'`, `pipx install losslint`: the
# registry's project of that name is another one
FROM_THE_REGISTRY = re.compile(r"pipx? install\s+(?:-\S+\s+)*[\"']?losslint(?![\w-])")


def blocks(language: str, section: str) -> list:
    text = re.split(r"\n#{2,3} ", README.split(section, 1)[1], maxsplit=1)[0]
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_nothing_says_to_install_losslint_from_the_registry():
    assert DISTRIBUTION == "losslint-torch"
    texts = {"README.md": README, **{str(p.relative_to(ROOT)): p.read_text() for p in (ROOT / "losslint").rglob("*.py")}}
    for workflow in (ROOT / ".github").rglob("*.yml"):
        texts[str(workflow.relative_to(ROOT))] = workflow.read_text()
    # the warnings themselves name the wrong command
    texts = {name: re.sub(r"[^\n]*(?:unrelated|another) project[^\n]*", "", text) for name, text in texts.items()}
    wrong = {name: FROM_THE_REGISTRY.findall(text) for name, text in texts.items() if FROM_THE_REGISTRY.search(text)}
    assert wrong == {}
    installs = re.findall(r'pip install "([^"]+)"', README.split("## Installation", 1)[1].split("\n## ", 1)[0])
    pinned = re.compile(rf"{DISTRIBUTION}(\[lsp\])? @ git\+https://github\.com/losslint/losslint@[0-9a-f]{{40}}$")
    assert [i for i in installs if not i.startswith("./")] and all(pinned.match(i) for i in installs if not i.startswith("./"))


def test_the_python_version_claimed_is_the_one_the_dependencies_need():
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"
    assert "click>=8.2" in PYPROJECT["project"]["dependencies"]  # click 8.2 requires Python 3.10
    assert "Python (3.10+)" in README and "Python 3.10 or newer" in README
    assert "3.9" not in README.split("## What it finds", 1)[0]


def test_test_extra_installs_what_the_pre_commit_and_lsp_tests_need():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(d.startswith("pre-commit") for d in extras["test"])
    assert [d for d in extras["test"] if d.startswith("pygls")] == extras["lsp"]


def test_github_workflow_snippet():
    yaml = pytest.importorskip("yaml")
    [snippet] = blocks("yaml", "### GitHub Actions and code scanning")
    workflow = yaml.safe_load(snippet)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = workflow["jobs"]["losslint"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses == ["actions/checkout@v6", "actions/setup-python@v6", "github/codeql-action/upload-sarif@v4"]
    [install] = [s["run"] for s in steps if s.get("run", "").startswith("pip install")]
    assert re.fullmatch(rf'pip install "{DISTRIBUTION} @ git\+https://github\.com/losslint/losslint@[0-9a-f]{{40}}"', install)
    assert steps[-1]["with"]["sarif_file"] == "losslint.sarif"


def test_pre_commit_snippet_pins_a_commit_whose_hook_passes_force_exclude():
    yaml = pytest.importorskip("yaml")
    [snippet] = blocks("yaml", "### pre-commit")
    [repo] = yaml.safe_load(snippet)["repos"]
    assert repo["repo"] == "https://github.com/losslint/losslint" and repo["hooks"][0]["id"] == "losslint"
    assert re.fullmatch(r"[0-9a-f]{40}", repo["rev"])
    assert "# args: [--fix]" in snippet
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "losslint --force-exclude" and hooks[0]["types_or"] == ["python", "jupyter"]
    # the pinned commit is one of this repository's, and its hook already had --force-exclude
    shown = subprocess.run(["git", "show", f"{repo['rev']}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip("not a git checkout with that commit (a shallow clone?)")
    assert "entry: losslint --force-exclude" in shown.stdout


def test_editor_snippets_parse():
    section = "### Editors: the language server"
    [settings] = blocks("json", section)
    assert json.loads(settings) == {
        "glspc.server.command": "losslint", "glspc.server.commandArguments": ["server"], "glspc.server.languageId": ["python"]
    }
    [helix] = blocks("toml", section)
    config = tomllib.loads(helix)
    assert config["language-server"]["losslint"] == {"command": "losslint", "args": ["server"]}
    assert "losslint" in config["language"][0]["language-servers"]
    [neovim] = blocks("lua", section)
    assert 'cmd = { "losslint", "server" }' in neovim and "vim.lsp.start" in neovim
