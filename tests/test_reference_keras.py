"""The Keras reference (losslint.reference.keras_losses) against Keras 3 on the JAX backend:
values, and gradients through jax.grad, degenerate cases included. Skipped where Keras
or JAX is not installed (CI). Run with
``KERAS_BACKEND=jax PYTHONPATH=. <python with keras and jax> -m pytest tests/test_reference_keras.py``.

In float64 (Keras with jax_enable_x64 and floatx float64) the numbers agree to rounding;
in float32, Keras's default, to float32 rounding.
"""

import importlib.util
import os
import warnings

import numpy as np
import pytest

from losslint.reference import keras_losses as R


@pytest.fixture(scope="module")
def keras():
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
        pytest.skip("Keras and JAX are not installed")
    os.environ.setdefault("KERAS_BACKEND", "jax")  # read when keras is first imported
    import keras

    if keras.backend.backend() != "jax":
        pytest.skip(f"Keras runs on {keras.backend.backend()}, these tests need KERAS_BACKEND=jax")
    return keras


@pytest.fixture
def float64(keras):
    """Keras and JAX in float64 for the test, then back."""
    import jax

    x64, floatx = jax.config.jax_enable_x64, keras.config.floatx()
    jax.config.update("jax_enable_x64", True)
    keras.config.set_floatx("float64")
    yield "float64"
    keras.config.set_floatx(floatx)
    jax.config.update("jax_enable_x64", x64)


def keras_loss(keras, name, kwargs):
    return getattr(keras.losses, name)(**kwargs)


def keras_value_and_grad(keras, name, kwargs, y_true, y_pred, sample_weight, dtype):
    """The loss and d(sum of the loss)/d(y_pred), through jax.grad."""
    import jax
    import jax.numpy as jnp

    loss = keras_loss(keras, name, kwargs)
    pred = jnp.asarray(np.asarray(y_pred, dtype=dtype))
    y_true = np.asarray(y_true)  # a list would be read as a structure of outputs
    sample_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the width-1 SyntaxWarning
        value = np.asarray(loss(y_true, pred, sample_weight=sample_weight))
        grad = np.asarray(jax.grad(lambda p: jnp.sum(loss(y_true, p, sample_weight=sample_weight)))(pred))
    return value, grad


def reference_value_and_grad(name, kwargs, y_true, y_pred, sample_weight, dtype):
    loss = getattr(R, name)(**kwargs, dtype=dtype)
    return loss(y_true, y_pred, sample_weight), loss.grad(y_true, y_pred, sample_weight)


SOFT = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
ONE_HOT = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
LINEAR = [[2.0, -1.0, 0.5], [0.3, -2.0, 1.5]]  # logits read as probabilities: LL501
rng = np.random.default_rng(7)
SEQ = rng.normal(0, 1.5, (2, 4, 3))  # (N, L, C)
SEQ_TAGS = rng.integers(0, 3, (2, 4))

