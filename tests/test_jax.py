"""JAX, optax and flax (issue 23): optax's losses take logits, so softmax into
softmax_cross_entropy is LL101, sigmoid into sigmoid_binary_cross_entropy LL104 and
log_softmax into softmax_cross_entropy LL108 (opt-in). flax linen modules are dataclasses
applied through ``model.apply(variables, x)``; nnx modules are called directly. The
libraries are never imported: what they do is losslint/knowledge/{jax,optax,flax}.toml."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


from losslint.runner import lint
from losslint.selection import resolve
from tests.conftest import check_invalid, check_valid, findings, lint_sources, reported_and_marked

INVALID = {
    "LL101: TrainState built in a train() nobody calls, the loss in a nested loss_fn of train_step": """
        import jax
        import optax
        from flax import linen as nn
        from flax.training.train_state import TrainState

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                x = nn.relu(nn.Dense(128)(x))
                return nn.softmax(nn.Dense(10)(x))

        def train_step(state, x, y):
            def loss_fn(params):
                probs = state.apply_fn({"params": params}, x)
                return optax.softmax_cross_entropy_with_integer_labels(probs, y).mean()  # expect: LL101

            loss, grads = jax.value_and_grad(loss_fn)(state.params)
            return state.apply_gradients(grads=grads), loss

        def train(x, y):
            net = Net()
            params = net.init(jax.random.PRNGKey(0), x)["params"]
            state = TrainState.create(apply_fn=net.apply, params=params, tx=optax.adam(1e-3))
            state, loss = train_step(state, x, y)
            return state
    """,
    "functional_softmax": """
        import jax
        import optax

        def loss_fn(logits, labels):
            probs = jax.nn.softmax(logits)
            return optax.softmax_cross_entropy(probs, labels).mean()  # expect: LL101
    """,
    "integer_labels_flax_softmax_keyword_arguments": """
        import flax.linen as nn
        import optax

        def loss_fn(logits, labels):
            return optax.softmax_cross_entropy_with_integer_labels(labels=labels, logits=nn.softmax(logits)).mean()  # expect: LL101
    """,
    "losses_module_spelling": """
        import jax
        from optax import losses

        def loss_fn(logits, labels):
            return losses.softmax_cross_entropy(jax.nn.softmax(logits, axis=-1), labels)  # expect: LL101
    """,
    "functional_sigmoid": """
        import jax
        import optax

        def loss_fn(logits, labels):
            return optax.sigmoid_binary_cross_entropy(jax.nn.sigmoid(logits), labels).mean()  # expect: LL104
    """,
    "compact_module_value_and_grad": """
        import jax
        import jax.numpy as jnp
        import optax
        from flax import linen as nn

        class MLP(nn.Module):
            features: int = 10

            @nn.compact
            def __call__(self, x):
                x = nn.relu(nn.Dense(128)(x))
                x = nn.Dense(self.features)(x)
                return nn.softmax(x)

        model = MLP()
        params = model.init(jax.random.PRNGKey(0), jnp.ones((1, 784)))

        @jax.jit
        def train_step(params, opt_state, x, y):
            def loss_fn(params):
                logits = model.apply(params, x)
                return optax.softmax_cross_entropy(logits, y).mean()  # expect: LL101

            loss, grads = jax.value_and_grad(loss_fn)(params)
            return loss, grads
    """,
    "setup_module_apply_with_rngs": """
        import jax
        import optax
        import flax.linen as nn

        class Classifier(nn.Module):
            hidden: int = 64

            def setup(self):
                self.body = nn.Dense(self.hidden)
                self.head = nn.Dense(1)

            def __call__(self, x, train: bool = False):
                return jax.nn.sigmoid(self.head(nn.relu(self.body(x))))

        model = Classifier(hidden=32)

        def loss_fn(params, batch, rng):
            out = model.apply({"params": params}, batch["x"], train=True, rngs={"dropout": rng})
            return optax.sigmoid_binary_cross_entropy(out, batch["y"]).mean()  # expect: LL104
    """,
    "field_set_by_keyword_one_class": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            num_classes: int = 10

            @nn.compact
            def __call__(self, x):
                return nn.Dense(self.num_classes)(x)

        model = Net(num_classes=1)

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()  # expect: LL201
    """,
    "train_state_apply_fn": """
        import jax
        import optax
        from flax import linen as nn
        from flax.training import train_state

        class CNN(nn.Module):
            @nn.compact
            def __call__(self, x):
                x = nn.Conv(features=32, kernel_size=(3, 3))(x)
                x = x.reshape((x.shape[0], -1))
                return nn.log_softmax(nn.Dense(features=10)(x))

        class TrainState(train_state.TrainState):
            batch_stats: dict

        model = CNN()
        state = TrainState.create(apply_fn=model.apply, params=params, tx=optax.adam(1e-3), batch_stats={})

        @jax.jit
        def train_step(state, batch):
            def loss_fn(params):
                logits = state.apply_fn({"params": params}, batch["image"])
                loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()  # expect: LL108
                return loss, logits

            (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
            return state.apply_gradients(grads=grads), loss

        for batch in batches:
            state, loss = train_step(state, batch)
    """,
    "mutable_batch_stats_pair": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x, train=True):
                x = nn.BatchNorm(use_running_average=not train)(nn.Dense(10)(x))
                return nn.softmax(x)

        model = Net()

        def loss_fn(params, batch_stats, x, y):
            logits, updates = model.apply({"params": params, "batch_stats": batch_stats}, x, mutable=["batch_stats"])
            return optax.softmax_cross_entropy(logits, y).mean(), updates  # expect: LL101
    """,
    "nnx_module": """
        import optax
        from flax import nnx

        class Model(nnx.Module):
            def __init__(self, din, dout, *, rngs: nnx.Rngs):
                self.linear = nnx.Linear(din, dout, rngs=rngs)

            def __call__(self, x):
                return nnx.softmax(self.linear(x))

        model = Model(784, 10, rngs=nnx.Rngs(0))

        def loss_fn(model, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()  # expect: LL101

        grads = nnx.grad(loss_fn)(model, x, y)
    """,
    "softmax_over_one_unit": """
        import jax
        import flax.linen as nn

        class Scorer(nn.Module):
            @nn.compact
            def __call__(self, x):
                return jax.nn.softmax(nn.Dense(1)(x))  # expect: LL202
    """,
    "softmax_into_sigmoid_loss": """
        import jax
        import optax

        def loss_fn(logits, labels):
            return optax.sigmoid_binary_cross_entropy(jax.nn.softmax(logits), labels)  # expect: LL107
    """,
    "kl_divergence_of_probabilities": """
        import jax
        import optax

        def distill(student_logits, teacher_logits):
            teacher = jax.nn.softmax(teacher_logits)
            return optax.losses.kl_divergence(jax.nn.softmax(student_logits), teacher).mean()  # expect: LL109
    """,
    "relu_on_logits": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.relu(nn.Dense(10)(x))

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(Net().apply(params, x), y)  # expect: LL112
    """,
    "linen_sequential_of_layers_and_functions": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x, train=False):
                x = nn.Sequential([nn.Dense(64), nn.relu, nn.Dense(10), nn.softmax])(x)
                return nn.Dropout(0.1)(x, deterministic=not train)

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(Net().apply(params, x), y).mean()  # expect: LL101
    """,
    "nnx_sequential": """
        import optax
        from flax import nnx

        class Model(nnx.Module):
            def __init__(self, rngs):
                self.seq = nnx.Sequential(nnx.Linear(3, 8, rngs=rngs), nnx.relu, nnx.Linear(8, 1, rngs=rngs), nnx.sigmoid)

            def __call__(self, x):
                return self.seq(x)

        def loss_fn(model, x, y):
            return optax.sigmoid_binary_cross_entropy(model(x), y).mean()  # expect: LL104

        loss_fn(Model(nnx.Rngs(0)), x, y)
    """,
    "compact_loop_over_enumerated_fields": """
        from typing import Sequence
        import optax
        import flax.linen as nn

        class SimpleMLP(nn.Module):
            features: Sequence[int]

            @nn.compact
            def __call__(self, inputs):
                x = inputs
                for i, feat in enumerate(self.features):
                    x = nn.Dense(feat, name=f"layers_{i}")(x)
                    if i != len(self.features) - 1:
                        x = nn.relu(x)
                return x

        model = SimpleMLP(features=(32, 16, 1))

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()  # expect: LL201
    """,
    "torch_module_apply_returns_the_module": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 3)

            def forward(self, x):
                return F.softmax(self.fc(x), dim=1)

        def init_weights(m):
            pass

        model = Net().apply(init_weights)
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
    """,
}

