"""LL105: NLLLoss receives raw logits."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule
from losslint.rules.fixes import LossFix, TO_CROSS_ENTROPY

RULE = Rule(
    code="LL105",
    name="logits-into-nll",
    severity=Severity.WARNING,
    summary="NLLLoss receives raw logits",
    doc="""\
## What it does
Flags `NLLLoss` / `F.nll_loss` whose input is the raw output of a linear or
convolutional layer.

## Why is this bad?
NLLLoss only picks `-input[target]`; it expects log-probabilities. On raw logits the
loss is unbounded below: the model lowers it by inflating the target logit without
learning anything about the other classes. It runs without error.

## Example
```python
logits = self.fc(h)
loss = F.nll_loss(logits, y)
```

## Fix
Use `F.cross_entropy(logits, y)` (log_softmax + NLLLoss in one), or apply
`F.log_softmax(logits, dim=1)` before NLLLoss.
""",
    check=loss_input_rule(
        "LL105",
        frozenset({"nll_loss"}),
        frozenset({Kind.LOGITS}),
        "{loss} expects log-probabilities but receives {input}: use CrossEntropyLoss, or log_softmax first",
        "logits produced here",
        LossFix("Use CrossEntropyLoss: it applies log_softmax", rename_loss=TO_CROSS_ENTROPY),
    ),
    fix="unsafe",
)
