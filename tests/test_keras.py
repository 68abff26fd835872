"""Keras (Keras 3 and tf.keras): the output activation of Sequential, functional and
subclassed models, losses as objects, strings and functions reaching the model through
compile or a training loop, fit's targets. Every code a Keras program can get, with
its look-alikes that must stay silent; the examples/keras scripts run where keras is
installed (LOSSLINT_KERAS_PYTHON names an interpreter that has it)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from losslint.runner import lint
from losslint.selection import resolve
from tests.conftest import check_invalid, check_valid, lint_sources, reported_and_marked

INVALID = {
    "LL101: Dense(10, softmax) into SparseCategoricalCrossentropy(from_logits=True)": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))  # expect: LL101
    """,
    "LL101: tf.nn.softmax in call, categorical_crossentropy(from_logits=True) in a loop": """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.head = tf.keras.layers.Dense(5)

            def call(self, x):
                return tf.nn.softmax(self.head(x))

        model = Net()
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = tf.keras.losses.categorical_crossentropy(y, probs, from_logits=True)  # expect: LL101
    """,
    "LL102: sigmoid multi-class head into categorical_crossentropy": """
        from tensorflow import keras

        model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(4, activation="sigmoid")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: LL102
    """,
    "LL103: linear output into binary_crossentropy": """
        import keras
        from keras import layers

        inputs = keras.Input(shape=(16,))
        outputs = layers.Dense(1)(layers.Dense(8, activation="relu")(inputs))
        model = keras.Model(inputs, outputs)
        model.compile("adam", "binary_crossentropy")  # expect: LL103
    """,
    "LL104: sigmoid into BinaryCrossentropy(from_logits=True)": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(1, activation=keras.activations.sigmoid)])
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))  # expect: LL104
    """,
    "LL107: 3-way softmax into binary_crossentropy": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="binary_crossentropy")  # expect: LL107
    """,
    "LL201: Dense(1) into sparse_categorical_crossentropy(from_logits=True)": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(1)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))  # expect: LL201
    """,
    "LL202 and LL201: Dense(1, activation='softmax') with categorical_crossentropy": """
        import keras
        from keras import layers

        model = keras.Sequential([
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="softmax"),  # expect: LL202
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: LL201
    """,
    "LL202: Softmax layer after a 1-unit Dense in a functional model": """
        import keras
        from keras import layers

        inputs = keras.Input(shape=(8,))
        x = layers.Dense(1)(inputs)
        outputs = layers.Softmax()(x)  # expect: LL202
        model = keras.Model(inputs=inputs, outputs=outputs)
    """,
    "LL501: Sequential(layers=[...]) built with .add, loss given positionally": """
        import tensorflow as tf

        model = tf.keras.models.Sequential()
        model.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
        model.add(tf.keras.layers.Dense(128, activation="relu"))
        model.add(tf.keras.layers.Dense(10))
        model.compile(tf.keras.optimizers.Adam(), tf.keras.losses.SparseCategoricalCrossentropy())  # expect: LL501
    """,
    "LL502: one-hot rows into the sparse loss, from a loss list per output": """
        import keras
        import numpy as np

        inputs = keras.Input(shape=(20,))
        out = keras.layers.Dense(10, activation="softmax")(inputs)
        model = keras.Model(inputs=inputs, outputs=[out])
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy"])  # expect: LL502
        model.fit(x, keras.utils.to_categorical(np.array([1, 2, 3]), 10))
    """,
}

VALID = {
    "a sequence model's (N, L) integer targets into the sparse loss (the output's rank is not known)": """
        import numpy as np
        import keras
        from keras import layers

        model = keras.Sequential([layers.Embedding(5000, 64), layers.GRU(64, return_sequences=True), layers.Dense(5000)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(np.random.randint(0, 5000, size=(32, 40)), np.random.randint(0, 5000, size=(32, 40)))
    """,
    "softmax + categorical_crossentropy": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    """,
    "logits + from_logits=True, a probability model for inference": """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)), tf.keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(train_images, train_labels, epochs=10)
        probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])
        predictions = probability_model.predict(test_images)
    """,
    "sigmoid + binary_crossentropy": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    """,
    "2-way softmax + binary_crossentropy: exactly the categorical cross-entropy": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
    """,
    "Dense(10) then Activation('softmax') + default sparse loss": """
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(32,))
        x = layers.Dense(10)(inputs)
        outputs = layers.Activation("softmax")(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy())
    """,
    "softmax only in predict": """
        import keras
        import numpy as np
        from keras import layers

        model = keras.Sequential([layers.Dense(10)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        probabilities = keras.activations.softmax(model.predict(x))
        labels = np.argmax(probabilities, axis=-1)
    """,
    "a custom loss the analysis cannot see": """
        import keras
        from keras import layers
        from mylib import focal_loss

        model = keras.Sequential([layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss=focal_loss(gamma=2.0))
    """,
    "regression losses are not checked": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
    """,
    "a torch model's compile is not Keras's": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=1))
        model.compile()
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
    """,
    "an unknown string activation": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(10, activation="exponential")])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    """,
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid(name):
    check_invalid(INVALID[name])


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid(name):
    check_valid(VALID[name])


def run(sources, select="ALL"):
    encoded = {path: textwrap.dedent(code).encode() for path, code in sources.items()}
    return lint([], resolve([select]), encoded)


def test_model_in_one_file_compile_in_another():
    sources = {
        "models.py": """
            from tensorflow import keras

            def build():
                return keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
        """,
        "train.py": """
            from models import build

            model = build()
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        """,
    }
    found = {(d.location.path, d.code, d.location.row) for d in lint_sources(sources)}
    assert found == {("train.py", "LL501", 5)}


def test_a_loss_the_analysis_cannot_see_is_silent_and_counted_unresolved():
    report = run({"train.py": VALID["a custom loss the analysis cannot see"]})
    assert [d.code for d in report.diagnostics] == ["LL900"]
    assert (report.loss_calls, report.unresolved) == (1, 1)


def test_a_regression_loss_passed_as_a_function_is_no_loss_call_as_its_name_and_class_are_not():
    """``loss=keras.losses.mae`` is the same loss as ``loss="mae"`` and
    ``MeanAbsoluteError()``: no rule checks its input, so it is not a loss call left
    unresolved."""
    report = run({"train.py": """
        import keras
        import tensorflow as tf

        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(loss=keras.losses.mae, optimizer="sgd")
        model.compile(loss=tf.keras.losses.MSE, optimizer="sgd")
        model.compile(loss="mae", optimizer="sgd")
    """})
    assert report.diagnostics == [] and (report.loss_calls, report.unresolved) == (0, 0)


def test_compile_checks_count_as_loss_calls():
    report = run({"train.py": VALID["sigmoid + binary_crossentropy"]})
    assert (report.loss_calls, report.unresolved) == (1, 0)


def test_keras_findings_say_keras_and_carry_the_framework():
    (finding,) = [d for d in lint_sources({"t.py": INVALID["LL103: linear output into binary_crossentropy"]}) if d.code == "LL103"]
    assert "from_logits=True" in finding.message and "torch" not in finding.message
    assert finding.framework == "keras"
    assert finding.fix is None and finding.related  # the related site is the layer


def test_from_logits_not_a_literal_is_either_family():
    code = """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=flag))
    """
    check_valid(code)
    report = run({"t.py": code})
    assert (report.loss_calls, report.unresolved) == (1, 0)


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "keras"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
KERAS_PYTHON = os.environ.get("LOSSLINT_KERAS_PYTHON", sys.executable)


def test_examples_report_exactly_their_marked_lines():
    found, expected = reported_and_marked(EXAMPLES, SCRIPTS)
    assert {code for _, code, _ in expected} == {"LL501", "LL502"}
    assert found == expected


def keras_importable() -> bool:
    """In another process: this one never imports the libraries losslint models."""
    try:
        done = subprocess.run([KERAS_PYTHON, "-c", "import keras"], capture_output=True, timeout=300, env=keras_env())
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def keras_env():
    return dict(os.environ, PYTHONWARNINGS="ignore", KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"), TF_CPP_MIN_LOG_LEVEL="3")


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_script_runs_and_shows_its_mistake(path):
    if not keras_importable():
        pytest.skip("keras is not installed (or does not import); LOSSLINT_KERAS_PYTHON names a Python that has it")
    result = subprocess.run([KERAS_PYTHON, str(path)], capture_output=True, text=True, timeout=600, env=keras_env())
    assert result.returncode == 0, result.stderr
    expected = "no mistake" if path.stem.endswith("_fixed") else "mistake shown"
    assert expected in result.stdout


SIGNATURES = r'''
import importlib, inspect, json, sys

def resolve(name):
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(name)

wrong = []
for name, method, position, keyword in json.loads(sys.argv[1]):
    obj = resolve(name)
    if method:
        obj = getattr(obj, method)
    params = [p for p in inspect.signature(obj).parameters.values() if p.name != "self"]
    names = [p.name for p in params]
    if keyword not in names or (position is not None and names.index(keyword) != position):
        wrong.append([name, method, position, keyword, names[:8]])
print(json.dumps(wrong))
'''


def _positions():
    """(callee, method, position, keyword) of every argument the Keras knowledge reads."""
    from losslint.analysis import tables as T
    from losslint.knowledge import load

    knowledge = load()
    found = []
    for name, spec in knowledge.mapping("layer.width").items():
        if name.startswith("keras."):
            found.append((name, None, *spec.width))
            if spec.activation is not None:
                found.append((name, None, *spec.activation))
    for name, spec in knowledge.mapping("layer.activation").items():
        found.append((name, None, *spec.activation))
    for table in ("activation.layer", "activation.function"):
        for name, spec in knowledge.mapping(table).items():
            if name.startswith("keras.") and spec.dim is not None:
                found.append((name, None, *spec.dim))
    for name, switch in T.FROM_LOGITS.items():
        found.append((name, "__init__" if name in T.LOSS_CLASSES else None, switch.position, switch.keyword))
        signature = T.LOSS_SIGNATURES[name]
        if name in T.LOSS_FUNCTIONS:
            found.append((name, None, signature.input_position, signature.input_names[0]))
            found.append((name, None, signature.target_position, signature.target_names[0]))
        else:
            found.append((name, "call", signature.input_position, signature.input_names[0]))
            found.append((name, "call", signature.target_position, signature.target_names[0]))
    for table in ("training.compile", "training.fit", "training.predict"):
        for method, spec in knowledge.mapping(table).items():
            for _, (position, keyword) in spec.arguments:
                found.append(("keras.Model", method, position, keyword))
    for name, spec in knowledge.mapping("creation.placeholder").items():
        for _, (position, keyword) in spec.arguments:
            found.append((name, None, position, keyword))
    found.append(("keras.utils.to_categorical", None, 0, "x"))
    return found


def test_every_keras_argument_position_matches_keras():
    if not keras_importable():
        pytest.skip("keras is not installed (or does not import); LOSSLINT_KERAS_PYTHON names a Python that has it")
    positions = _positions()
    assert len(positions) > 30
    result = subprocess.run(
        [KERAS_PYTHON, "-c", SIGNATURES, json.dumps(positions)], capture_output=True, text=True, timeout=600, env=keras_env()
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_compiling_again_replaces_the_loss_fit_trains_with():
    check_valid("""
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=5)
    """)


def test_sequential_from_the_layers_keyword():
    check_invalid("""
        import keras

        model = keras.Sequential(layers=[keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4, activation="sigmoid")])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())  # expect: LL102
    """)


def test_a_dict_of_losses_by_layer_name_is_unresolved():
    code = """
        import keras

        inputs = keras.Input(shape=(8,))
        a = keras.layers.Dense(3, activation="softmax", name="a")(inputs)
        b = keras.layers.Dense(1, name="b")(inputs)
        model = keras.Model(inputs, [a, b])
        model.compile(optimizer="adam", loss={"a": "categorical_crossentropy", "b": "binary_crossentropy"})
    """
    check_valid(code)
    report = run({"t.py": code})
    assert (report.loss_calls, report.unresolved) == (1, 1)


def test_a_method_named_call_beside_forward_is_not_the_model_call():
    check_invalid("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 3)

            def forward(self, x):
                return self.fc(x)

            def call(self, x):
                return self.fc(x).softmax(dim=1)

        net = Net()
        loss = nn.CrossEntropyLoss()(net.call(x), y)  # expect: LL101
    """)
    check_invalid("""
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(4, activation="softmax")

            def call(self, x):
                return self.out(x)

        net = Net()
        loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y, net.call(x))  # expect: LL101
    """)


