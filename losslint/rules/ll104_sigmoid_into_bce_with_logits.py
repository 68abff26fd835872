"""LL104: a logits loss receives sigmoid outputs (double sigmoid)."""

from losslint.analysis.tables import LOGITS_LOSSES
from losslint.analysis.values import Kind
from losslint.rules.base import KERAS_NO_FIX, Rule, Severity, Variant, loss_input_rule
from losslint.rules.fixes import LossFix, REMOVE

RULE = Rule(
    code="LL104",
    name="sigmoid-into-bce-with-logits",
    severity=Severity.WARNING,
    summary="BCEWithLogitsLoss (or another logits loss) receives sigmoid outputs: double sigmoid",
    doc="""\
## What it does
Flags `BCEWithLogitsLoss`, `MultiLabelSoftMarginLoss` or `sigmoid_focal_loss` whose
input already went through a sigmoid.

In Keras: a sigmoid output into `BinaryCrossentropy(from_logits=True)`.

## Why is this bad?
These losses apply the sigmoid themselves. A second sigmoid maps every prediction into
(0.5, 0.73): the loss cannot go below about 0.31 per element, predictions of 0 are
impossible, and gradients are small. It runs without error.

## Example
```python
probs = torch.sigmoid(model(x))
loss = F.binary_cross_entropy_with_logits(probs, y)
```

## Fix
Pass the raw logits; apply the sigmoid only for predictions and metrics.
""",
    check=loss_input_rule(
        "LL104",
        LOGITS_LOSSES,
        frozenset({Kind.SIGMOID}),
        "{loss} applies sigmoid itself but receives {input}, so sigmoid runs twice: pass raw logits",
        "sigmoid applied here",
        LossFix("Remove the sigmoid: the loss applies it", activation=REMOVE),
        variant=Variant(
            frozenset({"keras_binary_crossentropy_logits"}),
            "{loss} expects raw logits (it applies sigmoid itself) but receives {input}, so sigmoid runs twice: "
            "drop the sigmoid activation and keep a linear output (or, for a loss that takes from_logits, set from_logits=False)",
            no_fix=KERAS_NO_FIX,
        ),
    ),
    fix="unsafe",
)
