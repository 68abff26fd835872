"""The NumPy reference agrees with torch: values and gradients, to 1e-6 relative error.

With torch installed the cases run against torch itself; everywhere, they run against
``golden.json``, torch's answers stored by ``generate_golden.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from losslint import reference
from tests.reference.cases import LOSSES, Case, cases

RTOL = 1e-6
ATOL = 1e-12  # for exact zeros (ignored targets, saturated terms)
GOLDEN = Path(__file__).resolve().parent / "golden.json"
CASES = cases()


def ours(case: Case):
    value = getattr(reference, case.function)(*case.args, **case.kwargs)
    gradient = getattr(reference.grad, case.function)(*case.args, **case.kwargs) if case.function in LOSSES else None
    return np.asarray(value), gradient


def decode(value):
    if isinstance(value, dict) and "data" in value:
        return np.array(value["data"], dtype=value["dtype"]).reshape(value["shape"])
    return value


def test_cases_cover_what_the_reference_promises():
    functions = {c.function for c in CASES}
    assert functions == set(LOSSES) | {"sigmoid", "logsigmoid", "softmax", "log_softmax"}
    reductions = {c.kwargs.get("reduction") for c in CASES if c.function in LOSSES}
    assert reductions >= {"none", "mean", "sum", "batchmean"}
    assert {c.args[0].shape[1] for c in CASES if c.args[0].ndim > 1} >= {1, 1000}
    assert any("pos_weight" in c.kwargs for c in CASES)
    assert any(c.kwargs.get("label_smoothing") for c in CASES)
    assert any(c.kwargs.get("ignore_index") == -100 and -100 in c.args[1] for c in CASES if c.function == "nll_loss")
    assert max(np.abs(c.args[0]).max() for c in CASES) > 99


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matches_torch(case):
    torch_oracle = pytest.importorskip("tests.reference.torch_oracle")
    pytest.importorskip("torch")
    expected_value, expected_grad = torch_oracle.evaluate(case)
    value, gradient = ours(case)
    np.testing.assert_allclose(value, expected_value, rtol=RTOL, atol=ATOL)
    if expected_grad is not None:
        np.testing.assert_allclose(gradient, expected_grad, rtol=RTOL, atol=ATOL)


def golden_records():
    payload = json.loads(GOLDEN.read_text())
    return payload["cases"]


def test_golden_file_is_current():
    assert [r["id"] for r in golden_records()] == [c.id for c in CASES], "run python -m tests.reference.generate_golden"


@pytest.mark.parametrize("record", golden_records(), ids=lambda r: r["id"])
def test_matches_golden(record):
    args = tuple(decode(a) for a in record["args"])
    kwargs = {k: decode(v) for k, v in record["kwargs"].items()}
    value, gradient = ours(Case(record["id"], record["function"], args, kwargs))
    np.testing.assert_allclose(value, decode(record["value"]), rtol=RTOL, atol=ATOL)
    if record["grad"] is not None:
        np.testing.assert_allclose(gradient, decode(record["grad"]), rtol=RTOL, atol=ATOL)


def test_bce_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match="between 0 and 1"):
        reference.binary_cross_entropy(np.array([2.0, -1.0]), np.array([1.0, 0.0]))


def test_single_class_cross_entropy_targets_out_of_bounds():
    with pytest.raises(IndexError, match="Target 1 is out of bounds"):
        reference.cross_entropy(np.zeros((2, 1)), np.array([0, 1]))
