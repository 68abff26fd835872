"""LL401: ``torch.log(softmax(x))`` (opt-in)."""

from typing import Iterator, List, Optional

from losslint.analysis.facts import Facts, Form, tensors
from losslint.analysis.values import Kind, Site, Tensor
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, related_sites


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for log in facts.logs:
        inputs = tensors(log.input)
        # clamp(min=eps): finite; a mean of softmaxes (a batch's marginal, an ensemble): no log_softmax gives it
        if inputs and all(t.kind is Kind.SOFTMAX and not t.floored and not t.averaged for t in inputs):
            yield Finding(
                "LL401",
                log.site,
                "log of softmax probabilities: a probability that underflows to 0 gives -inf; "
                "`log_softmax` computes the same values stably",
                related_sites(inputs, "softmax applied here"),
                fix=_fix(log.site, inputs, facts),
            )


def _fix(site: Site, inputs: List[Tensor], facts: Facts) -> Optional[Fix]:
    """``torch.log(F.softmax(x, d))`` -> ``F.log_softmax(x, d)``: the same values, so
    safe; only for a softmax call written inside the log (the fixer checks the code)."""
    origins = {t.origin for t in inputs}
    if len(origins) != 1:
        return None
    origin = origins.pop()
    if origin is None or facts.forms.get(origin, ("", None))[0] not in (Form.FUNCTION, Form.METHOD):
        return None
    return Fix("Use log_softmax", (Edit(site, Action.LOG_OF_SOFTMAX, origin),), safe=True)


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
    fix="safe",
)
