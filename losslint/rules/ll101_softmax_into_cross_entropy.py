"""LL101: CrossEntropyLoss receives softmax probabilities."""

from losslint.analysis.values import Kind
from losslint.rules.base import KERAS_NO_FIX, Rule, Severity, Variant, loss_input_rule
from losslint.rules.fixes import LossFix, REMOVE

RULE = Rule(
    code="LL101",
    name="softmax-into-cross-entropy",
    severity=Severity.WARNING,
    summary="CrossEntropyLoss receives softmax probabilities",
    doc="""\
## What it does
Flags a `CrossEntropyLoss` / `F.cross_entropy` whose input is the output of a softmax.

In Keras: a softmax output (`Dense(10, activation="softmax")`, an `Activation` /
`Softmax` layer, `tf.nn.softmax`) into a cross-entropy built with `from_logits=True`.

## Why is this bad?
CrossEntropyLoss applies `log_softmax` itself. Fed probabilities, it takes the softmax
of a softmax: the loss can never reach 0, its gradients shrink (about 40% smaller for
logits [2, -1, 0.5]) and the model trains slowly and worse. Nothing raises an error.

## Example
```python
class Net(nn.Module):
    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)

loss = nn.CrossEntropyLoss()(Net()(x), y)
```

## Fix
Return the raw logits from `forward` and apply softmax only where probabilities are
needed (prediction, metrics).
""",
    check=loss_input_rule(
        "LL101",
        frozenset({"cross_entropy"}),
        frozenset({Kind.SOFTMAX}),
        "{loss} receives {input}; it applies log_softmax itself, so softmax runs twice: pass raw logits",
        "softmax applied here",
        LossFix("Remove the softmax: the loss gets the logits", activation=REMOVE),
        variant=Variant(
            frozenset({"keras_categorical_crossentropy_logits", "keras_sparse_categorical_crossentropy_logits"}),
            "{loss} expects raw logits (it applies softmax itself) but receives {input}, so softmax runs twice: "
            "drop the softmax activation and keep a linear output (or, for a loss that takes from_logits, set from_logits=False)",
            no_fix=KERAS_NO_FIX,
        ),
    ),
    fix="unsafe",
)
