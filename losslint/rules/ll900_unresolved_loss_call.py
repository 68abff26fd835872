"""LL900: a loss call whose input the analysis could not resolve (opt-in)."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Finding, Rule, Severity


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        reason = call.unresolved_reason
        if reason is not None:
            yield Finding(
                "LL900",
                call.site,
                f"{call.loss_name} call not checked ({call.unresolved_category}): {reason}",
            )


RULE = Rule(
    code="LL900",
    name="unresolved-loss-call",
    severity=Severity.INFO,
    summary="A loss call whose input could not be resolved, with the reason (never changes the exit code)",
    doc="""\
## What it does
Lists every loss call whose input losslint could not resolve to a known kind (raw
logits, probabilities, log-probabilities...), with the reason: a model from a library
it does not know, a model or loss passed in from outside the linted code, one defined
in another file, dynamic dispatch (a registry, `getattr`, a config string), arithmetic
it does not model, and so on. `--show-unresolved` is shorthand for
`--extend-select LL900`.

## Why is this bad?
It is not: it says what was *not* checked, so that no finding is never read as
"checked and correct". It never changes the exit status.

## Example
```python
model = timm.create_model("resnet50", num_classes=10)
loss = nn.CrossEntropyLoss()(model(x), y)   # LL900: model from an unknown library
```

## Fix
Nothing to fix. The reasons with the largest counts are where the analysis is going next.
""",
    check=check,
    default=False,
)
