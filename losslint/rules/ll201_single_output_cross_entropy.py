"""LL201: CrossEntropyLoss / NLLLoss on a 1-wide output."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.analysis.tables import CLASS_INDEX_LOSSES, KERAS_CLASS_LOSSES
from losslint.rules.base import Describe, Finding, Rule, Severity, describe_sites, finding_framework, layer_sites, name_framework, related


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        inputs = call.inputs
        if not inputs or not call.families:
            continue
        keras = call.families <= KERAS_CLASS_LOSSES
        if not keras and not call.families <= CLASS_INDEX_LOSSES:
            continue
        if all(t.width == 1 and t.layer is not None for t in inputs):
            layers = layer_sites(inputs)
            where = describe_sites(layers, describe)
            if keras:
                text = (
                    f"{call.loss_name} receives a 1-wide output ({where}): a distribution over a single class is always "
                    "1.0, so the loss is 0 (or meaningless) whatever the model outputs: for a binary task use "
                    'Dense(1, activation="sigmoid") with binary_crossentropy, or output one unit per class'
                )
            elif name_framework(call) == "jax":
                text = (
                    f"{call.loss_name} receives a 1-wide output ({where}): with a single class log_softmax is 0, so the "
                    "loss is 0 whatever the model outputs (JAX raises nothing): use optax.sigmoid_binary_cross_entropy "
                    "for a binary task, or output one logit per class"
                )
            else:
                text = (
                    f"{call.loss_name} receives a 1-wide output ({where}): with a single class log_softmax is "
                    "0, so the loss is 0 whatever the model outputs (class-index targets other than 0 raise 'Target 1 is out "
                    "of bounds'): use BCEWithLogitsLoss for a binary task, or output one logit per class"
                )
            yield Finding("LL201", call.site, text, related(layers, "layer with 1 output"), width=1, framework=finding_framework(call))


RULE = Rule(
    code="LL201",
    name="single-output-cross-entropy",
    severity=Severity.ERROR,
    summary="CrossEntropyLoss / NLLLoss on a 1-wide output",
    doc="""\
## What it does
Flags `CrossEntropyLoss` / `NLLLoss` applied to a model output whose class dimension
has width 1 (`nn.Linear(h, 1)`, a 1-channel convolution).

In Keras: a 1-unit output (`Dense(1)`, with any activation) into
`categorical_crossentropy` / `sparse_categorical_crossentropy`.

## Why is this bad?
With one class, softmax is identically 1: the loss is exactly 0 for target 0 and torch
raises `IndexError: Target 1 is out of bounds` for any other target; squeezed to
`(N,)` the call raises as well. A binary classifier built this way never learns.

## Example
```python
self.fc = nn.Linear(128, 1)
loss = nn.CrossEntropyLoss()(model(x), y)
```

## Fix
For a binary task keep one output and use `BCEWithLogitsLoss` with float targets of
shape `(N, 1)`; otherwise output one logit per class (`nn.Linear(128, 2)`).
""",
    check=check,
)
