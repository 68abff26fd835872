"""Every output format, on the findings of examples/."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from losslint.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def run(fmt, *extra):
    result = CliRunner().invoke(main, [str(EXAMPLES), "--output-format", fmt, "--select", "ALL", *extra])
    assert result.exit_code == 1, result.stderr
    return result.stdout


def expected_count():
    return len(json.loads(run("json")))


def test_concise_and_full():
    concise = run("concise").splitlines()
    assert len(concise) == expected_count() + 1
    full = run("full")
    assert full.count("see: losslint --explain") == expected_count()
    assert "\x1b[" not in full  # no colour when not on a terminal


def test_sarif_validates_against_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip(f"the SARIF schema is expected at {SCHEMA}")
    document = json.loads(run("sarif"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    (run_,) = document["runs"]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert "LL101" in rules and rules["LL101"]["help"]["text"]
    assert "helpUri" not in rules["LL101"]  # no documented home is configured: no guessed address
    assert len(run_["results"]) == expected_count()
    ll101 = next(
        r for r in run_["results"]
        if r["ruleId"] == "LL101" and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("ll101_softmax_into_cross_entropy.py")
    )
    assert ll101["level"] == "warning"
    (related,) = ll101["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 25


def test_github_annotations():
    lines = run("github").splitlines()
    assert len(lines) == expected_count()
    ll101 = next(line for line in lines if "title=LL101" in line and "ll101_softmax_into_cross_entropy.py" in line)
    assert ll101.startswith("::warning file=")
    assert ",line=37,col=16," in ll101
    assert any(line.startswith("::error ") and "title=LL103" in line for line in lines)
    assert any(line.startswith("::notice ") and "title=LL111" in line for line in lines)


def test_junit():
    root = ET.fromstring(run("junit"))
    assert root.tag == "testsuites"
    failures = root.findall(".//failure")
    assert len(failures) == expected_count() == int(root.get("failures"))


def test_junit_without_findings(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--output-format", "junit"])
    assert result.exit_code == 0
    root = ET.fromstring(result.output)
    assert root.get("failures") == "0" and root.find(".//testcase") is not None
