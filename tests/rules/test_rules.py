"""Every rule's cases: each invalid snippet is flagged exactly where it marks
(``# expect: LLnnn``), each valid look-alike is not. The cases live in ``cases_*.py``."""

import importlib
import pkgutil
from pathlib import Path

import pytest

from losslint.rules import BY_CODE
from losslint.selection import DEFAULTS
from tests.conftest import check_invalid, check_valid, findings

CASES = {
    module.name[6:11].upper(): importlib.import_module(f"tests.rules.{module.name}")
    for module in pkgutil.iter_modules([str(Path(__file__).resolve().parent)])
    if module.name.startswith("cases_ll")
}
INVALID = [(code, name, text) for code, module in sorted(CASES.items()) for name, text in module.INVALID.items()]
VALID = [(code, name, text) for code, module in sorted(CASES.items()) for name, text in module.VALID.items()]


@pytest.mark.parametrize("code, name, text", INVALID, ids=[f"{c}: {n}" for c, n, _ in INVALID])
def test_invalid(code, name, text):
    check_invalid(text)


@pytest.mark.parametrize("code, name, text", VALID, ids=[f"{c}: {n}" for c, n, _ in VALID])
def test_valid(code, name, text):
    assert f"expect: {code}" not in text
    check_valid(text)


def test_every_rule_about_code_has_three_invalid_and_three_valid_cases():
    # LL000 is covered by tests/test_bad_input.py, LL900 by tests/test_coverage.py
    assert set(CASES) == set(BY_CODE) - {"LL000", "LL900", "LL901"}  # LL901: tests/test_suppression.py
    for code, module in CASES.items():
        assert len(module.INVALID) >= 3 and len(module.VALID) >= 3, code
        assert all(f"expect: {code}" in text for text in module.INVALID.values()), code


def test_opt_in_rules_run_only_when_selected():
    code = CASES["LL108"].INVALID["log_softmax into F.cross_entropy"]
    assert "LL108" not in DEFAULTS
    assert findings(code, select="LL1") != set()


def test_optional_facts_are_observed_only_for_a_selected_rule_that_reads_them(monkeypatch):
    from losslint.analysis import observers
    from losslint.rules import RULES

    assert set().union(*(rule.reads for rule in RULES)) == observers.OPTIONAL_FACTS  # each one read, none unknown
    code = CASES["LL402"].INVALID["hand-written BCE with torch.log"]
    looked = []
    original = observers.Observers._check_hand_written_bce
    monkeypatch.setattr(observers.Observers, "_check_hand_written_bce", lambda *a: looked.append(1) or original(*a))
    assert {c for c, *_ in findings(code, select="LL402")} == {"LL402"} and looked
    looked.clear()
    assert findings(code, select="LL401") == set() and not looked  # the same prefilter: the file runs, without the walk
