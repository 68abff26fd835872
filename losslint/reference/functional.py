"""NumPy implementations of the losses, with torch.nn.functional's names and signatures.

They reproduce torch's numbers, edge cases included (BCELoss clamps each log at -100;
weighted "mean" divides by the summed weights of the non-ignored targets; "batchmean"),
for any leading dims ``(N, C, d1, ...)`` with the class dimension at 1. Gradients are
in ``losslint.reference.grad`` under the same names. Everything is float64 and stable
(log-sum-exp); nothing here imports torch.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

BCE_LOG_CLAMP = -100.0  # torch clamps each log term of binary_cross_entropy here


def _array(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.sum(loss)
    if reduction == "mean":
        return np.mean(loss)
    raise ValueError(f"{reduction} is not a valid value for reduction")


def sigmoid(input: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    x = _array(input)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def logsigmoid(input: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    x = _array(input)
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def log_softmax(input: np.ndarray, dim: int) -> np.ndarray:
    x = _array(input)
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def softmax(input: np.ndarray, dim: int) -> np.ndarray:
    return np.exp(log_softmax(input, dim))


def binary_cross_entropy(
    input: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray] = None, reduction: str = "mean"
) -> np.ndarray:
    """BCELoss on probabilities; like torch, each log is clamped at -100."""
    x, y = _array(input), _array(target)
    if np.any((x < 0) | (x > 1)):
        raise ValueError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), BCE_LOG_CLAMP)
        log_1mx = np.maximum(np.log1p(-x), BCE_LOG_CLAMP)
    loss = -(y * log_x + (1.0 - y) * log_1mx)
    if weight is not None:
        loss = loss * _array(weight)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    reduction: str = "mean",
    pos_weight: Optional[np.ndarray] = None,
) -> np.ndarray:
    """BCEWithLogitsLoss: (1 - y) x + (1 + (pw - 1) y) (log1p(exp(-|x|)) + max(-x, 0))."""
    x, y = _array(input), _array(target)
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0.0)  # -log(sigmoid(x))
    if pos_weight is None:
        loss = (1.0 - y) * x + softplus_neg
    else:
        log_weight = (_array(pos_weight) - 1.0) * y + 1.0
        loss = (1.0 - y) * x + log_weight * softplus_neg
    if weight is not None:
        loss = loss * _array(weight)
    return _reduce(loss, reduction)


def _class_weight(weight: Optional[np.ndarray], classes: int, ndim: int) -> np.ndarray:
    """Class weights shaped to broadcast over (N, C, d1, ...)."""
    w = np.ones(classes) if weight is None else _array(weight)
    return w.reshape((1, classes) + (1,) * (ndim - 2))


def _batched(input: np.ndarray, target: np.ndarray) -> tuple:
    """torch accepts an unbatched (C,) input with a scalar target: add the batch dim."""
    x, t = _array(input), np.asarray(target)
    if x.ndim == 1:
        return x[None], t[None]
    return x, t


def _target_weights(
    target: np.ndarray, weight: Optional[np.ndarray], classes: int, ignore_index: int
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For class-index targets: which count, the indices made safe to gather with, and
    each target's class weight (0 where ignored)."""
    keep = target != ignore_index
    safe = np.where(keep, target, 0).astype(np.int64)
    if np.any((safe < 0) | (safe >= classes)):
        raise IndexError(f"Target {int(safe[(safe < 0) | (safe >= classes)][0])} is out of bounds.")
    w = np.ones(classes) if weight is None else _array(weight)
    return keep, safe, w[safe] * keep


def nll_loss(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """-weight[y] * input[n, y]; ignored targets count 0, and do not count in the mean."""
    x, t = _batched(input, target)
    keep, safe, sample_weight = _target_weights(t, weight, x.shape[1], ignore_index)
    picked = np.take_along_axis(x, safe[:, None], axis=1)[:, 0]
    loss = -picked * sample_weight
    if reduction == "mean":
        return np.sum(loss) / np.sum(sample_weight)
    out = _reduce(loss, reduction)
    return out if np.asarray(input).ndim > 1 or reduction != "none" else out[0]


def cross_entropy(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """log_softmax over dim 1, then NLL against class indices, or the cross-entropy with
    class probabilities when ``target`` is a float tensor of the input's shape."""
    x, t = _batched(input, target)
    classes = x.shape[1]
    log_p = log_softmax(x, 1)
    if np.issubdtype(t.dtype, np.floating) and t.shape == x.shape:
        target_ = t * (1.0 - label_smoothing) + label_smoothing / classes
        terms = -(log_p * target_ * _class_weight(weight, classes, x.ndim))
        if reduction == "none":
            return terms.sum(axis=1)
        if reduction == "sum":
            return terms.sum()
        return terms.sum() / (x.size / classes)
    nll = nll_loss(log_p, t, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return nll
    keep, _, sample_weight = _target_weights(t, weight, classes, ignore_index)
    smooth = -(log_p * _class_weight(weight, classes, x.ndim)).sum(axis=1) * keep
    if reduction == "mean":
        smooth = smooth.sum() / np.sum(sample_weight)
    else:
        smooth = _reduce(smooth, reduction)
    return (1.0 - label_smoothing) * nll + smooth * (label_smoothing / classes)


def kl_div(input: np.ndarray, target: np.ndarray, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
    """KL(target || exp(input)) pointwise: target * (log(target) - input), 0 where target is 0."""
    x, t = _array(input), _array(target)
    if log_target:
        loss = np.exp(t) * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0) - t * x
    if reduction == "batchmean":
        return loss.sum() / x.shape[0]
    return _reduce(loss, reduction)


# --- elementwise regression losses: input and target broadcast together, like torch ------


def _differences(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """input - target after broadcasting both (torch warns when the shapes differ, then
    broadcasts: an (N, 1) input against an (N,) target gives (N, N))."""
    x, y = np.broadcast_arrays(_array(input), _array(target))
    return x - y


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """(x - y)^2 over the broadcast shape."""
    return _reduce(_differences(input, target) ** 2, reduction)


def l1_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """|x - y| over the broadcast shape."""
    return _reduce(np.abs(_differences(input, target)), reduction)


def smooth_l1_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean", beta: float = 1.0) -> np.ndarray:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta 0: the L1 loss)."""
    d = np.abs(_differences(input, target))
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean", delta: float = 1.0) -> np.ndarray:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta)."""
    d = np.abs(_differences(input, target))
    return _reduce(np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)
