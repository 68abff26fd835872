"""Deterministic cases for the reference-vs-torch parity checks.

Shared by the parity test (with torch) and ``generate_golden.py``, which stores torch's
answers in ``golden.json`` so the same checks run where torch is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

import numpy as np

from losslint.reference import functional as R

LOSSES = (
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
)  # fmt: skip
REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
ACTIVATIONS = ("sigmoid", "logsigmoid", "softmax", "log_softmax")


@dataclass
class Case:
    id: str
    function: str
    args: Tuple[np.ndarray, ...]
    kwargs: Dict[str, Any] = field(default_factory=dict)


def _short(array: np.ndarray, decimals: int = 3) -> np.ndarray:
    """Inputs rounded to a few decimals: exact in golden.json and short to store."""
    return np.round(array, decimals)


def cases() -> List[Case]:
    rng = np.random.default_rng(20261122)
    out: List[Case] = []
    for classes in (1, 2, 5, 1000):
        wide = classes == 1000  # tests scale, not every combination: keeps golden.json small
        n = 1 if wide else 6
        logits = _short(rng.uniform(-100, 100, (n, classes)))
        small = _short(rng.normal(0, 3, (n, classes)))
        for x, scale in ((logits, "wide"), (small, "narrow")):
            out.append(Case(f"sigmoid-{classes}-{scale}", "sigmoid", (x,)))
            out.append(Case(f"logsigmoid-{classes}-{scale}", "logsigmoid", (x,)))
            for dim in (1, -1, 0)[: 1 if wide else 3]:
                out.append(Case(f"softmax-{classes}-{scale}-d{dim}", "softmax", (x,), {"dim": dim}))
                out.append(Case(f"log_softmax-{classes}-{scale}-d{dim}", "log_softmax", (x,), {"dim": dim}))
        for reduction in ("mean",) if wide else ("none", "mean", "sum"):
            tag = f"{classes}-{reduction}"
            index = rng.integers(0, classes, n)
            weight = _short(rng.uniform(0.1, 3.0, classes))
            ignored = index.copy()
            ignored[0] = -100
            for smoothing in (0.2,) if wide else (0.0, 0.2):
                s = f"{tag}-ls{smoothing}"
                out.append(Case(f"ce-index-{s}", "cross_entropy", (logits, index), {"reduction": reduction, "label_smoothing": smoothing}))
                out.append(Case(f"ce-weighted-ignored-{s}", "cross_entropy", (logits, ignored),
                                {"weight": weight, "ignore_index": -100, "reduction": reduction, "label_smoothing": smoothing}))
                probs = _short(R.softmax(rng.normal(0, 2, (n, classes)), 1), 6)
                out.append(Case(f"ce-probs-{s}", "cross_entropy", (logits, probs), {"weight": weight, "reduction": reduction, "label_smoothing": smoothing}))
            spatial = _short(rng.uniform(-100, 100, (1, classes, 2) if wide else (2, classes, 3, 2)))
            spatial_target = rng.integers(0, classes, (spatial.shape[0],) + spatial.shape[2:])
            out.append(Case(f"ce-kdim-{tag}", "cross_entropy", (spatial, spatial_target), {"weight": weight, "reduction": reduction}))
            log_probs = _short(R.log_softmax(logits, 1))
            out.append(Case(f"nll-{tag}", "nll_loss", (log_probs, index), {"reduction": reduction}))
            out.append(Case(f"nll-weighted-ignored-{tag}", "nll_loss", (log_probs, ignored),
                            {"weight": weight, "ignore_index": -100, "reduction": reduction}))
            targets = _short(rng.uniform(0, 1, (n, classes)))
            element_weight = _short(rng.uniform(0.1, 2.0, (n, classes)))
            out.append(Case(f"bcel-{tag}", "binary_cross_entropy_with_logits", (logits, targets), {"reduction": reduction}))
            out.append(Case(f"bcel-weighted-posweight-{tag}", "binary_cross_entropy_with_logits", (logits, targets),
                            {"weight": element_weight, "pos_weight": _short(rng.uniform(0.2, 5.0, classes)), "reduction": reduction}))
            probabilities = _short(rng.uniform(0.0005, 0.9995, (n, classes)), 4)
            out.append(Case(f"bce-{tag}", "binary_cross_entropy", (probabilities, targets), {"weight": element_weight, "reduction": reduction}))
            saturated = _short(R.sigmoid(logits), 6)  # many exactly 0.0 or 1.0: the -100 clamp
            hard = (targets > 0.5).astype(np.float64)
            out.append(Case(f"bce-saturated-{tag}", "binary_cross_entropy", (saturated, hard), {"reduction": reduction}))
        for reduction in ("batchmean",) if wide else ("none", "mean", "sum", "batchmean"):
            student = _short(R.log_softmax(rng.normal(0, 3, (n, classes)), 1))
            teacher = _short(R.softmax(rng.normal(0, 3, (n, classes)), 1), 6)
            teacher[0, 0] = 0.0
            out.append(Case(f"kl-{classes}-{reduction}", "kl_div", (student, teacher), {"reduction": reduction}))
            out.append(Case(f"kl-logtarget-{classes}-{reduction}", "kl_div", (student, _short(R.log_softmax(rng.normal(0, 3, (n, classes)), 1))),
                            {"reduction": reduction, "log_target": True}))
    # the regression losses, with torch's broadcasting: matching shapes, (N, 1) against
    # (N,) (LL303: an (N, N) loss), (N,) against (N, 1), and a (1,) input
    for function in REGRESSION:
        for reduction in ("none", "mean", "sum"):
            column, flat = _short(rng.normal(0, 3, (6, 1))), _short(rng.normal(0, 3, 6))
            wide = _short(rng.normal(0, 3, (4, 3)))
            pairs = {
                "same": (wide, _short(rng.normal(0, 3, (4, 3)))),
                "column-flat": (column, flat),
                "flat-column": (flat, column),
                "one-wide": (_short(rng.normal(0, 3, 1)), wide),
            }
            for tag, (x, y) in pairs.items():
                out.append(Case(f"{function}-{tag}-{reduction}", function, (x, y), {"reduction": reduction}))
        if function == "smooth_l1_loss":
            for beta in (0.0, 0.5, 2.0):
                out.append(Case(f"{function}-beta{beta}", function, (wide, _short(rng.normal(0, 3, (4, 3)))), {"beta": beta}))
        if function == "huber_loss":
            for delta in (0.5, 2.0):
                out.append(Case(f"{function}-delta{delta}", function, (column, flat), {"delta": delta}))
    return out
