"""LL102: CrossEntropyLoss receives sigmoid outputs."""

from losslint.analysis.tables import KERAS_CLASS_LOSSES
from losslint.analysis.values import Kind
from losslint.rules.base import KERAS_NO_FIX, Rule, Severity, Variant, loss_input_rule
from losslint.rules.fixes import LossFix, REMOVE

RULE = Rule(
    code="LL102",
    name="sigmoid-into-cross-entropy",
    severity=Severity.WARNING,
    summary="CrossEntropyLoss receives sigmoid outputs",
    doc="""\
## What it does
Flags a `CrossEntropyLoss` / `F.cross_entropy` whose input went through a sigmoid.

In Keras: a sigmoid head of 2 or more units into `categorical_crossentropy` /
`sparse_categorical_crossentropy`: sigmoid units are not one distribution over the classes.

## Why is this bad?
CrossEntropyLoss applies `log_softmax` to its input. Sigmoid squashes every logit into
(0, 1), so the softmax that follows sees nearly equal values: the loss stays close to
log(C) and the gradients vanish as the sigmoid saturates. It runs without error.

## Example
```python
self.head = nn.Sequential(nn.Linear(128, 10), nn.Sigmoid())
...
loss = F.cross_entropy(self.head(h), labels)
```

## Fix
Drop the sigmoid and pass raw logits. For independent (multi-label) outputs use
`BCEWithLogitsLoss` instead of CrossEntropyLoss.
""",
    check=loss_input_rule(
        "LL102",
        frozenset({"cross_entropy"}),
        frozenset({Kind.SIGMOID}),
        "{loss} receives {input}; it applies log_softmax itself: return raw logits",
        "sigmoid applied here",
        LossFix("Remove the sigmoid: the loss gets the logits", activation=REMOVE),
        variant=Variant(
            KERAS_CLASS_LOSSES,
            "{loss} receives {input}: independent sigmoid units are not one distribution over the classes: "
            "use a softmax output, or a linear one with from_logits=True",
            min_width=2,
            no_fix=KERAS_NO_FIX,
        ),
    ),
    fix="unsafe",
)
