"""LL111: sigmoid followed by BCELoss; BCEWithLogitsLoss is the stable form."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule
from losslint.rules.fixes import LossFix, REMOVE, TO_BCE_WITH_LOGITS

RULE = Rule(
    code="LL111",
    name="sigmoid-then-bce",
    severity=Severity.INFO,
    summary="sigmoid followed by BCELoss: use BCEWithLogitsLoss (stability, autocast)",
    doc="""\
## What it does
Flags `BCELoss` / `F.binary_cross_entropy` fed by a sigmoid.

## Why is this bad?
It is correct but fragile: once the sigmoid saturates, BCELoss clamps each log term at
-100, so the loss and its gradient are wrong for confident mistakes; and
`binary_cross_entropy` refuses to run under CUDA autocast (mixed precision).
`BCEWithLogitsLoss` computes the same loss from the logits with the log-sum-exp trick.

## Example
```python
self.out = nn.Sequential(nn.Linear(64, 1), nn.Sigmoid())
loss = nn.BCELoss()(self.out(h), y)
```

## Fix
Remove the sigmoid from the model and use `nn.BCEWithLogitsLoss()`; apply
`torch.sigmoid` only for predictions.
""",
    check=loss_input_rule(
        "LL111",
        frozenset({"binary_cross_entropy"}),
        frozenset({Kind.SIGMOID}),
        "{loss} receives {input}; BCEWithLogitsLoss on the logits is the numerically stable "
        "form and works under autocast",
        "sigmoid applied here",
        LossFix(
            "Use BCEWithLogitsLoss on the logits",
            activation=REMOVE,
            rename_loss=TO_BCE_WITH_LOGITS,
            only_kinds=frozenset({Kind.SIGMOID}),
        ),
    ),
    fix="unsafe",
)
