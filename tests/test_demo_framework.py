"""A finding's framework reaches its demo (full and HTML reports) and, only when set,
the JSON and SARIF output: torch findings' output has no such key."""

import io
import json

import pytest

from losslint.reference import demos
from losslint.reporters import reporter
from losslint.report import Diagnostic, Location, Report, Severity


def _report(framework):
    where = Location("train.py", 3, 1, 3, 10)
    d = Diagnostic("LL101", "softmax-into-cross-entropy", Severity.ERROR, "softmax into the loss", where, width=3,
                   framework=framework)
    return Report(diagnostics=[d], files=1, loss_calls=1, sources={"train.py": ["", "", "loss(out, y)"]})


def _render(fmt, framework):
    out = io.StringIO()
    reporter(fmt)(_report(framework), out)
    return out.getvalue()


@pytest.fixture
def marked(monkeypatch):
    """A made-up framework variant of LL101 whose summary names itself."""
    torch_demo = demos.DEMOS["LL101"]

    def variant(width):
        shown = torch_demo(width)
        shown.summary = f"the marked variant at width {width}"
        return shown

    monkeypatch.setitem(demos.FRAMEWORK_DEMOS, "marked", {"LL101": variant})
    return "marked"


@pytest.mark.parametrize("fmt", ["full", "html"])
def test_the_findings_framework_picks_the_demo(fmt, marked):
    assert "the marked variant at width 3" in _render(fmt, marked)
    assert "the marked variant" not in _render(fmt, None)
    assert demos.demo("LL101", 3).summary in _render(fmt, None)


def test_a_framework_without_a_variant_falls_back_to_torchs_demo(marked):
    assert demos.demo("LL105", 4, marked).summary == demos.demo("LL105", 4).summary
    assert demos.demo("LL105", 4, "no-such-framework") is None  # no demos of its own: none, not torch's


def test_json_carries_the_framework_only_when_set():
    (plain,) = json.loads(_render("json", None))
    (keras,) = json.loads(_render("json", "keras"))
    assert "framework" not in plain
    assert keras.pop("framework") == "keras"
    assert keras == plain


def test_sarif_carries_the_framework_only_when_set():
    plain = json.loads(_render("sarif", None))["runs"][0]["results"][0]
    keras = json.loads(_render("sarif", "keras"))["runs"][0]["results"][0]
    assert "properties" not in plain
    assert keras.pop("properties") == {"framework": "keras"}
    assert keras == plain


@pytest.mark.parametrize("fmt", ["full", "html"])
def test_a_keras_finding_shows_kerass_numbers(fmt):
    keras_summary, torch_summary = demos.demo("LL101", 3, "keras").summary, demos.demo("LL101", 3).summary
    assert keras_summary != torch_summary
    shown = _render(fmt, "keras")
    if fmt == "html":
        import html

        shown = html.unescape(shown)
    assert keras_summary in shown and torch_summary not in shown


def _explained(code):
    from click.testing import CliRunner

    from losslint.cli import main

    result = CliRunner().invoke(main, ["--explain", code])
    assert result.exit_code == 0, result.output
    return result.output


def test_explain_of_a_shared_code_keeps_torchs_demo():
    shown = _explained("LL101")
    assert demos.demo("LL101").summary in shown and demos.demo("LL101", 3, "keras").summary not in shown


@pytest.mark.parametrize("code", ["LL501", "LL502"])
def test_explain_of_a_keras_rule_shows_kerass_numbers(code):
    from losslint.rules import BY_CODE

    if code not in BY_CODE:
        pytest.skip(f"{code} is not registered yet")
    shown = _explained(code)
    example = demos.demo(code)
    assert example.summary in shown
    assert all(f"{row.loss:.4f}" in shown for row in example.rows if row.loss is not None)


def test_a_framework_without_demos_of_its_own_gets_none_rather_than_torchs():
    assert demos.demo("LL101", 3) is not None and demos.demo("LL101", 3, "torch") is not None
    assert demos.demo("LL101", 3, "jax") is None and demos.demo("LL201", 1, "jax") is None
