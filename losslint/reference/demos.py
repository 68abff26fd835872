"""What each mistake does to the loss and its gradient, on concrete numbers.

Every demo runs the correct pipeline and the mistaken one through the NumPy reference
at a given width (the number of classes or outputs the analysis inferred) and reports
the loss, the norm of the gradient on the logits, and what happens: the error torch
raises, a loss stuck at a floor or at 0, a negative loss, saturation.

A finding on a Keras loss asks for ``demo(code, width, "keras")``: Keras's own variant
where it has one (``KERAS_DEMOS``, run through ``losslint.reference.keras_losses`` in
float32, Keras's default), torch's otherwise. LL501 and LL502 are Keras-only: their
demos always show Keras's numbers. Each Keras row keeps its pipeline as data (``case``)
so tests/test_reference_keras.py can rerun it through Keras.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from losslint.reference import functional as F
from losslint.reference import grad as G
from losslint.reference import keras_losses as KL

Pipeline = Callable[[np.ndarray], Tuple[float, np.ndarray]]  # logits -> (loss, d loss / d logits)


@dataclass
class Row:
    pipeline: str
    loss: Optional[float]
    grad_norm: Optional[float]
    note: str = ""
    case: Optional["KerasCase"] = None  # a Keras row as data, for the parity tests


@dataclass
class Curve:
    """Loss against the true-class (or positive-unit) logit, for both pipelines."""

    label: str
    xs: List[float]
    series: Dict[str, List[float]]


@dataclass
class Demo:
    code: str
    setup: str
    rows: List[Row]
    summary: str
    curve: Optional[Curve] = None
    extra: List[str] = field(default_factory=list)


# --- building blocks ------------------------------------------------------------------


def class_logits(width: int) -> np.ndarray:
    """(1, C) logits with the true class 0 ahead: [2, -1, 0.5] for three classes."""
    pattern = [-1.0, 0.5, -0.3, 1.0, -2.0, 0.2]
    rest = [pattern[i % len(pattern)] for i in range(width - 1)]
    return np.array([[2.0] + rest])


def softmax_vjp(z: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    p = F.softmax(z, 1)
    return p * (upstream - np.sum(upstream * p, axis=1, keepdims=True))


def sigmoid_vjp(z: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    s = F.sigmoid(z)
    return upstream * s * (1.0 - s)


def log_softmax_vjp(z: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    return upstream - F.softmax(z, 1) * np.sum(upstream, axis=1, keepdims=True)


def _row(name: str, pipeline: Pipeline, z: np.ndarray, note: str = "") -> Row:
    loss, gradient = pipeline(z)
    return Row(name, float(loss), float(np.linalg.norm(gradient)), note)


def _curve(label: str, z: np.ndarray, unit: Tuple[int, int], pipelines: Dict[str, Pipeline], lo: float, hi: float) -> Curve:
    xs = list(np.linspace(lo, hi, 25))
    series: Dict[str, List[float]] = {}
    for name, pipeline in pipelines.items():
        values = []
        for x in xs:
            moved = z.copy()
            moved[unit] = x
            values.append(float(pipeline(moved)[0]))
        series[name] = values
    return Curve(label, [float(x) for x in xs], series)


def _percent_smaller(mistaken: float, correct: float) -> str:
    if correct == 0:
        return "n/a"
    return f"{100 * (1 - mistaken / correct):.0f}%"


# --- pipelines ------------------------------------------------------------------------


def ce_on_logits(y: np.ndarray) -> Pipeline:
    return lambda z: (F.cross_entropy(z, y), G.cross_entropy(z, y))


def ce_after(activation: str, y: np.ndarray) -> Pipeline:
    act = {"softmax": lambda z: F.softmax(z, 1), "sigmoid": F.sigmoid, "log_softmax": lambda z: F.log_softmax(z, 1)}[activation]
    vjp = {"softmax": softmax_vjp, "sigmoid": sigmoid_vjp, "log_softmax": log_softmax_vjp}[activation]
    return lambda z: (F.cross_entropy(act(z), y), vjp(z, G.cross_entropy(act(z), y)))


def nll_after(activation: Optional[str], y: np.ndarray) -> Pipeline:
    if activation is None:
        return lambda z: (F.nll_loss(z, y), G.nll_loss(z, y))
    act = {"softmax": lambda z: F.softmax(z, 1), "log_softmax": lambda z: F.log_softmax(z, 1)}[activation]
    vjp = {"softmax": softmax_vjp, "log_softmax": log_softmax_vjp}[activation]
    return lambda z: (F.nll_loss(act(z), y), vjp(z, G.nll_loss(act(z), y)))


def bcel_on_logits(y: np.ndarray) -> Pipeline:
    return lambda z: (F.binary_cross_entropy_with_logits(z, y), G.binary_cross_entropy_with_logits(z, y))


def bcel_after_sigmoid(y: np.ndarray) -> Pipeline:
    return lambda z: (
        F.binary_cross_entropy_with_logits(F.sigmoid(z), y),
        sigmoid_vjp(z, G.binary_cross_entropy_with_logits(F.sigmoid(z), y)),
    )


def bce_after(activation: str, y: np.ndarray) -> Pipeline:
    act = {"sigmoid": F.sigmoid, "softmax": lambda z: F.softmax(z, 1)}[activation]
    vjp = {"sigmoid": sigmoid_vjp, "softmax": softmax_vjp}[activation]
    return lambda z: (F.binary_cross_entropy(act(z), y), vjp(z, G.binary_cross_entropy(act(z), y)))


# --- the demos ------------------------------------------------------------------------


def _double_activation(code: str, activation: str, width: int) -> Demo:
    width = max(width, 2)
    z, y = class_logits(width), np.array([0])
    correct, mistaken = ce_on_logits(y), ce_after(activation, y)
    good, bad = _row("CrossEntropyLoss on logits", correct, z), _row(f"CrossEntropyLoss after {activation}", mistaken, z)
    floor = math.log(1 + (width - 1) / math.e)
    return Demo(
        code,
        f"{width} classes, logits {_fmt(z[0])}, target class 0",
        [good, bad],
        f"with {width} classes, {activation} then CrossEntropyLoss can never go below {floor:.3f}; here it gives "
        f"{bad.loss:.3f} instead of {good.loss:.3f}, with a {_percent_smaller(bad.grad_norm, good.grad_norm)} smaller gradient",
        _curve("true-class logit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0),
    )


def _ll103(width: int) -> Demo:
    z, y = np.array([[2.0, -1.0, 0.5][: max(width, 1)]]), np.array([[1.0, 0.0, 1.0][: max(width, 1)]])
    good = _row("BCEWithLogitsLoss on logits", bcel_on_logits(y), z)
    bad = Row("BCELoss on logits", None, None, "RuntimeError: all elements of input should be between 0 and 1")
    return Demo("LL103", f"logits {_fmt(z[0])}, targets {_fmt(y[0])}", [good, bad],
                f"BCELoss on raw logits raises as soon as one logit leaves [0, 1] (here {z[0, 0]:g}); "
                f"BCEWithLogitsLoss gives {good.loss:.3f}")


def _ll104(width: int) -> Demo:
    z, y = np.array([[2.0, -1.0, 0.5][: max(width, 1)]]), np.array([[1.0, 0.0, 1.0][: max(width, 1)]])
    correct, mistaken = bcel_on_logits(y), bcel_after_sigmoid(y)
    good, bad = _row("BCEWithLogitsLoss on logits", correct, z), _row("BCEWithLogitsLoss after sigmoid", mistaken, z)
    return Demo(
        "LL104",
        f"logits {_fmt(z[0])}, targets {_fmt(y[0])}",
        [good, bad],
        f"a double sigmoid keeps predictions in (0.5, 0.73): the loss cannot go below 0.313 per positive and "
        f"0.693 per negative unit; here {bad.loss:.3f} instead of {good.loss:.3f}, gradient "
        f"{_percent_smaller(bad.grad_norm, good.grad_norm)} smaller",
        _curve("logit of a positive unit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -6.0, 10.0),
    )


def _ll105(width: int) -> Demo:
    width = max(width, 2)
    z, y = class_logits(width), np.array([0])
    correct, mistaken = nll_after("log_softmax", y), nll_after(None, y)
    good, bad = _row("NLLLoss after log_softmax", correct, z), _row("NLLLoss on logits", mistaken, z, "negative, unbounded")
    return Demo("LL105", f"{width} classes, logits {_fmt(z[0])}, target class 0", [good, bad],
                f"NLLLoss on logits is -logit[target]: {bad.loss:.3f} here, and it falls without bound as the "
                f"logit grows (correct loss {good.loss:.3f})",
                _curve("true-class logit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0))


def _ll106(width: int) -> Demo:
    width = max(width, 2)
    z, y = class_logits(width), np.array([0])
    correct, mistaken = nll_after("log_softmax", y), nll_after("softmax", y)
    good, bad = _row("NLLLoss after log_softmax", correct, z), _row("NLLLoss after softmax", mistaken, z, "negative")
    return Demo("LL106", f"{width} classes, logits {_fmt(z[0])}, target class 0", [good, bad],
                f"without the log NLLLoss returns -p[target]: {bad.loss:.3f} here instead of {good.loss:.3f}, "
                f"never below -1 and with a {_percent_smaller(bad.grad_norm, good.grad_norm)} smaller gradient",
                _curve("true-class logit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0))


def _ll107(width: int) -> Demo:
    width = max(width, 2)
    z = class_logits(width)
    y = np.zeros_like(z)
    y[0, :2] = 1.0  # two labels on
    correct, mistaken = bcel_on_logits(y), bce_after("softmax", y)
    good, bad = _row("BCEWithLogitsLoss on logits", correct, z), _row("BCELoss after softmax", mistaken, z)
    return Demo("LL107", f"{width} labels, logits {_fmt(z[0])}, labels {_fmt(y[0])}", [good, bad],
                f"softmax makes the units sum to 1, so two labels can never both pass 0.5; "
                f"here {bad.loss:.3f} instead of {good.loss:.3f}",
                _curve("logit of a positive label", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0))


def _ll108(width: int) -> Demo:
    width = max(width, 2)
    z, y = class_logits(width), np.array([0])
    good, same = _row("CrossEntropyLoss on logits", ce_on_logits(y), z), _row("after log_softmax", ce_after("log_softmax", y), z)
    return Demo("LL108", f"{width} classes, logits {_fmt(z[0])}, target class 0", [good, same],
                f"log_softmax is idempotent: the loss ({same.loss:.3f}) and gradient are unchanged, the call is redundant")


def _ll109(width: int) -> Demo:
    width = max(width, 2)
    s = class_logits(width)
    target = F.softmax(s, 1)
    good = Row("kl_div(log_softmax(s), p)", float(F.kl_div(F.log_softmax(s, 1), target, "batchmean")),
               float(np.linalg.norm(log_softmax_vjp(s, G.kl_div(F.log_softmax(s, 1), target, "batchmean")))))
    bad = Row("kl_div(softmax(s), p)", float(F.kl_div(F.softmax(s, 1), target, "batchmean")),
              float(np.linalg.norm(softmax_vjp(s, G.kl_div(F.softmax(s, 1), target, "batchmean")))), "not 0")
    return Demo("LL109", f"student = teacher, {width} classes, logits {_fmt(s[0])}", [good, bad],
                f"the divergence of a distribution from itself is 0; with probabilities as input kl_div gives "
                f"{bad.loss:.3f}")


def _ll110(width: int) -> Demo:
    width = max(width, 2)
    z = class_logits(width)
    mass = float(np.exp(z).sum())
    rows = [Row("log_softmax over the symbols", None, None, "probability mass per frame 1.000"),
            Row("raw logits", None, None, f"probability mass per frame {mass:.3f}")]
    return Demo("LL110", f"one frame, {width} symbols, logits {_fmt(z[0])}", rows,
                f"CTC sums exp(input) over alignments: raw logits give each frame a mass of {mass:.3f} instead of 1, "
                "so the loss is meaningless (it can be negative)")


def _ll111(width: int) -> Demo:
    y = np.array([[0.0]])
    correct, mistaken = bcel_on_logits(y), bce_after("sigmoid", y)
    z = np.array([[200.0]])
    good, bad = _row("BCEWithLogitsLoss on the logit", correct, z), _row("BCELoss after sigmoid", mistaken, z, "clamped")
    return Demo("LL111", "a confident mistake: logit 200, target 0", [good, bad],
                f"once the sigmoid saturates BCELoss clamps each log at -100: {bad.loss:.1f} with gradient "
                f"{bad.grad_norm:.3g}, where BCEWithLogitsLoss gives {good.loss:.1f} with gradient {good.grad_norm:.3g}",
                _curve("logit (target 0)", np.array([[0.0]]), (0, 0), {"correct": correct, "mistaken": mistaken}, -10.0, 150.0))


def _ll201(width: int) -> Demo:
    z = np.array([[2.0]])
    zero = _row("CrossEntropyLoss, target 0", ce_on_logits(np.array([0])), z, "always 0: nothing to learn")
    one = Row("CrossEntropyLoss, target 1", None, None, "IndexError: Target 1 is out of bounds")
    good = _row("BCEWithLogitsLoss, target 1.0", bcel_on_logits(np.array([[1.0]])), z)
    return Demo("LL201", "one output unit, logit 2.0", [good, zero, one],
                "with one output the softmax is 1: the loss is 0 with a zero gradient for target 0, and torch "
                "raises IndexError for target 1")


def _ll202(width: int) -> Demo:
    values = [-5.0, 0.0, 3.0, 40.0]
    outputs = [float(F.softmax(np.array([[v]]), 1)[0, 0]) for v in values]
    rows = [Row(f"softmax([[{v:g}]])", None, None, f"= {o:.1f}") for v, o in zip(values, outputs)]
    return Demo("LL202", "softmax over a dimension of width 1", rows,
                "softmax over a single value is 1.0 whatever the input, so the output carries no information and "
                "its gradient is 0")


def _shape_error(code: str, message: str, good: Row, setup: str) -> Demo:
    return Demo(code, setup, [good, Row("as written", None, None, message)], f"torch raises {message}; {good.pipeline} gives {good.loss:.3f}")


def _ll203(width: int) -> Demo:
    z, y = np.array([[2.0], [-1.0]]), np.array([[1.0], [0.0]])
    good = _row("BCEWithLogitsLoss, (N, 1) against (N, 1)", bcel_on_logits(y), z)
    return _shape_error("LL203", "ValueError: Target size (torch.Size([2])) must be the same as input size (torch.Size([2, 1]))",
                        good, "two samples, one output unit")


def _ll204(width: int) -> Demo:
    width = max(width, 2)
    z, y = class_logits(width), np.array([0])
    good = _row("CrossEntropyLoss with class indices", ce_on_logits(y), z)
    return _shape_error("LL204", f"ValueError: Target size (torch.Size([1])) must be the same as input size (torch.Size([1, {width}]))",
                        good, f"{width} outputs, class index 0")


def _ll205(width: int) -> Demo:
    width = max(width, 2)
    logits = np.stack([class_logits(width), class_logits(width)[:, ::-1]])  # (N=2, L=1, C)
    implicit = F.softmax(logits, 0)
    sums = implicit.sum(axis=-1).ravel()
    rows = [Row("softmax(dim=-1)", None, None, "each token's class probabilities sum to 1.000"),
            Row("softmax without dim (3-D input: dim 0)", None, None, "sums " + ", ".join(f"{s:.3f}" for s in sums))]
    return Demo("LL205", f"(batch 2, length 1, {width} classes)", rows,
                "for a 3-D input torch picks dim 0, the batch: probabilities are normalised across samples")


def _ll301(width: int) -> Demo:
    z, y = np.array([[2.0], [-1.0]]), np.array([[1.0], [0.0]])
    good = _row("BCEWithLogitsLoss with float targets", bcel_on_logits(y), z)
    return _shape_error("LL301", "RuntimeError: result type Float can't be cast to the desired output type Long "
                        "(BCELoss: Found dtype Long but expected Float)", good, "integer targets [1, 0]")


def _ll302(width: int) -> Demo:
    width = max(width, 2)
    z = class_logits(width)
    good = _row("CrossEntropyLoss with a long target", ce_on_logits(np.array([0])), z)
    return _shape_error("LL302", "RuntimeError: expected target dtype to be Long or Byte, but got Float", good, "target 0.0 as a float")


def _ll112(width: int) -> Demo:
    y = np.array([[0.0]])
    correct = bcel_on_logits(y)

    def after_relu(z: np.ndarray) -> Tuple[float, np.ndarray]:
        r = np.maximum(z, 0.0)
        return F.binary_cross_entropy_with_logits(r, y), G.binary_cross_entropy_with_logits(r, y) * (z > 0)

    z = np.array([[-4.0]])
    good = _row("BCEWithLogitsLoss on the logit", correct, z)
    bad = _row("after ReLU (the logit becomes 0)", after_relu, z, "stuck: zero gradient")
    classes = max(width, 2)
    floor = math.log(1 + (classes - 1) / math.e)
    return Demo(
        "LL112",
        "a negative sample (target 0), logit -4",
        [good, bad],
        f"ReLU logits are never negative, so sigmoid >= 0.5: a negative sample's loss can never go below "
        f"log(2) = {math.log(2):.3f} (here {bad.loss:.3f} instead of {good.loss:.3f}); with {classes} classes and the "
        f"true logit at 1, the other classes cannot go below 0 and the loss stays above {floor:.3f}",
        _curve("logit (target 0)", np.array([[0.0]]), (0, 0), {"correct": correct, "mistaken": after_relu}, -6.0, 6.0),
    )


def _log_softmax_vjp_along(z: np.ndarray, upstream: np.ndarray, dim: int) -> np.ndarray:
    return upstream - F.softmax(z, dim) * np.sum(upstream, axis=dim, keepdims=True)


def _ll207(width: int) -> Demo:
    classes = max(width, 2)
    z = np.stack([class_logits(classes)[0], class_logits(classes)[0][::-1]])  # (N=2, C)
    y = np.array([0, classes - 1])

    def over(dim: int) -> Pipeline:
        return lambda v: (F.nll_loss(F.log_softmax(v, dim), y), _log_softmax_vjp_along(v, G.nll_loss(F.log_softmax(v, dim), y), dim))

    good, bad = _row("log_softmax(dim=1), the classes", over(1), z), _row("log_softmax(dim=0), the batch", over(0), z)
    sums = F.softmax(z, 0).sum(axis=1)
    other = z.copy()
    other[1] += 3.0  # only the second sample changes
    moved = float(F.nll_loss(F.log_softmax(other, 0)[:1], y[:1]))
    alone = float(F.nll_loss(F.log_softmax(z, 0)[:1], y[:1]))
    return Demo(
        "LL207",
        f"a batch of 2 samples, {classes} classes, logits {_fmt(z[0])} and {_fmt(z[1])}",
        [good, bad],
        f"over the batch each sample's probabilities sum to {', '.join(f'{v:.3f}' for v in sums)} instead of 1; the "
        f"loss is {bad.loss:.3f} instead of {good.loss:.3f}, and sample 0's own loss moves from {alone:.3f} to "
        f"{moved:.3f} when only sample 1 changes",
    )


def _ll206(width: int) -> Demo:
    classes = max(width, 2)
    length = classes + 1
    rng = np.random.default_rng(0)
    logits = np.round(rng.normal(0, 2, (2, length, classes)), 2)  # (N, L, C)
    tags = np.arange(2 * length).reshape(2, length) % classes
    good = _row("CrossEntropyLoss on (N, C, L)", lambda v: (F.cross_entropy(v.transpose(0, 2, 1), tags), G.cross_entropy(v.transpose(0, 2, 1), tags)), logits)
    square = logits[:, :classes, :]  # length == classes: no error
    right = float(F.cross_entropy(square.transpose(0, 2, 1), tags[:, :classes]))
    wrong = float(F.cross_entropy(square, tags[:, :classes]))
    rows = [good, Row("as written, (N, L, C) with L != C", None, None,
                      f"RuntimeError: Expected target size [2, {classes}], got [2, {length}]"),
            Row("as written, L == C", wrong, None, f"silently wrong: {right:.4f} is right")]
    return Demo("LL206", f"2 sequences of {length} tokens, {classes} tags, class axis last", rows,
                f"torch reads dim 1 as the classes: it raises when the length differs from the number of tags, and "
                f"when they are equal it trains on the wrong axis ({wrong:.3f} instead of {right:.3f})")


def _ll303(width: int) -> Demo:
    prediction, target = np.array([[1.0], [2.0], [3.0], [6.0]]), np.array([1.0, 2.0, 3.0, 6.0])
    right = float(F.mse_loss(prediction[:, 0], target))
    broadcast = float(F.mse_loss(prediction, target))
    mean = np.full((4, 1), target.mean())
    at_mean = float(F.mse_loss(mean, target))
    rows = [Row("MSELoss, (N,) against (N,)", right, float(np.linalg.norm(G.mse_loss(prediction[:, 0], target))), "perfect predictions"),
            Row("MSELoss, (N, 1) against (N,)", broadcast, float(np.linalg.norm(G.mse_loss(prediction, target))), "broadcast to (N, N)"),
            Row("  the same, predicting the mean", at_mean, float(np.linalg.norm(G.mse_loss(mean, target))), "lower: the minimum")]
    return Demo("LL303", f"predictions = targets = {_fmt(target)}", rows,
                f"broadcast to (N, N), perfect predictions score {broadcast:.3f} while predicting the mean "
                f"({target.mean():g}) for every sample scores {at_mean:.3f}, the minimum: the model learns the mean "
                f"(the right loss is {right:.3f})")


# --- Keras: its own numbers (losslint.reference.keras_losses, float32 like Keras) ------


@dataclass
class KerasCase:
    """A Keras demo row as data, so tests/test_reference_keras.py can run it through Keras:
    ``activation`` (None, "softmax" or "sigmoid", over the last axis) on ``logits``, then
    ``keras.losses.<loss>(**kwargs)`` against ``target``."""

    loss: str
    kwargs: Dict[str, Any]
    activation: Optional[str]
    logits: np.ndarray
    target: np.ndarray


KERAS_DTYPE = "float32"  # keras.config.floatx()
KERAS = "float32, Keras on JAX"  # the TensorFlow backend differs: see losslint.reference.keras_losses
KERAS_ACTIVATIONS: Dict[Optional[str], Tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    None: (lambda z: z, lambda z, upstream: upstream),
    "softmax": (lambda z: F.softmax(z, -1), softmax_vjp),
    "sigmoid": (F.sigmoid, sigmoid_vjp),
}


def keras_pipeline(loss: str, target: np.ndarray, activation: Optional[str] = None, **kwargs: Any) -> Pipeline:
    """logits -> (Keras's loss of ``activation(logits)``, its gradient on the logits)."""
    objective = getattr(KL, loss)(dtype=KERAS_DTYPE, **kwargs)
    act, vjp = KERAS_ACTIVATIONS[activation]

    def run(z: np.ndarray) -> Tuple[float, np.ndarray]:
        out = act(z)
        return float(objective(target, out)), vjp(z, objective.grad(target, out).astype(np.float64))

    return run


def _keras_row(name: str, z: np.ndarray, loss: str, target: Any, activation: Optional[str] = None, note: str = "", **kwargs: Any) -> Row:
    """The row of one Keras pipeline; a ValueError Keras would raise becomes the note."""
    target = np.asarray(target)
    case = KerasCase(loss, kwargs, activation, z, target)
    try:
        value, gradient = keras_pipeline(loss, target, activation, **kwargs)(z)
    except ValueError as error:
        return Row(name, None, None, f"ValueError: {error}", case)
    return Row(name, value, float(np.linalg.norm(gradient)), note, case)


def _gradient_change(mistaken: Row, correct: Row) -> str:
    """"a 40% smaller gradient", or larger."""
    if not correct.grad_norm or mistaken.grad_norm is None:
        return "a different gradient"
    change = mistaken.grad_norm / correct.grad_norm - 1
    return f"a {abs(change) * 100:.0f}% {'smaller' if change < 0 else 'larger'} gradient"


def _flat(row: Row) -> str:
    return "zero gradient" if row.grad_norm == 0 else f"gradient {row.grad_norm:.3g}"


def _probabilities(values: Sequence[float], limit: int = 6) -> str:
    shown = ", ".join(f"{v:.2f}" for v in list(values)[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _keras_double_activation(code: str, width: int) -> Demo:
    """LL101 (softmax) and LL102 (sigmoid) into a categorical loss, with Keras's numbers."""
    classes = max(width, 2)
    z, y = class_logits(classes), np.array([0])
    loss = "SparseCategoricalCrossentropy"
    good = _keras_row("from_logits=True on the logits", z, loss, y, from_logits=True)
    also = _keras_row("softmax output, from_logits=False", z, loss, y, "softmax")
    floor = math.log(1 + (classes - 1) / math.e)
    setup = f"{classes} classes, logits {_fmt(z[0])}, class 0 (SparseCategoricalCrossentropy; one-hot targets give the same), {KERAS}"
    correct = keras_pipeline(loss, y, from_logits=True)
    if code == "LL101":
        bad = _keras_row("softmax output, from_logits=True", z, loss, y, "softmax", from_logits=True)
        mistaken = keras_pipeline(loss, y, "softmax", from_logits=True)
        return Demo(code, setup, [good, also, bad],
                    f"Keras applies log_softmax to the softmax output: with {classes} classes the loss can never go below "
                    f"{floor:.3f}; here it gives {bad.loss:.3f} instead of {good.loss:.3f}, with "
                    f"{_gradient_change(bad, good)}",
                    _curve("true-class logit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0))
    normalised = _keras_row("sigmoid output, from_logits=False", z, loss, y, "sigmoid", "sigmoids / their sum")
    softmaxed = _keras_row("sigmoid output, from_logits=True", z, loss, y, "sigmoid", f"never below {floor:.3f}", from_logits=True)
    mistaken = keras_pipeline(loss, y, "sigmoid")
    return Demo(code, setup, [good, also, normalised, softmaxed],
                f"Keras divides the sigmoid outputs by their sum: {normalised.loss:.3f} instead of {good.loss:.3f}, with "
                f"{_gradient_change(normalised, good)}, and the outputs are not exclusive; with from_logits=True it is "
                f"{softmaxed.loss:.3f} and cannot go below {floor:.3f}",
                _curve("true-class logit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -4.0, 10.0))


def _binary_logits(width: int) -> Tuple[np.ndarray, np.ndarray]:
    return np.array([[2.0, -1.0, 0.5][: max(width, 1)]]), np.array([[1.0, 0.0, 1.0][: max(width, 1)]])


def _keras_ll103(width: int) -> Demo:
    z, y = _binary_logits(width)
    lo, hi = KL.EPSILON, 1 - KL.EPSILON
    clipped = [f"{v:g}" for v in z[0] if not lo < v < hi]
    good = _keras_row("BinaryCrossentropy(from_logits=True)", z, "BinaryCrossentropy", y, from_logits=True)
    bad = _keras_row("BinaryCrossentropy() on the logits", z, "BinaryCrossentropy", y,
                     note=f"{len(clipped)} of {z.shape[1]} units clipped")
    which = f"{'the logit' if len(clipped) == 1 else 'the logits'} {', '.join(clipped)}" if clipped else "none here"
    return Demo("LL103", f"logits {_fmt(z[0])}, targets {_fmt(y[0])}, {KERAS}", [good, bad],
                f"Keras does not raise on logits outside [0, 1]: it clips them to [1e-7, 1 - 1e-7] ({which}), and a "
                f"clipped unit gets no gradient; here {bad.loss:.3f} ({_flat(bad)}) instead of {good.loss:.3f} "
                f"({_flat(good)})",
                _curve("logit of a positive unit", z, (0, 0), {
                    "correct": keras_pipeline("BinaryCrossentropy", y, from_logits=True),
                    "mistaken": keras_pipeline("BinaryCrossentropy", y)}, -4.0, 10.0))


def _keras_ll104(width: int) -> Demo:
    z, y = _binary_logits(width)
    correct = keras_pipeline("BinaryCrossentropy", y, from_logits=True)
    mistaken = keras_pipeline("BinaryCrossentropy", y, "sigmoid", from_logits=True)
    good = _keras_row("BinaryCrossentropy(from_logits=True) on logits", z, "BinaryCrossentropy", y, from_logits=True)
    bad = _keras_row("sigmoid output, from_logits=True", z, "BinaryCrossentropy", y, "sigmoid", from_logits=True)
    return Demo("LL104", f"logits {_fmt(z[0])}, targets {_fmt(y[0])}, {KERAS}", [good, bad],
                f"a double sigmoid keeps predictions in (0.5, 0.73): the loss cannot go below 0.313 per positive and "
                f"0.693 per negative unit; here {bad.loss:.3f} instead of {good.loss:.3f}, with "
                f"{_gradient_change(bad, good)}",
                _curve("logit of a positive unit", z, (0, 0), {"correct": correct, "mistaken": mistaken}, -6.0, 10.0))


def _keras_ll107(width: int) -> Demo:
    width = max(width, 2)
    z = class_logits(width)
    y = np.zeros_like(z)
    y[0, :2] = 1.0
    good = _keras_row("BinaryCrossentropy(from_logits=True)", z, "BinaryCrossentropy", y, from_logits=True)
    bad = _keras_row("softmax output, BinaryCrossentropy()", z, "BinaryCrossentropy", y, "softmax")
    return Demo("LL107", f"{width} labels, logits {_fmt(z[0])}, labels {_fmt(y[0])}, {KERAS}", [good, bad],
                f"softmax makes the units sum to 1, so two labels can never both pass 0.5; here {bad.loss:.3f} instead "
                f"of {good.loss:.3f}",
                _curve("logit of a positive label", z, (0, 0), {
                    "correct": keras_pipeline("BinaryCrossentropy", y, from_logits=True),
                    "mistaken": keras_pipeline("BinaryCrossentropy", y, "softmax")}, -4.0, 10.0))


def _keras_ll201(width: int) -> Demo:
    z = np.array([[2.0]])
    loss = "SparseCategoricalCrossentropy"
    good = _keras_row("BinaryCrossentropy(from_logits=True), target 1", z, "BinaryCrossentropy", [[1.0]], from_logits=True)
    zero = _keras_row("from_logits=True, class 0", z, loss, [0], from_logits=True, note="softmax of one unit is 1")
    one = _keras_row("from_logits=True, class 1", z, loss, [1], from_logits=True, note="out of range: no error")
    probability = _keras_row("from_logits=False, class 0", z, loss, [0], note="z / sum(z) = 1, clipped")
    return Demo("LL201", f"one output unit, logit 2.0, {KERAS}", [good, zero, one, probability],
                f"with one output the softmax (or the division by the sum) gives 1: class 0 costs {zero.loss:.3g} "
                f"(from_logits=False: {probability.loss:.3g}) with a zero gradient, and class 1, out of range, costs "
                f"{one.loss:.3g} where torch raises IndexError: nothing is learned")


def _keras_ll202(width: int) -> Demo:
    z = np.array([[2.0]])
    values = [-5.0, 0.0, 3.0, 40.0]
    outputs = [float(F.softmax(np.array([[v]]), -1)[0, 0]) for v in values]
    rows = [Row(f"softmax([[{v:g}]])", None, None, f"= {o:.1f}") for v, o in zip(values, outputs)]
    good = _keras_row("sigmoid output, target 0", z, "BinaryCrossentropy", [[0.0]], "sigmoid")
    positive = _keras_row("softmax output, target 1", z, "BinaryCrossentropy", [[1.0]], "softmax", "1 clipped to 1 - 1e-7")
    negative = _keras_row("softmax output, target 0", z, "BinaryCrossentropy", [[0.0]], "softmax", "stuck")
    return Demo("LL202", f"Dense(1, activation=\"softmax\"), logit 2.0, {KERAS}", rows + [good, positive, negative],
                f"softmax over a single value is 1.0 whatever the input; Keras clips it to 1 - 1e-7, so "
                f"BinaryCrossentropy gives {negative.loss:.3f} for every negative sample and {positive.loss:.3g} for "
                f"every positive one, with a zero gradient (a sigmoid output gives {good.loss:.3f} for this negative)")


def _ll501(width: int) -> Demo:
    z = class_logits(max(width, 1))
    classes = z.shape[1]
    loss = "SparseCategoricalCrossentropy"
    p = z[0] / z[0].sum()
    rows = [_keras_row("from_logits=True, class 0", z, loss, [0], from_logits=True),
            _keras_row("from_logits=False (default), class 0", z, loss, [0])]
    if classes > 1:
        rows += [_keras_row("from_logits=True, class 1", z, loss, [1], from_logits=True),
                 _keras_row("from_logits=False (default), class 1", z, loss, [1])]
    for row in rows[1::2]:
        row.note = "clipped: zero gradient" if row.grad_norm == 0 else "read as probabilities"
    outcome = "; ".join(f"class {k}: {bad.loss:.3f} ({_flat(bad)}) instead of {good.loss:.3f}"
                        for k, (good, bad) in enumerate(zip(rows[0::2], rows[1::2])))
    return Demo("LL501", f"{classes} classes, logits {_fmt(z[0])} (CategoricalCrossentropy gives the same), {KERAS}", rows,
                f"linear outputs {_fmt(z[0])} normalised by their sum give p = {_probabilities(p)}, clipped to "
                f"[1e-7, 1 - 1e-7] before the log; {outcome}",
                _curve("true-class logit", z, (0, 0), {"correct": keras_pipeline(loss, np.array([0]), from_logits=True),
                                                       "mistaken": keras_pipeline(loss, np.array([0]))}, -4.0, 10.0))


def _ll502(width: int) -> Demo:
    classes = max(width, 1)
    z = class_logits(classes)
    one_hot = np.eye(classes)[[0]]
    rows = [_keras_row("SparseCategoricalCrossentropy, class index [0]", z, "SparseCategoricalCrossentropy", [0], "softmax"),
            _keras_row(f"CategoricalCrossentropy, one-hot {_fmt(one_hot[0])}", z, "CategoricalCrossentropy", one_hot, "softmax"),
            _keras_row("SparseCategoricalCrossentropy, one-hot targets", z, "SparseCategoricalCrossentropy", one_hot, "softmax"),
            _keras_row("CategoricalCrossentropy, class indices", z, "CategoricalCrossentropy", [0], "softmax")]
    good, _, sparse, categorical = rows
    setup = f"softmax output of {classes} unit{'s' if classes > 1 else ''}, logits {_fmt(z[0])}, class 0, {KERAS}"
    if sparse.loss is None and categorical.loss is None:
        return Demo("LL502", setup, rows,
                    f"Keras 3 checks the targets' shape: one-hot targets into the sparse loss and class indices into "
                    f"the categorical one raise ValueError at the first batch; with the right targets both give "
                    f"{good.loss:.3f}")
    for row in rows[2:]:
        row.note = row.note or "silently wrong: nothing raises"
    return Demo("LL502", setup, rows,
                f"with one output unit Keras raises nothing: the one-hot [1] read as a class index is class 1, out of "
                f"range, costing {sparse.loss:.3g}, and the class index 0 read as a one-hot target weighs nothing, "
                f"costing {categorical.loss:.3g}; nothing is learned")


KERAS_DEMOS: Dict[str, Callable[[int], Demo]] = {
    "LL101": lambda w: _keras_double_activation("LL101", w),
    "LL102": lambda w: _keras_double_activation("LL102", w),
    "LL103": _keras_ll103,
    "LL104": _keras_ll104,
    "LL107": _keras_ll107,
    "LL201": _keras_ll201,
    "LL202": _keras_ll202,
}


DEMOS: Dict[str, Callable[[int], Demo]] = {
    "LL101": lambda w: _double_activation("LL101", "softmax", w),
    "LL102": lambda w: _double_activation("LL102", "sigmoid", w),
    "LL103": _ll103,
    "LL104": _ll104,
    "LL105": _ll105,
    "LL106": _ll106,
    "LL107": _ll107,
    "LL108": _ll108,
    "LL109": _ll109,
    "LL110": _ll110,
    "LL111": _ll111,
    "LL112": _ll112,
    "LL201": _ll201,
    "LL202": _ll202,
    "LL203": _ll203,
    "LL204": _ll204,
    "LL205": _ll205,
    "LL206": _ll206,
    "LL207": _ll207,
    "LL301": _ll301,
    "LL302": _ll302,
    "LL303": _ll303,
    "LL501": _ll501,  # Keras only: Keras's numbers whatever the framework
    "LL502": _ll502,
}
# A framework's own variants of the shared codes, where its numbers differ from torch's
# (a Keras finding of LL101 shows Keras's loss, not CrossEntropyLoss's).
FRAMEWORK_DEMOS: Dict[str, Dict[str, Callable[[int], Demo]]] = {"keras": KERAS_DEMOS}
DEFAULT_WIDTH = 3


def demo(code: str, width: Optional[int] = None, framework: Optional[str] = None) -> Optional[Demo]:
    """The demo of rule ``code`` at ``width`` classes or units, or None for rules without one.
    ``framework`` ("keras") picks that framework's variant where it has one; torch's otherwise.
    A framework with no demos of its own ("jax": optax's errors and labels differ from
    torch's) gets none rather than torch's pipelines and error messages."""
    if framework not in (None, "torch") and framework not in FRAMEWORK_DEMOS:
        return None
    make = FRAMEWORK_DEMOS.get(framework or "", {}).get(code) or DEMOS.get(code)
    if make is None:
        return None
    with np.errstate(all="ignore"):
        return make(width if width and width > 0 else DEFAULT_WIDTH)


def _fmt(values: Sequence[float], limit: int = 6) -> str:
    shown = ", ".join(f"{v:g}" for v in list(values)[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def plot(curve: Curve, height: int = 10) -> List[str]:
    """A small text plot of both series: ● correct, ○ mistaken, ◆ where they meet."""
    values = [v for series in curve.series.values() for v in series if math.isfinite(v)]
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    grid = [[" "] * len(curve.xs) for _ in range(height)]
    marks = {"correct": "●", "mistaken": "○"}
    for name, series in curve.series.items():
        for col, value in enumerate(series):
            if not math.isfinite(value):
                continue
            row = height - 1 - round((value - lo) / span * (height - 1))
            cell = grid[row][col]
            grid[row][col] = "◆" if cell not in (" ", marks[name]) else marks[name]
    lines = []
    for i, row in enumerate(grid):
        label = hi - i * span / (height - 1)
        lines.append(f"{label:8.2f} │{''.join(row)}")
    lines.append(" " * 9 + "└" + "─" * len(curve.xs))
    lines.append(f"{'':9} {curve.xs[0]:<8g}{curve.label:^{max(len(curve.xs) - 16, 1)}}{curve.xs[-1]:>8g}")
    lines.append(f"{'':9} ● correct   ○ mistaken   ◆ both")
    return lines