def test_tensorflow_logits_losses():
    check_invalid("""
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation="softmax")])
        binary = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
        with tf.GradientTape() as tape:
            a = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=model(x))  # expect: LL101
            b = tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=binary(x))  # expect: LL104
    """)
    check_valid("""
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(10)])
        with tf.GradientTape() as tape:
            a = tf.nn.softmax_cross_entropy_with_logits(y, model(x))
            b = tf.compat.v1.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=model(x))
    """)


def test_a_dict_of_losses_goes_with_a_dict_of_outputs_by_key():
    check_invalid("""
        import keras

        inputs = keras.Input(shape=(8,))
        a = keras.layers.Dense(3, activation="softmax")(inputs)
        b = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, {"a": a, "b": b})
        model.compile(optimizer="adam", loss={"a": keras.losses.CategoricalCrossentropy(from_logits=True), "b": "mse"})  # expect: LL101
    """)
    check_valid("""
        import keras

        inputs = keras.Input(shape=(8,))
        a = keras.layers.Dense(3)(inputs)
        b = keras.layers.Dense(1, activation="softmax")(inputs)  # expect: LL202
        model = keras.Model(inputs, {"a": a, "b": b})
        model.compile(optimizer="adam", loss={"a": keras.losses.CategoricalCrossentropy(from_logits=True)})
    """)