VALID = {
    "logits_with_one_hot_float_labels": """
        import jax
        import optax
        import flax.linen as nn

        class MLP(nn.Module):
            features: int = 10

            @nn.compact
            def __call__(self, x):
                return nn.Dense(self.features)(nn.relu(nn.Dense(128)(x)))

        model = MLP()

        def loss_fn(params, x, y):
            logits = model.apply(params, x)
            one_hot = jax.nn.one_hot(y, 10).astype(float)
            return optax.softmax_cross_entropy(logits, one_hot).mean()

        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    """,
    "sequence_logits_class_axis_last": """
        import optax
        import flax.linen as nn

        class LM(nn.Module):
            vocab: int = 100

            @nn.compact
            def __call__(self, tokens):
                h = nn.Embed(self.vocab, 32)(tokens)
                return nn.Dense(self.vocab)(h)

        def loss_fn(params, tokens, targets):
            logits = LM().apply(params, tokens)
            return optax.softmax_cross_entropy_with_integer_labels(logits, targets.astype(float)).mean()
    """,
    "softmax_only_for_predictions": """
        import jax
        import jax.numpy as jnp
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.Dense(10)(x)

        model = Net()

        def eval_step(params, x, y):
            logits = model.apply(params, x)
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
            probs = jax.nn.softmax(logits)
            accuracy = jnp.mean(jnp.argmax(probs, -1) == y)
            return loss, accuracy, probs
    """,
    "grad_of_logits_loss": """
        import jax
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.Dense(2)(x)

        model = Net()

        def loss_fn(params, x, y):
            return optax.sigmoid_binary_cross_entropy(model.apply(params, x), y).mean()

        grads = jax.grad(loss_fn)(params, x, y)
    """,
    "loss_summed_over_batches": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.Dense(10)(x)

        model = Net()

        def evaluate(params, batches):
            total = 0.0
            for x, y in batches:
                total += optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()
            print(total)
    """,
    "integer_labels_for_sigmoid_loss": """
        import jax
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.Dense(1)(x)

        def loss_fn(params, x):
            y = jax.random.randint(jax.random.PRNGKey(0), (8,), 0, 2)
            return optax.sigmoid_binary_cross_entropy(Net().apply(params, x), y).mean()
    """,
    "field_set_by_position_is_not_guessed": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            hidden: int = 64
            num_classes: int = 10

            @nn.compact
            def __call__(self, x):
                return nn.Dense(self.num_classes)(nn.Dense(self.hidden)(x))

        model = Net(1, 1)

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()
    """,
    "compact_loop_ending_in_logits": """
        from typing import Sequence
        import optax
        import flax.linen as nn

        class SimpleMLP(nn.Module):
            features: Sequence[int]

            @nn.compact
            def __call__(self, inputs):
                x = inputs
                for i, feat in enumerate(self.features, start=1):
                    x = nn.Dense(feat)(x)
                    if i != len(self.features):
                        x = nn.relu(x)
                return x

        model = SimpleMLP(features=(32, 1, 10))

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()
    """,
    "kl_divergence_of_log_probabilities": """
        import jax
        import optax

        def distill(student_logits, teacher_logits):
            teacher = jax.nn.softmax(teacher_logits)
            return optax.kl_divergence(jax.nn.log_softmax(student_logits), teacher).mean()
    """,
    "computed_mutable_is_not_guessed": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            @nn.compact
            def __call__(self, x):
                return nn.softmax(nn.Dense(10)(x))

        def loss_fn(params, x, y, mutable):
            out = Net().apply(params, x, mutable=mutable)
            return optax.softmax_cross_entropy(out, y)
    """,
    "apply_with_method_of_another_head": """
        import optax
        import flax.linen as nn

        class Net(nn.Module):
            def setup(self):
                self.head = nn.Dense(10)

            def __call__(self, x):
                return nn.softmax(self.head(x))

            def logits(self, x):
                return self.head(x)

        model = Net()

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy(model.apply(params, x, method=Net.logits), y)

        def loss_fn2(params, x, y):
            return optax.softmax_cross_entropy(model.apply(params, x, method="logits"), y)
    """,
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid(name):
    check_invalid(INVALID[name])


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid(name):
    check_valid(VALID[name])


def test_method_keyword_picks_the_method():
    code = VALID["apply_with_method_of_another_head"].replace(
        "optax.softmax_cross_entropy(model.apply(params, x), y)", "optax.softmax_cross_entropy(model.apply(params, x), y)"
    )
    code += """
        def loss_fn3(params, x, y):
            return optax.softmax_cross_entropy(model.apply(params, x), y)  # expect: LL101
    """
    check_invalid(code)


def test_log_softmax_is_ll108_only_when_selected():
    code = """
        import jax
        import optax

        def loss_fn(logits, labels):
            return optax.softmax_cross_entropy(jax.nn.log_softmax(logits), labels).mean()
    """
    assert findings(code, "ALL") == {("LL108", 6)}
    assert findings(code, "LL1") == {("LL108", 6)}
    encoded = {"snippet.py": textwrap.dedent(code).encode()}
    assert not lint([], resolve(), encoded).diagnostics  # the default selection: LL108 is opt-in


def test_model_in_one_file_loss_in_another():
    sources = {
        "models.py": """
            import flax.linen as nn

            class MLP(nn.Module):
                num_classes: int = 10

                @nn.compact
                def __call__(self, x):
                    return nn.softmax(nn.Dense(self.num_classes)(x))
        """,
        "train.py": """
            import jax
            import optax
            from models import MLP

            model = MLP(num_classes=5)

            def loss_fn(params, x, y):
                return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()

            grads = jax.grad(loss_fn)(params, x, y)
        """,
    }
    found = lint_sources(sources)
    assert [(d.code, d.location.path, d.location.row) for d in found] == [("LL101", "train.py", 9)]
    assert "models.py:9 nn.softmax(" in found[0].message


def test_messages_speak_jax():
    def message(name):
        found = lint_sources({"snippet.py": INVALID[name]})
        assert len(found) == 1
        return found[0].message

    for name in ("field_set_by_keyword_one_class", "softmax_into_sigmoid_loss", "relu_on_logits", "functional_softmax"):
        text = message(name)
        for torch_word in ("BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "Linear"):
            assert torch_word not in text, (name, text)
    assert "optax.sigmoid_binary_cross_entropy" in message("field_set_by_keyword_one_class")
    assert "optax.softmax_cross_entropy" in message("softmax_into_sigmoid_loss")
    assert "Dense layer" in message("relu_on_logits")
    ll108 = lint_sources({"snippet.py": INVALID["train_state_apply_fn"]})
    assert len(ll108) == 1 and "NLLLoss" not in ll108[0].message and ll108[0].message.endswith("pass the logits")


def test_jax_findings_carry_their_framework():
    found = lint_sources({"snippet.py": INVALID["functional_softmax"]})
    assert [d.framework for d in found] == ["jax"]


def test_dataclass_fields_for_plain_python():
    code = """
        from dataclasses import dataclass
        import torch.nn as nn
        import torch.nn.functional as F

        @dataclass(frozen=True)
        class Config:
            hidden: int = 64
            num_classes: int = 10

        cfg = Config(num_classes=1)
        model = nn.Linear(8, cfg.num_classes)
        loss = F.cross_entropy(model(x), y)  # expect: LL201
    """
    check_invalid(code)
    check_valid(code.replace("Config(num_classes=1)", "Config()").replace("  # expect: LL201", ""))
    check_valid(code.replace("Config(num_classes=1)", "Config(64, 1)").replace("  # expect: LL201", ""))


def test_unrelated_apply_is_not_a_model_call():
    code = textwrap.dedent("""
        import optax

        class Helper:
            def apply(self, params, x):
                return x

        def loss_fn(params, x, y):
            return optax.softmax_cross_entropy(Helper().apply(params, x), y)
    """)
    check_valid(code)


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "jax"
EXAMPLE_SCRIPTS = sorted(EXAMPLES.glob("*.py"))
# the interpreter that runs the examples: this one, or one with jax, flax and optax
# installed (LOSSLINT_JAX_PYTHON); losslint itself never imports them
JAX_PYTHON = os.environ.get("LOSSLINT_JAX_PYTHON", sys.executable)


def test_examples_come_in_pairs_and_losslint_finds_the_marked_lines():
    buggy = [p for p in EXAMPLE_SCRIPTS if not p.stem.endswith("_fixed")]
    assert buggy and {p.stem + "_fixed" for p in buggy} == {p.stem for p in EXAMPLE_SCRIPTS if p.stem.endswith("_fixed")}
    found, expected = reported_and_marked(EXAMPLES, EXAMPLE_SCRIPTS)
    assert expected and found == expected


@pytest.mark.parametrize("path", EXAMPLE_SCRIPTS, ids=[p.stem for p in EXAMPLE_SCRIPTS])
def test_the_example_runs_and_shows_its_mistake(path):
    check = subprocess.run([JAX_PYTHON, "-c", "import jax, flax, optax"], capture_output=True, timeout=300)
    if check.returncode != 0:
        pytest.skip("jax, flax and optax are not installed for this interpreter (set LOSSLINT_JAX_PYTHON)")
    env = dict(os.environ, PYTHONWARNINGS="ignore", JAX_PLATFORMS="cpu")
    result = subprocess.run([JAX_PYTHON, str(path)], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    assert ("no mistake" if path.stem.endswith("_fixed") else "mistake shown") in result.stdout


@pytest.mark.parametrize("log", ["jnp.log", "torch.log"])
def test_no_fix_removes_a_softmax_whose_log_reaches_the_loss(log):
    """Removing the softmax of log(softmax(x)) would hand the loss log(x): LL108's fix
    is only offered where the loss receives the activation's own output."""
    loss = "optax.softmax_cross_entropy(log_p, y)" if log == "jnp.log" else "F.cross_entropy(log_p, y)"
    code = f"""
        import jax
        import jax.numpy as jnp
        import optax
        import torch
        import torch.nn.functional as F

        def step(logits, y):
            p = jax.nn.softmax(logits, axis=1)
            log_p = {log}(p)
            return {loss}
    """
    found = [d for d in lint_sources({"snippet.py": code}) if d.code == "LL108"]
    assert len(found) == 1 and found[0].fix is None


@pytest.mark.parametrize("name", ["linen_sequential_of_layers_and_functions", "nnx_sequential"])
def test_no_fix_for_a_function_inside_a_sequential(name):
    """The softmax is an item of the list: unwrapping the call that applies the whole
    Sequential would delete the model (the fixer only edits calls and layers it can see)."""
    found = lint_sources({"snippet.py": INVALID[name]})
    assert len(found) == 1 and found[0].fix is None


SIGNATURES = r"""
import importlib, inspect, json, sys
wrong = []
for name, index, keyword in json.load(sys.stdin):
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        break
    target = obj.__init__ if inspect.isclass(obj) else obj
    names = [p for p in inspect.signature(target).parameters if p != "self"]
    if index >= len(names) or names[index] != keyword:
        wrong.append([name, index, keyword, names[:4]])
print(json.dumps(wrong))
"""


def test_argument_positions_match_jax_flax_and_optax():
    """Every [position, "keyword"] the JAX knowledge gives, against the real signatures
    (in another interpreter: set LOSSLINT_JAX_PYTHON to one with jax, flax and optax)."""
    from losslint.knowledge import load

    knowledge = load()
    roots = ("jax.", "flax.", "optax.")
    checks = [
        (name, spec.dim[0], spec.dim[1])
        for table in ("activation.function", "activation.layer")
        for name, spec in knowledge.mapping(table).items()
        if name.startswith(roots) and spec.dim is not None
    ]
    checks += [(n, s.width[0], s.width[1]) for n, s in knowledge.mapping("layer.width").items() if n.startswith(roots)]
    checks += [(n, s.function[0], s.function[1]) for n, s in knowledge.mapping("adapter").items() if s.function and n.startswith(roots)]
    for entry in knowledge.mapping("loss").values():
        if entry.get("framework") == "jax":
            for name in entry["functions"]:
                checks += [(name, 0, entry["input"][0]), (name, 1, entry["target"][0])]
    assert len(checks) > 15
    check = subprocess.run([JAX_PYTHON, "-c", "import jax, flax, optax"], capture_output=True, timeout=300)
    if check.returncode != 0:
        pytest.skip("jax, flax and optax are not installed for this interpreter (set LOSSLINT_JAX_PYTHON)")
    env = dict(os.environ, PYTHONWARNINGS="ignore", JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [JAX_PYTHON, "-c", SIGNATURES], input=json.dumps(checks), capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_partial_binds_arguments():
    """functools.partial(f, a, k=v)(x) is f(a, x, k=v) (knowledge: python.toml adapter):
    a loss bound with options, a loss function bound with a scale and differentiated."""
    check_invalid("""
        import functools
        from functools import partial
        import jax
        import optax
        import torch.nn as nn
        import torch.nn.functional as F

        criterion = functools.partial(F.cross_entropy, label_smoothing=0.1)
        net = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))

        def step(x, y):
            return criterion(net(x), y)  # expect: LL101

        def loss_fn(params, x, y, scale):
            return optax.softmax_cross_entropy(jax.nn.softmax(x), y).mean() * scale  # expect: LL101

        loss, grads = jax.value_and_grad(partial(loss_fn, scale=2.0))(None, x, y)
    """)
    check_valid("""
        import functools
        import torch.nn as nn
        import torch.nn.functional as F

        criterion = functools.partial(F.cross_entropy, label_smoothing=0.1)
        net = nn.Sequential(nn.Linear(8, 3))

        def step(x, y):
            return criterion(net(x), y)
    """)
