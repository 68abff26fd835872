"""LL403: a loss tensor accumulated across iterations keeps every graph alive."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Edit, Finding, Fix, Rule, Severity, related, site_order


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for acc in facts.accumulations:
        if acc.only_losses and acc.outlives_iteration and not acc.under_no_grad and not acc.feeds_backward:
            yield Finding(
                "LL403",
                acc.site,
                f"'{acc.name}' accumulates loss tensors across iterations, keeping every iteration's "
                f"autograd graph alive (memory grows each step): add `loss.item()` (or `loss.detach()`)",
                related(sorted(acc.losses, key=site_order), "loss computed here"),
                fix=Fix(
                    "Accumulate `loss.item()` (`loss.detach()` where the total is used as a tensor)",
                    (Edit(acc.site, "accumulate_value", acc.name),),
                    safe=True,
                ),
            )


RULE = Rule(
    code="LL403",
    name="loss-accumulated-with-graph",
    severity=Severity.WARNING,
    summary="`total += loss` (a loss tensor) in a loop without `.item()` / `.detach()`: keeps every graph alive",
    doc="""\
## What it does
Flags `total += loss` (or `total = total + loss`) inside a loop, where `loss` is the
result of a loss call (or a sum of them) and `total` exists before the loop, with
gradients on. It stays silent under `torch.no_grad()` / `torch.inference_mode()` and
when `total` is later passed to a backward call (gradient accumulation).

## Why is this bad?
A loss tensor carries its autograd graph. Summing them keeps the graph of every
iteration, with all its activations, alive until `total` is freed: memory grows
with each batch until the epoch ends or the process runs out of memory.

## Example
```python
running_loss = 0.0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    running_loss += loss
```

## Fix
`running_loss += loss.item()` (or `loss.detach()`).
""",
    check=check,
    fix="safe",
)
