"""Keras 3's cross-entropies in NumPy, with their gradients, as the JAX backend computes them.

Same names and arguments as ``keras.losses``: the functions return the per-sample loss
(the class axis reduced), the classes reduce it like Keras's loss objects; each has a
``..._grad`` function (or a ``grad`` method) giving d(loss)/d(y_pred), what ``jax.grad``
gives, the clip's zero gradient included. Read from keras/src/losses/losses.py, loss.py
and backend/jax/nn.py (Keras 3.15); checked against Keras by tests/test_reference_keras.py.

Where Keras's semantics differ from torch's (``losslint.reference.functional``):

1. Probabilities by default. ``from_logits=False`` is the default: the categorical
   losses divide ``y_pred`` by its sum along ``axis`` (whatever its sign: linear outputs
   [2, -1, 0.5] become [1.33, -0.67, 0.33]; a zero sum gives inf or nan), then clip to
   [eps, 1 - eps] with eps = ``keras.config.epsilon()`` = 1e-7, then take the log.
   torch's ``cross_entropy`` always applies log_softmax to its input.
2. The clip is silent and flat. A value outside [eps, 1 - eps] costs at most
   -log(1e-7) = 16.12 per term (torch's BCELoss clamps each log at -100 instead) and
   gets a zero gradient (torch's BCELoss gradient is (x - y) / max(x (1 - x), 1e-12)); at
   exactly eps or 1 - eps the gradient is halved (jnp.clip is max then min, and JAX
   splits a tie). Binary cross-entropy clips inputs outside [0, 1] where torch raises.
3. Targets by loss, not by dtype. ``categorical_crossentropy`` takes one-hot (or
   probability) targets of the prediction's shape, ``sparse_categorical_crossentropy``
   class indices of its shape without the class axis (a trailing axis of 1 is
   squeezed); anything else raises ValueError. torch's ``cross_entropy`` takes either
   and decides by the target's dtype and shape.
4. Out-of-range class indices give a zero loss and a zero gradient (JAX's one_hot of an
   unknown class is all zeros); torch raises IndexError. (The TensorFlow backend raises
   on CPU.) So with one output unit, class 1 costs 0 and class 0 costs -log(1 - 1e-7).
5. Class axis last (``axis=-1``); torch's is dim 1. The sparse loss supports only the
   last axis here.
6. Reduction "sum_over_batch_size" (the default, also "mean"): the sum of the per-sample
   losses, each times its ``sample_weight``, over their count; "mean_with_sample_weight"
   divides by the summed weights instead; "sum"; None or "none". torch's weighted "mean"
   divides by the targets' class weights; Keras has no class weights here.
7. Binary cross-entropy averages over the last axis first (per-sample loss of shape
   (N,)), so unweighted it equals torch's "mean" over all elements.
8. Label smoothing: categorical y (1 - s) + s / C, C the size of y_true's last axis
   (as torch's); binary y (1 - s) + s / 2 (torch's BCE has none).
9. float32 by default (``keras.config.floatx()``). The reference computes in float64
   (Keras with ``set_floatx("float64")``) unless given ``dtype="float32"``: in float32 the
   upper clip bound rounds to 1 - 1.19e-7, so the loss at the clip is 15.94, not 16.12.
10. Not modelled: on the TensorFlow backend (keras/src/backend/tensorflow/nn.py,
    ``_get_logits``; read, not run: TensorFlow is not installed here) the output of a
    Keras softmax or sigmoid remembers its logits (``_keras_logits``) and all three losses
    use them as logits whatever ``from_logits`` says, warning when it says True. So there
    a softmax into ``from_logits=True``, a sigmoid into ``BinaryCrossentropy(from_logits=True)``,
    a softmax into binary cross-entropy and ``Dense(1, activation="softmax")`` into it all
    compute a loss on the logits. The JAX, torch and NumPy backends compute what is
    written, as this module does. Also left out: the width-1 SyntaxWarning of the
    categorical loss, ``ignore_class`` and masks.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

EPSILON = 1e-7  # keras.config.epsilon()


def _array(x: Any, dtype: str) -> np.ndarray:
    return np.asarray(x, dtype=dtype)


def _bounds(dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    """The clip window in ``dtype`` (float32 rounds 1 - 1e-7 to 1 - 2**-23)."""
    kind = np.dtype(dtype).type
    return kind(EPSILON), kind(1.0) - kind(EPSILON)


def _clip(p: np.ndarray) -> np.ndarray:
    lo, hi = _bounds(p.dtype.name)
    return np.clip(p, lo, hi)


def _clip_grad(p: np.ndarray) -> np.ndarray:
    """d clip(p) / dp: 1 inside the window, 0 outside, 1/2 on its edges (JAX's max and
    min split a tie)."""
    lo, hi = _bounds(p.dtype.name)
    inside = ((p > lo) & (p < hi)).astype(p.dtype)
    edge = ((p == lo) | (p == hi)).astype(p.dtype)
    return inside + 0.5 * edge


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(_log_sigmoid(x))


def _same_shape(target: np.ndarray, output: np.ndarray) -> None:
    if target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={target.shape}, output.shape={output.shape}"
        )


# --- categorical: one-hot (or probability) targets ----------------------------------


def _categorical_terms(y_true: Any, y_pred: Any, label_smoothing: float, dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    p = _array(y_pred, dtype)
    y = _array(y_true, dtype)
    _same_shape(y, p)
    if y.ndim < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. "
            f"Received: target.shape={y.shape}, output.shape={p.shape}"
        )
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + label_smoothing / y.shape[-1]
    return y, p


def _cross_entropy(y: np.ndarray, p: np.ndarray, from_logits: bool, axis: int) -> np.ndarray:
    if from_logits:
        log_prob = _log_softmax(p, axis)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # a zero sum: inf or nan, as in Keras
            log_prob = np.log(_clip(p / np.sum(p, axis=axis, keepdims=True)))
    return -np.sum(y * log_prob, axis=axis)


def _cross_entropy_grad(y: np.ndarray, p: np.ndarray, from_logits: bool, axis: int) -> np.ndarray:
    """d(sum of the per-sample losses)/d(y_pred)."""
    if from_logits:
        return np.exp(_log_softmax(p, axis)) * np.sum(y, axis=axis, keepdims=True) - y
    s = np.sum(p, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = p / s
        upstream = -y / _clip(q) * _clip_grad(q)  # d loss / d q
        return (upstream - np.sum(upstream * q, axis=axis, keepdims=True)) / s


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    """-sum(y log(clip(p / sum(p)))) over ``axis``, or -sum(y log_softmax(p)) from logits."""
    y, p = _categorical_terms(y_true, y_pred, label_smoothing, dtype)
    return _cross_entropy(y, p, from_logits, axis)


def categorical_crossentropy_grad(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    y, p = _categorical_terms(y_true, y_pred, label_smoothing, dtype)
    return _cross_entropy_grad(y, p, from_logits, axis)


# --- sparse categorical: class indices -----------------------------------------------


def _sparse_terms(y_true: Any, y_pred: Any, axis: int, dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    p = _array(y_pred, dtype)
    target = np.asarray(y_true)
    if axis not in (-1, p.ndim - 1):
        raise NotImplementedError("the reference's sparse categorical cross-entropy has the classes last (axis=-1)")
    if target.ndim == p.ndim and target.shape[-1] == 1:
        target = np.squeeze(target, axis=-1)
    if p.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={p.shape}")
    target = target.astype(np.int32)  # Keras casts y_true to float, then to int32: truncated
    if target.shape != p.shape[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: "
            f"target.shape={target.shape}, output.shape={p.shape}"
        )
    one_hot = (target[..., None] == np.arange(p.shape[-1])).astype(p.dtype)  # out of range: all zeros
    return one_hot, p


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    """The categorical loss against one_hot(y_true); an index outside [0, C) costs 0."""
    y, p = _sparse_terms(y_true, y_pred, axis, dtype)
    return _cross_entropy(y, p, from_logits, -1)


def sparse_categorical_crossentropy_grad(
    y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    y, p = _sparse_terms(y_true, y_pred, axis, dtype)
    return _cross_entropy_grad(y, p, from_logits, -1)


# --- binary ---------------------------------------------------------------------------


def _binary_terms(y_true: Any, y_pred: Any, label_smoothing: float, dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    p = _array(y_pred, dtype)
    y = _array(y_true, dtype)
    if label_smoothing:
        y = y * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _same_shape(y, p)
    return y, p


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    """The mean over ``axis`` of -(y log(c) + (1 - y) log(1 - c)), c = clip(p); from
    logits -(y log_sigmoid(x) + (1 - y) log_sigmoid(-x))."""
    y, p = _binary_terms(y_true, y_pred, label_smoothing, dtype)
    if from_logits:
        terms = -y * _log_sigmoid(p) - (1.0 - y) * _log_sigmoid(-p)
    else:
        c = _clip(p)
        terms = -(y * np.log(c) + (1.0 - y) * np.log(1.0 - c))
    return np.mean(terms, axis=axis)


def binary_crossentropy_grad(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1, dtype: str = "float64"
) -> np.ndarray:
    y, p = _binary_terms(y_true, y_pred, label_smoothing, dtype)
    if from_logits:
        grad = _sigmoid(p) - y
    else:
        c = _clip(p)
        grad = -(y / c - (1.0 - y) / (1.0 - c)) * _clip_grad(p)
    return grad / p.shape[axis]


# --- the loss objects: Keras's wrapper and reduction ----------------------------------


def squeeze_or_expand_to_same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """Keras's: when the ranks differ by one and the longer has a last axis of 1, squeeze
    it, or give a rank-1 shorter one that axis."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = np.squeeze(x1, axis=-1)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = np.squeeze(x2, axis=-1)
    return x1, x2


REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


class _Loss:
    """A LossFunctionWrapper: y_true and y_pred brought to the same rank, the function,
    then the sample weights and the reduction."""

    fn: Callable[..., np.ndarray]
    fn_grad: Callable[..., np.ndarray]

    def __init__(self, reduction: Optional[str] = "sum_over_batch_size", dtype: str = "float64", **kwargs: Any) -> None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(REDUCTIONS)}. Received: reduction={reduction}")
        self.reduction = reduction
        self.dtype = dtype
        self.kwargs: Dict[str, Any] = kwargs

    def _inputs(self, y_true: Any, y_pred: Any) -> Tuple[np.ndarray, np.ndarray, Tuple[int, ...]]:
        y_true_, y_pred_ = _array(y_true, self.dtype), _array(y_pred, self.dtype)
        shape = y_pred_.shape
        y_true_, y_pred_ = squeeze_or_expand_to_same_rank(y_true_, y_pred_)
        return y_true_, y_pred_, shape

    def _weights(self, values: np.ndarray, sample_weight: Any) -> Tuple[np.ndarray, float]:
        """Each per-sample loss's factor in the reduced loss, and the divisor."""
        w = np.ones_like(values)
        if sample_weight is not None:
            sw = _array(sample_weight, self.dtype)
            values_, sw = squeeze_or_expand_to_same_rank(values, sw)
            w = np.broadcast_to(sw, np.broadcast_shapes(values_.shape, sw.shape)).reshape(values.shape)
        if self.reduction in (None, "none", "sum") or values.shape in ((), (0,)):
            return w, 1.0
        if self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            return w, float(np.sum(w))
        return w, float(values.size)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> np.ndarray:
        t, p, _ = self._inputs(y_true, y_pred)
        values = type(self).fn(t, p, dtype=self.dtype, **self.kwargs)
        w, divisor = self._weights(values, sample_weight)
        weighted = values * w
        if self.reduction in (None, "none") or values.shape in ((), (0,)):
            return weighted
        total = np.sum(weighted)
        return total if self.reduction == "sum" else (total / divisor if divisor else np.zeros_like(total))

    def grad(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> np.ndarray:
        """d(loss)/d(y_pred); with reduction None, of the sum of the losses."""
        t, p, shape = self._inputs(y_true, y_pred)
        values = type(self).fn(t, p, dtype=self.dtype, **self.kwargs)
        w, divisor = self._weights(values, sample_weight)
        per_sample = type(self).fn_grad(t, p, dtype=self.dtype, **self.kwargs)
        axis = self.kwargs.get("axis", -1)
        factor = np.expand_dims(w / divisor if divisor else np.zeros_like(w), axis)
        return (per_sample * factor).reshape(shape)


class CategoricalCrossentropy(_Loss):
    fn = staticmethod(categorical_crossentropy)
    fn_grad = staticmethod(categorical_crossentropy_grad)

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Optional[str] = "sum_over_batch_size", dtype: str = "float64") -> None:
        super().__init__(reduction, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Loss):
    fn = staticmethod(sparse_categorical_crossentropy)
    fn_grad = staticmethod(sparse_categorical_crossentropy_grad)

    def __init__(self, from_logits: bool = False, reduction: Optional[str] = "sum_over_batch_size", dtype: str = "float64") -> None:
        super().__init__(reduction, dtype, from_logits=from_logits)


class BinaryCrossentropy(_Loss):
    fn = staticmethod(binary_crossentropy)
    fn_grad = staticmethod(binary_crossentropy_grad)

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: Optional[str] = "sum_over_batch_size", dtype: str = "float64") -> None:
        super().__init__(reduction, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
