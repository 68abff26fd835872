"""LL401: ``torch.log(softmax(x))`` (opt-in)."""

from typing import Iterator

from losslint.analysis.facts import Facts, tensors
from losslint.analysis.values import Kind
from losslint.rules.base import Describe, Finding, Rule, Severity, related_sites


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for log in facts.logs:
        inputs = tensors(log.input)
        if inputs and all(t.kind is Kind.SOFTMAX for t in inputs):
            yield Finding(
                "LL401",
                log.site,
                "log of softmax probabilities: a probability that underflows to 0 gives -inf; "
                "`log_softmax` computes the same values stably",
                related_sites(inputs, "softmax applied here"),
            )


RULE = Rule(
    code="LL401",
    name="log-of-softmax",
    severity=Severity.INFO,
    summary="`torch.log(softmax(x))`: use `log_softmax`",
    doc="""\
## What it does
Flags `torch.log(...)` / `.log()` applied to softmax probabilities.

## Why is this bad?
Softmax underflows to exactly 0 for logits a few dozen apart (float32), and `log(0)` is
`-inf`: the loss becomes inf or nan. `log_softmax` uses the log-sum-exp trick and never
underflows.

## Example
```python
log_probs = torch.log(F.softmax(logits, dim=1))
```

## Fix
`F.log_softmax(logits, dim=1)`.
""",
    check=check,
    default=False,
    prefilter=r"\blog\(|\.log\(",
)
