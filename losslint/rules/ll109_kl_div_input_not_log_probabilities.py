"""LL109: KLDivLoss input is not log-probabilities."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule

RULE = Rule(
    code="LL109",
    name="kl-div-input-not-log-probabilities",
    severity=Severity.WARNING,
    summary="KLDivLoss input is logits or probabilities",
    doc="""\
## What it does
Flags `KLDivLoss` / `F.kl_div` whose input (the first argument) is raw logits or
probabilities.

## Why is this bad?
Unlike most losses, `kl_div` expects its *input* as log-probabilities (and its target
as probabilities). Given probabilities it computes a meaningless quantity that can be
negative; distillation silently fails. It runs without error.

## Example
```python
loss = F.kl_div(F.softmax(student, dim=1), F.softmax(teacher, dim=1), reduction="batchmean")
```

## Fix
`F.kl_div(F.log_softmax(student, dim=1), F.softmax(teacher, dim=1), reduction="batchmean")`.
""",
    check=loss_input_rule(
        "LL109",
        frozenset({"kl_div"}),
        frozenset({Kind.LOGITS, Kind.SOFTMAX, Kind.SIGMOID}),
        "{loss} expects log-probabilities as its input but receives {input}: apply log_softmax to the input",
        "input produced here",
    ),
)
