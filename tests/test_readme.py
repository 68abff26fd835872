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