CASES = {
    # categorical
    "cce probabilities": ("CategoricalCrossentropy", {}, ONE_HOT, SOFT, None),
    "cce from logits": ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LINEAR, None),
    "cce logits as probabilities, true class ahead": ("CategoricalCrossentropy", {}, [[1.0, 0, 0], [0, 0, 1.0]], LINEAR, None),
    "cce logits as probabilities, on a negative logit": ("CategoricalCrossentropy", {}, [[0, 1.0, 0], [0, 1.0, 0]], LINEAR, None),
    "cce probabilities exactly 0 and 1": ("CategoricalCrossentropy", {}, [[1.0, 0, 0], [1.0, 0, 0]], [[1.0, 0, 0], [0, 1.0, 0]], None),
    "cce on the clip's edges": ("CategoricalCrossentropy", {}, [[1.0, 0], [0, 1.0]], [[1e-7, 1 - 1e-7], [1e-7, 1 - 1e-7]], None),
    "cce unnormalised probabilities": ("CategoricalCrossentropy", {}, ONE_HOT, [[2.0, 1.0, 1.0], [0.5, 0.5, 3.0]], None),
    "cce width 1": ("CategoricalCrossentropy", {}, [[1.0], [0.0]], [[0.7], [0.2]], None),
    "cce label smoothing": ("CategoricalCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, SOFT, None),
    "cce label smoothing from logits": ("CategoricalCrossentropy", {"label_smoothing": 0.2, "from_logits": True}, ONE_HOT, LINEAR, None),
    "cce sequences": ("CategoricalCrossentropy", {"from_logits": True}, np.eye(3)[SEQ_TAGS], SEQ, None),
    "cce axis 1": ("CategoricalCrossentropy", {"axis": 1}, np.eye(3)[SEQ_TAGS].transpose(0, 2, 1), np.abs(SEQ).transpose(0, 2, 1), None),
    "cce sample weights": ("CategoricalCrossentropy", {}, ONE_HOT, SOFT, [0.3, 2.0]),
    "cce sum": ("CategoricalCrossentropy", {"reduction": "sum"}, ONE_HOT, LINEAR, None),
    "cce none": ("CategoricalCrossentropy", {"reduction": None}, ONE_HOT, SOFT, None),
    "cce mean with sample weight": ("CategoricalCrossentropy", {"reduction": "mean_with_sample_weight"}, ONE_HOT, SOFT, [0.3, 2.0]),
    # sparse
    "sparse probabilities": ("SparseCategoricalCrossentropy", {}, [0, 2], SOFT, None),
    "sparse from logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, [0, 2], LINEAR, None),
    "sparse logits as probabilities": ("SparseCategoricalCrossentropy", {}, [0, 1], LINEAR, None),
    "sparse (N, 1) targets": ("SparseCategoricalCrossentropy", {}, [[0], [2]], SOFT, None),
    "sparse float targets": ("SparseCategoricalCrossentropy", {}, [0.0, 2.0], SOFT, None),
    "sparse out-of-range classes": ("SparseCategoricalCrossentropy", {"reduction": None}, [3, -1], SOFT, None),
    "sparse out-of-range from logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, [0, 7], LINEAR, None),
    "sparse width 1, class 0": ("SparseCategoricalCrossentropy", {}, [0, 0], [[0.7], [0.2]], None),
    "sparse width 1, class 1": ("SparseCategoricalCrossentropy", {}, [1, 0], [[0.7], [0.2]], None),
    "sparse width 1 from logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, [0, 1], [[2.0], [-1.0]], None),
    "sparse zero sum": ("SparseCategoricalCrossentropy", {"reduction": None}, [0, 1], [[1.0, -1.0, 0.0], [0.2, 0.3, 0.5]], None),
    "sparse sequences": ("SparseCategoricalCrossentropy", {"from_logits": True}, SEQ_TAGS, SEQ, None),
    "sparse sequence weights": ("SparseCategoricalCrossentropy", {"from_logits": True}, SEQ_TAGS, SEQ, [[1.0, 0, 1, 1], [0.5, 1, 1, 0]]),
    # binary
    "bce probabilities": ("BinaryCrossentropy", {}, [[1.0, 0.0, 1.0]], [[0.9, 0.2, 0.4]], None),
    "bce from logits": ("BinaryCrossentropy", {"from_logits": True}, [[1.0, 0.0, 1.0]], [[2.0, -1.0, 0.5]], None),
    "bce logits as probabilities": ("BinaryCrossentropy", {}, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], LINEAR, None),
    "bce probabilities exactly 0 and 1": ("BinaryCrossentropy", {}, [[1.0, 0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0, 1.0]], None),
    "bce (N,) targets, (N, 1) outputs": ("BinaryCrossentropy", {}, [1.0, 0.0], [[0.8], [0.3]], None),
    "bce one output per sample from logits": ("BinaryCrossentropy", {"from_logits": True}, [[1.0], [0.0]], [[30.0], [-2.0]], None),
    "bce label smoothing": ("BinaryCrossentropy", {"label_smoothing": 0.2}, [[1.0, 0.0, 1.0]], [[0.9, 0.2, 1.0]], None),
    "bce sample weights, sum": ("BinaryCrossentropy", {"reduction": "sum"}, [[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.2], [0.6, 0.7]], [2.0, 0.5]),
    "bce softmax outputs, multi-label": ("BinaryCrossentropy", {}, [[1.0, 1.0, 0.0]], [[0.6, 0.3, 0.1]], None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_value_and_gradient_match_keras_in_float64(keras, float64, case):
    name, kwargs, y_true, y_pred, weights = CASES[case]
    value, grad = keras_value_and_grad(keras, name, kwargs, y_true, y_pred, weights, "float64")
    ref_value, ref_grad = reference_value_and_grad(name, kwargs, y_true, y_pred, weights, "float64")
    # Keras's binary_crossentropy averages over the last axis with ops.mean, which on JAX
    # sums in float32 even in float64 (dtypes.result_type(float64, float32) is float32)
    rtol = 2e-7 if name == "BinaryCrossentropy" else 1e-10
    np.testing.assert_allclose(ref_value, value, rtol=rtol, atol=1e-14, equal_nan=True)
    np.testing.assert_allclose(ref_grad, grad, rtol=max(rtol, 1e-9), atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_value_and_gradient_match_keras_in_float32(keras, case):
    assert keras.config.floatx() == "float32"
    name, kwargs, y_true, y_pred, weights = CASES[case]
    value, grad = keras_value_and_grad(keras, name, kwargs, y_true, y_pred, weights, "float32")
    ref_value, ref_grad = reference_value_and_grad(name, kwargs, y_true, y_pred, weights, "float32")
    np.testing.assert_allclose(ref_value, value, rtol=2e-6, atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(ref_grad, grad, rtol=1e-5, atol=1e-6, equal_nan=True)


FUNCTIONS = {
    "categorical_crossentropy": [(ONE_HOT, SOFT, {}), (ONE_HOT, LINEAR, {}), (ONE_HOT, LINEAR, {"from_logits": True, "label_smoothing": 0.1})],
    "sparse_categorical_crossentropy": [([0, 2], SOFT, {}), ([[0], [1]], LINEAR, {}), ([0, 5], LINEAR, {"from_logits": True})],
    "binary_crossentropy": [(ONE_HOT, SOFT, {}), (ONE_HOT, LINEAR, {}), (ONE_HOT, LINEAR, {"from_logits": True, "axis": 0})],
}


@pytest.mark.parametrize("name,index", [(n, i) for n, cases in FUNCTIONS.items() for i in range(len(cases))])
def test_the_functions_match_keras_losses_functions(keras, float64, name, index):
    """keras.losses.<name> (no wrapper, no reduction), value and gradient of the sum."""
    import jax
    import jax.numpy as jnp

    y_true, y_pred, kwargs = FUNCTIONS[name][index]
    fn = getattr(keras.losses, name)
    pred = jnp.asarray(np.asarray(y_pred, dtype="float64"))
    truth = jnp.asarray(np.asarray(y_true, dtype="float64"))
    value = np.asarray(fn(truth, pred, **kwargs))
    grad = np.asarray(jax.grad(lambda p: jnp.sum(fn(truth, p, **kwargs)))(pred))
    rtol = 2e-7 if name == "binary_crossentropy" else 1e-10  # the float32 mean, above
    np.testing.assert_allclose(getattr(R, name)(y_true, y_pred, **kwargs), value, rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(getattr(R, name + "_grad")(y_true, y_pred, **kwargs), grad, rtol=max(rtol, 1e-9), atol=1e-12)


MISMATCHES = {
    "one-hot targets into the sparse loss": ("SparseCategoricalCrossentropy", ONE_HOT, SOFT),
    "one-hot sequences into the sparse loss": ("SparseCategoricalCrossentropy", np.eye(3)[SEQ_TAGS], np.abs(SEQ)),
    "class indices into the categorical loss": ("CategoricalCrossentropy", [0, 2], SOFT),
    "(N, 1) class indices into the categorical loss": ("CategoricalCrossentropy", [[0], [2]], SOFT),
    "sequence tags into the categorical loss": ("CategoricalCrossentropy", SEQ_TAGS, np.abs(SEQ)),
    "binary targets of another shape": ("BinaryCrossentropy", [[1.0, 0.0]], [[0.9, 0.2, 0.4]]),
}


@pytest.mark.parametrize("case", sorted(MISMATCHES))
def test_shape_mismatches_raise_the_same_error(keras, case):
    """LL502: Keras 3 raises ValueError on a target of the other loss's shape (the
    reference's message is Keras's)."""
    name, y_true, y_pred = MISMATCHES[case]
    with pytest.raises(ValueError) as raised:
        keras_loss(keras, name, {})(np.asarray(y_true), np.asarray(y_pred, dtype="float32"))
    with pytest.raises(ValueError) as ours:
        getattr(R, name)()(y_true, y_pred)
    assert str(ours.value) == str(raised.value)


def test_width_one_mismatches_are_silent_in_keras_too(keras):
    """With one output unit nothing raises: a one-hot [1] read as class index 1 is out of
    range (loss 0), a class index 0 read as a one-hot target weighs nothing (loss 0)."""
    pred = np.array([[0.7], [0.2]])
    for name, y_true in [("SparseCategoricalCrossentropy", [[1.0], [1.0]]), ("CategoricalCrossentropy", [0, 0])]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(keras_loss(keras, name, {})(np.asarray(y_true), pred.astype("float32")))
        ours = float(getattr(R, name)()(y_true, pred))
        assert ours == theirs == 0.0


# --- the Keras demos (--explain LL501/LL502, and a Keras finding's demo of a shared code) ---

from losslint.reference import demos  # noqa: E402

KERAS_DEMO_CODES = sorted(set(demos.KERAS_DEMOS) | {"LL501", "LL502"})
WIDTHS = [1, 2, 3, 5, 10]


def keras_demo(code, width):
    return demos.demo(code, width, "keras")


def checked_rows(example):
    return [row for row in example.rows if row.case is not None]


def test_the_keras_demos_exist():
    assert {"LL501", "LL502"} <= set(demos.DEMOS)
    for code in demos.KERAS_DEMOS:
        assert code in demos.DEMOS  # a variant of a shared code
        assert keras_demo(code, 3).setup != demos.demo(code, 3).setup
    # a torch finding (no framework) keeps torch's demo
    assert demos.demo("LL101", 3).rows[0].pipeline == "CrossEntropyLoss on logits"


@pytest.mark.parametrize("code", KERAS_DEMO_CODES)
@pytest.mark.parametrize("width", WIDTHS)
def test_keras_demos_run_at_any_width(code, width):
    example = keras_demo(code, width)
    assert example.rows and example.summary and "Keras" in example.setup
    assert checked_rows(example), "every Keras demo has rows the parity tests can rerun"
    for row in checked_rows(example):
        if row.loss is None:
            assert row.note.startswith("ValueError: ")
        else:
            assert np.isfinite(row.loss) and np.isfinite(row.grad_norm)
    if example.curve is not None:
        assert all(any(np.isfinite(v) for v in series) for series in example.curve.series.values())


def _clip_loss_float32():
    """-log of the float32 clip bound: what a Keras term costs once clipped."""
    return float(-np.log(np.float32(1e-7)))


@pytest.mark.parametrize("width", WIDTHS)
def test_ll501_summary_is_the_table(width):
    example = keras_demo("LL501", width)
    z = demos.class_logits(width)[0]
    assert demos._probabilities(z / z.sum()) in example.summary
    for row in example.rows:
        assert f"{row.loss:.3f}" in example.summary
    for row in example.rows[1::2]:  # the probability loss on logits
        if row.grad_norm == 0:
            assert row.note == "clipped: zero gradient"
    p = z / z.sum()
    for k, row in enumerate(example.rows[1::2]):
        if p[k] < 1e-7:  # below the clip (a negative logit over a positive sum, or the reverse)
            assert row.loss == pytest.approx(_clip_loss_float32(), rel=1e-6)
        elif p[k] > 1 - 1e-7:  # above: a perfect score
            assert row.loss < 1e-6
        if not 1e-7 < p[k] < 1 - 1e-7:
            assert row.grad_norm == 0 and "(zero gradient)" in example.summary


def test_ll501_on_the_issue_example():
    example = keras_demo("LL501", 3)
    assert "linear outputs [2, -1, 0.5] normalised by their sum give p = [1.33, -0.67, 0.33]" in example.summary
    assert "clipped to [1e-7, 1 - 1e-7]" in example.summary


@pytest.mark.parametrize("width", [2, 3, 10])
def test_ll502_raises_for_real_class_counts(width):
    example = keras_demo("LL502", width)
    good, same, sparse, categorical = example.rows
    assert good.loss == pytest.approx(same.loss) and good.grad_norm == pytest.approx(same.grad_norm)
    assert sparse.loss is None and "same shape up until the last dimension" in sparse.note
    assert categorical.loss is None and "must have the same shape" in categorical.note
    assert "raise ValueError" in example.summary and f"{good.loss:.3f}" in example.summary


def test_ll502_is_silent_with_one_unit():
    example = keras_demo("LL502", 1)
    sparse, categorical = example.rows[2:]
    assert sparse.loss == 0 and categorical.loss == 0 and sparse.grad_norm == 0
    assert "raises nothing" in example.summary


def test_keras_ll103_clips_instead_of_raising():
    torch_rows, keras_rows = demos.demo("LL103", 3).rows, keras_demo("LL103", 3).rows
    assert torch_rows[1].loss is None and keras_rows[1].loss is not None  # torch raises, Keras does not
    assert "(the logits 2, -1)" in keras_demo("LL103", 3).summary  # the logits outside [0, 1]
    single = keras_demo("LL103", 1)  # logit 2, target 1: clipped, nothing to learn
    assert single.rows[1].grad_norm == 0 and "zero gradient" in single.summary


def test_keras_ll202_is_stuck_at_the_clip():
    rows = keras_demo("LL202", 3).rows
    negative = rows[-1]
    assert negative.loss == pytest.approx(float(-np.log1p(-np.float32(1 - 1e-7))), rel=1e-5)
    assert negative.grad_norm == 0 and f"{negative.loss:.3f}" in keras_demo("LL202", 3).summary


def test_keras_ll201_scores_an_out_of_range_class_zero():
    rows = keras_demo("LL201", 3).rows
    assert rows[2].loss == 0 and "no error" in rows[2].note
    assert all(row.grad_norm == 0 for row in rows[1:])


@pytest.mark.parametrize("code", ["LL101", "LL102", "LL104", "LL107"])
def test_keras_summaries_quote_their_rows(code):
    example = keras_demo(code, 3)
    quoted = [row for row in checked_rows(example) if f"{row.loss:.3f}" in example.summary]
    assert len(quoted) >= 2  # the correct and a mistaken pipeline


def _keras_activation(keras, name):
    return {None: lambda x: x, "softmax": keras.activations.softmax, "sigmoid": keras.activations.sigmoid}[name]


@pytest.mark.parametrize("code", KERAS_DEMO_CODES)
@pytest.mark.parametrize("width", [1, 2, 3, 5])
def test_keras_demo_rows_match_keras(keras, code, width):
    """Each row's loss and gradient norm on the logits, recomputed with Keras (float32,
    its default) and jax.grad; a row that says Keras raises, raises the same."""
    import jax
    import jax.numpy as jnp

    assert keras.config.floatx() == "float32"
    for row in checked_rows(keras_demo(code, width)):
        case = row.case
        loss = getattr(keras.losses, case.loss)(**case.kwargs)
        act = _keras_activation(keras, case.activation)
        target = np.asarray(case.target)

        def f(z):
            return loss(target, act(z))

        z = jnp.asarray(case.logits, dtype="float32")
        if row.loss is None:
            with pytest.raises(ValueError) as raised:
                f(z)
            assert row.note == f"ValueError: {raised.value}"
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, grad = float(f(z)), np.asarray(jax.grad(f)(z))
        assert row.loss == pytest.approx(value, rel=1e-5, abs=1e-6), row.pipeline
        assert row.grad_norm == pytest.approx(float(np.linalg.norm(grad)), rel=1e-4, abs=1e-6), row.pipeline
