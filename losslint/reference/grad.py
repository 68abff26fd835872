"""Analytic gradients of the reference losses with respect to their ``input``.

Same names and signatures as ``losslint.reference.functional``. Each returns
d(loss)/d(input) for the reduced loss; with ``reduction="none"`` the gradient of the
sum of the elements (what autograd gives for ``loss.backward(torch.ones_like(loss))``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from losslint.reference.functional import _array, _batched, _class_weight, _differences, _target_weights, sigmoid, softmax

BCE_EPSILON = 1e-12  # torch's binary_cross_entropy backward divides by max(x (1 - x), this)


def _over(grad: np.ndarray, total_weight: float) -> np.ndarray:
    """Mean over the targets' weights. When every target is ignored the loss is 0 / 0
    (nan) but torch's gradient is 0, which ``grad`` already is."""
    return grad / total_weight if total_weight != 0 else grad


def _denominator(reduction: str, count: float) -> float:
    return count if reduction == "mean" else 1.0


def binary_cross_entropy(
    input: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray] = None, reduction: str = "mean"
) -> np.ndarray:
    """torch's formula: w (x - y) / max(x (1 - x), 1e-12)."""
    x, y = _array(input), _array(target)
    grad = (x - y) / np.maximum(x * (1.0 - x), BCE_EPSILON)
    if weight is not None:
        grad = grad * _array(weight)
    return grad / _denominator(reduction, x.size)


def binary_cross_entropy_with_logits(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    reduction: str = "mean",
    pos_weight: Optional[np.ndarray] = None,
) -> np.ndarray:
    """sigmoid(x) (1 + (pw - 1) y) - pw y, times the weight."""
    x, y = _array(input), _array(target)
    if pos_weight is None:
        grad = sigmoid(x) - y
    else:
        pw = _array(pos_weight)
        grad = sigmoid(x) * ((pw - 1.0) * y + 1.0) - pw * y
    if weight is not None:
        grad = grad * _array(weight)
    return np.broadcast_to(grad, np.broadcast_shapes(x.shape, grad.shape)) / _denominator(reduction, x.size)


def nll_loss(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """-weight[y] at the target class, 0 elsewhere; divided by the summed weights for "mean"."""
    x, t = _batched(input, target)
    _, safe, sample_weight = _target_weights(t, weight, x.shape[1], ignore_index)
    grad = np.zeros_like(x)
    np.put_along_axis(grad, safe[:, None], -sample_weight[:, None], axis=1)
    if reduction == "mean":
        grad = _over(grad, np.sum(sample_weight))
    return grad.reshape(np.shape(input))


def cross_entropy(
    input: np.ndarray,
    target: np.ndarray,
    weight: Optional[np.ndarray] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Through log_softmax: d(-log p_k)/dx_j = p_j - [j == k], weighted and smoothed."""
    x, t = _batched(input, target)
    classes = x.shape[1]
    p = softmax(x, 1)
    w_b = _class_weight(weight, classes, x.ndim)
    if np.issubdtype(t.dtype, np.floating) and t.shape == x.shape:
        target_ = t * (1.0 - label_smoothing) + label_smoothing / classes
        weighted = target_ * w_b
        grad = p * weighted.sum(axis=1, keepdims=True) - weighted
        return (grad / _denominator(reduction, x.size / classes)).reshape(np.shape(input))
    keep, safe, sample_weight = _target_weights(t, weight, classes, ignore_index)
    one_hot = np.zeros_like(x)
    np.put_along_axis(one_hot, safe[:, None], 1.0, axis=1)
    nll = sample_weight[:, None] * (p - one_hot)
    smooth = keep[:, None] * (p * w_b.sum(axis=1, keepdims=True) - w_b)
    denominator = np.sum(sample_weight) if reduction == "mean" else 1.0
    grad = _over((1.0 - label_smoothing) * nll + (label_smoothing / classes) * smooth, denominator)
    return grad.reshape(np.shape(input))


def kl_div(input: np.ndarray, target: np.ndarray, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
    """-target (or -exp(target) with ``log_target``), over the reduction's count."""
    x, t = _array(input), _array(target)
    grad = -np.exp(t) if log_target else -t
    grad = np.broadcast_to(grad, x.shape)
    if reduction == "batchmean":
        return grad / x.shape[0]
    return grad / _denominator(reduction, x.size)


def _to_input(grad: np.ndarray, input: np.ndarray, reduction: str) -> np.ndarray:
    """A gradient over the broadcast shape, averaged for "mean" over that shape's count,
    then summed back onto the input's shape (the dims broadcasting added or stretched)."""
    shape = np.shape(input)
    grad = grad / _denominator(reduction, grad.size)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def mse_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """2 (x - y), summed over what broadcasting added."""
    return _to_input(2.0 * _differences(input, target), input, reduction)


def l1_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
    """sign(x - y) (0 where equal)."""
    return _to_input(np.sign(_differences(input, target)), input, reduction)


def smooth_l1_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean", beta: float = 1.0) -> np.ndarray:
    """d / beta where |d| < beta, else sign(d)."""
    d = _differences(input, target)
    grad = np.sign(d) if beta == 0 else np.where(np.abs(d) < beta, d / beta if beta else 0.0, np.sign(d))
    return _to_input(grad, input, reduction)


def huber_loss(input: np.ndarray, target: np.ndarray, reduction: str = "mean", delta: float = 1.0) -> np.ndarray:
    """d where |d| < delta, else delta sign(d)."""
    d = _differences(input, target)
    return _to_input(np.where(np.abs(d) < delta, d, delta * np.sign(d)), input, reduction)