POSITIONED = """
    import keras
    from keras import layers

    model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",  # the finding points here
        metrics=["accuracy"],
    )
    other = keras.Sequential([layers.Dense(10)])
    other.compile("adam", keras.losses.CategoricalCrossentropy())
    options = {"loss": "sparse_categorical_crossentropy"}
    third = keras.Sequential([layers.Dense(10)])
    third.compile(optimizer="adam", **options)
"""


def test_a_compile_finding_points_at_its_loss_argument():
    found = sorted((d.location.row, d.location.column, d.location.end_row, d.location.end_column) for d in lint_sources({"t.py": POSITIONED}))
    lines = textwrap.dedent(POSITIONED).splitlines()
    keyword, positional = found[0], found[1]
    assert lines[keyword[0] - 1][keyword[1] - 1 : keyword[3] - 1] == 'loss="sparse_categorical_crossentropy"'
    assert lines[positional[0] - 1][positional[1] - 1 : positional[3] - 1] == "keras.losses.CategoricalCrossentropy()"
    # a loss passed through **options has no argument to point at: the compile call itself
    assert lines[found[2][0] - 1][found[2][1] - 1 :].startswith("third.compile(")


def test_the_loss_argument_is_found_after_non_ascii_text_and_on_a_later_line():
    from losslint.analysis.summary import Span, argument_span

    lines = ['model.compile("αβγ", metrics=["é"],', '    loss="binary_crossentropy")']
    call = Span(1, 1, 2, len(lines[1]) + 1, "")
    span = argument_span(lines, call, 1, "loss")
    assert (span.row, span.column, span.end_row, span.end_column) == (2, 5, 2, len(lines[1]))
    assert argument_span(lines, call, 5, "missing") is None
    assert argument_span(["model.compile(loss=)"], Span(1, 1, 1, 21, ""), 1, "loss") is None  # not Python: the call's place


