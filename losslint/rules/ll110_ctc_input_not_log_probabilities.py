"""LL110: CTCLoss input is not log-probabilities."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule

RULE = Rule(
    code="LL110",
    name="ctc-input-not-log-probabilities",
    severity=Severity.WARNING,
    summary="CTCLoss input is logits or probabilities",
    doc="""\
## What it does
Flags `CTCLoss` / `F.ctc_loss` whose `log_probs` argument is raw logits or
probabilities.

## Why is this bad?
CTC sums path probabilities in log space and expects `log_softmax` output of shape
(T, N, C). Logits or probabilities give a wrong loss and a model that does not converge;
no error is raised.

## Example
```python
loss = ctc(self.fc(features), targets, input_lengths, target_lengths)
```

## Fix
`ctc(self.fc(features).log_softmax(2), targets, input_lengths, target_lengths)`.
""",
    check=loss_input_rule(
        "LL110",
        frozenset({"ctc_loss"}),
        frozenset({Kind.LOGITS, Kind.SOFTMAX, Kind.SIGMOID}),
        "{loss} expects log-probabilities (T, N, C) but receives {input}: apply log_softmax over the classes",
        "input produced here",
    ),
)
