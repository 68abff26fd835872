"""LL402: ``log(sigmoid(x))`` or a hand-written binary cross-entropy (opt-in)."""

from typing import Iterator

from losslint.analysis.facts import Facts, tensors
from losslint.analysis.values import Kind
from losslint.rules.base import Describe, Finding, Rule, Severity, related_sites


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    hand_written = {bce.site for bce in facts.hand_written_bce}
    for log in facts.logs:
        if log.site in hand_written:  # one finding per place: the hand-written one says more
            continue
        inputs = tensors(log.input)
        if inputs and all(t.kind is Kind.SIGMOID and not t.floored for t in inputs):
            yield Finding(
                "LL402",
                log.site,
                "log of sigmoid probabilities: it is -inf once the sigmoid saturates; "
                "`F.logsigmoid` is the stable form",
                related_sites(inputs, "sigmoid applied here"),
            )
    for bce in facts.hand_written_bce:
        yield Finding(
            "LL402",
            bce.site,
            "hand-written binary cross-entropy (log(p) and log(1 - p)): it gives inf or nan once p "
            "saturates; use `F.binary_cross_entropy_with_logits` on the logits",
        )


RULE = Rule(
    code="LL402",
    name="hand-written-bce",
    severity=Severity.INFO,
    summary="`log(sigmoid(x))` or a hand-written `-(y*log(p)+(1-y)*log(1-p))`: use logsigmoid / BCEWithLogitsLoss",
    doc="""\
## What it does
Flags `torch.log(torch.sigmoid(x))` and a binary cross-entropy written out by hand,
`y * log(p) + (1 - y) * log(1 - p)`.

## Why is this bad?
`sigmoid(x)` is exactly 0 or 1 in float32 once |x| passes about 17 (float16: about 8);
the log is then `-inf` and the loss inf or nan. `F.logsigmoid` and
`F.binary_cross_entropy_with_logits` work from the logits with the log-sum-exp trick.

## Example
```python
p = torch.sigmoid(logits)
loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
```

## Fix
`loss = F.binary_cross_entropy_with_logits(logits, y)`; `F.logsigmoid(x)` for
`log(sigmoid(x))`.
""",
    check=check,
    default=False,
    prefilter=r"\blog\(|\.log\(",
    reads=frozenset({"hand_written_bce"}),
)