@pytest.mark.parametrize("override", ["compute_loss", "train_step"])
def test_a_model_computing_its_own_loss_leaves_the_compiled_loss_unchecked(override):
    code = f"""
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.head = layers.Dense(10)

            def call(self, x):
                return self.head(x)

            def {override}(self, *args, **kwargs):
                return super().{override}(*args, **kwargs)

        model = Net()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """
    report = run({"train.py": code})
    assert [d.code for d in report.diagnostics] == ["LL900"]
    assert override in report.diagnostics[0].message and (report.loss_calls, report.unresolved) == (1, 1)
    without = code.replace(f"def {override}(", "def helper(")
    assert [d.code for d in run({"train.py": without}).diagnostics] == ["LL501"]


def test_each_loss_of_a_list_or_dict_is_its_own_loss_call_reported_at_its_element():
    code = """
        import numpy as np
        import keras
        from keras import layers

        inputs = keras.Input(shape=(16,))
        h = layers.Dense(32, activation="relu")(inputs)
        cls = layers.Dense(5)(h)
        flag = layers.Dense(1)(h)
        model = keras.Model(inputs, [cls, flag])
        model.compile(
            optimizer="adam",
            loss=["sparse_categorical_crossentropy", "binary_crossentropy"],
        )
        named = keras.Model(inputs, {"cls": cls, "flag": flag})
        named.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "flag": keras.losses.BinaryCrossentropy(from_logits=True)})
        probs = layers.Dense(5, activation="softmax")(h)
        both = keras.Model(inputs, [probs, flag])
        both.compile(optimizer="adam", loss=["categorical_crossentropy", keras.losses.BinaryCrossentropy(from_logits=True)])
        both.fit(np.zeros((8, 16)), [np.random.randint(0, 5, size=(8,)), np.zeros((8, 1))])
    """
    report = run({"train.py": code})
    lines = textwrap.dedent(code).splitlines()
    found = [(d.code, lines[d.location.row - 1][d.location.column - 1 : d.location.end_column - 1]) for d in report.diagnostics]
    assert found == [
        ("LL501", '"sparse_categorical_crossentropy"'),
        ("LL103", '"binary_crossentropy"'),
        ("LL501", '"sparse_categorical_crossentropy"'),
        ("LL502", '"categorical_crossentropy"'),  # the first output's targets, from fit's list, are class indices
    ]
    assert (report.loss_calls, report.unresolved) == (6, 0)


def test_compiling_a_model_the_analysis_cannot_see_counts_as_unresolved():
    code = """
        import tensorflow as tf

        model = tf.keras.models.load_model("model.keras")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        base = tf.keras.applications.ResNet50(weights=None, classes=10)
        base.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    """
    report = run({"train.py": code})
    assert [d.code for d in report.diagnostics] == ["LL900", "LL900"]
    assert (report.loss_calls, report.unresolved) == (2, 2)
