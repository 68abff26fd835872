"""LL107: a binary (per-unit) loss receives softmax output."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, Variant, loss_input_rule

RULE = Rule(
    code="LL107",
    name="softmax-into-binary-loss",
    severity=Severity.WARNING,
    summary="BCELoss / BCEWithLogitsLoss receives softmax output",
    doc="""\
## What it does
Flags `BCELoss` / `BCEWithLogitsLoss` whose input is a softmax output.

In Keras: a softmax over 3 or more units into `binary_crossentropy` (over 2 units with
one-hot targets it is exactly the categorical cross-entropy, and is not flagged).

## Why is this bad?
The binary losses treat each unit as an independent yes/no question; softmax makes the
units compete (they sum to 1), so two labels can never both be near 1. With
BCEWithLogitsLoss a sigmoid is also applied on top of the softmax. It runs without error.

## Example
```python
out = torch.softmax(self.fc(h), dim=1)
loss = F.binary_cross_entropy(out, multi_hot)
```

## Fix
For independent labels use raw logits with `BCEWithLogitsLoss`; for exactly one class
per sample use `CrossEntropyLoss` on raw logits.
""",
    check=loss_input_rule(
        "LL107",
        frozenset({"binary_cross_entropy", "binary_cross_entropy_with_logits"}),
        frozenset({Kind.SOFTMAX}),
        "{loss} scores each unit independently but receives {input}: use raw logits "
        "with BCEWithLogitsLoss, or CrossEntropyLoss for one class per sample",
        "softmax applied here",
        whole_output=True,  # one column of a 2-way softmax is a sigmoid: a fine BCE input
        # Keras: binary_crossentropy on a 2-way softmax with one-hot targets is exactly the
        # categorical cross-entropy; from 3 units on it scores each unit on its own
        variant=Variant(
            frozenset({"keras_binary_crossentropy", "keras_binary_crossentropy_logits"}),
            "{loss} scores each unit independently but receives {input}: use categorical_crossentropy for one "
            "class per sample, or sigmoid units for several labels per sample",
            min_width=3,
        ),
        framework_messages=((
            "jax",
            "{loss} scores each unit independently but receives {input}: pass raw logits, or use "
            "optax.softmax_cross_entropy for one class per sample",
        ),),
    ),
)
