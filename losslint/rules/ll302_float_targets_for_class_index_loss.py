"""LL302: CrossEntropyLoss / NLLLoss with 1-D float targets."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.analysis.tables import CLASS_INDEX_LOSSES
from losslint.rules.base import Describe, Finding, Rule, Severity, act_sites, describe_sites, related


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        targets = call.targets
        if not targets or not call.families <= CLASS_INDEX_LOSSES:
            continue
        inputs = call.input_tensors
        batched = bool(inputs) and all(t.rank is not None and t.rank >= 2 for t in inputs)
        if batched and all(t.dtype == "float" and t.rank == 1 for t in targets):  # (C,) input: a probability target
            sites = act_sites(targets)
            where = f" ({describe_sites(sites, describe)})" if sites else ""
            yield Finding(
                "LL302",
                call.site,
                f"{call.loss_name} gets a 1-D float target{where}; class indices must be integers and torch "
                "raises RuntimeError: expected target dtype to be Long or Byte, but got Float: use `.long()`",
                related(sites, "float target created here"),
            )


RULE = Rule(
    code="LL302",
    name="float-targets-for-class-index-loss",
    severity=Severity.ERROR,
    summary="CrossEntropyLoss / NLLLoss with 1-D float targets",
    doc="""\
## What it does
Flags `CrossEntropyLoss` / `NLLLoss` whose input has a batch dimension (rank 2 or
more) and whose target is a one-dimensional float tensor. An unbatched `(C,)` input
with a `(C,)` float target is a probability target, which torch accepts.

## Why is this bad?
A 1-D target holds class indices, which must be integers: torch raises
`RuntimeError: expected target dtype to be Long or Byte, but got Float`. (Float targets
are accepted by CrossEntropyLoss only as class probabilities of shape `(N, C)`.)

## Example
```python
y = (scores > 0).float()          # (N,)
loss = F.cross_entropy(model(x), y)
```

## Fix
`y.long()`; or, for a binary task with one output, `BCEWithLogitsLoss` with float
targets of the output's shape.
""",
    check=check,
)
