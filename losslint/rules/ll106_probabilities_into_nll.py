"""LL106: NLLLoss receives probabilities (the log is missing)."""

from losslint.analysis.values import Kind, PROBABILITIES
from losslint.rules.base import Rule, Severity, loss_input_rule
from losslint.rules.fixes import LossFix, TO_LOG_SOFTMAX

RULE = Rule(
    code="LL106",
    name="probabilities-into-nll",
    severity=Severity.WARNING,
    summary="NLLLoss receives softmax/sigmoid probabilities (the log is missing)",
    doc="""\
## What it does
Flags `NLLLoss` / `F.nll_loss` whose input is softmax or sigmoid probabilities.

## Why is this bad?
NLLLoss computes `-input[target]`; on probabilities that is `-p`, a negative loss
(-0.786 for logits [2, -1, 0.5], target 0) whose gradient does not push towards the
right answer the way the log-likelihood does. It runs without error.

## Example
```python
probs = F.softmax(model(x), dim=1)
loss = F.nll_loss(probs, y)
```

## Fix
Use `F.log_softmax` instead of `F.softmax`, or drop the softmax and use
`F.cross_entropy` on the logits.
""",
    check=loss_input_rule(
        "LL106",
        frozenset({"nll_loss"}),
        PROBABILITIES,
        "{loss} expects log-probabilities but receives {input}; the log is missing: use log_softmax",
        "probabilities produced here",
        LossFix("Apply log_softmax instead of softmax", activation=TO_LOG_SOFTMAX, only_kinds=frozenset({Kind.SOFTMAX})),
    ),
    fix="unsafe",
)
