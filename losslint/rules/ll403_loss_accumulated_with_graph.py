"""LL403: a loss tensor accumulated across iterations keeps every graph alive."""

from typing import Iterator

from losslint.analysis.facts import Accumulation, Facts
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, related, site_order


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for acc in facts.accumulations:
        if not (acc.only_losses and acc.outlives_iteration) or acc.under_no_grad or acc.feeds_backward:
            continue
        if acc.escapes and not acc.loop_backward and not acc.returned_unused:
            continue  # per-term losses summed into the loss the caller backpropagates
        yield Finding(
            "LL403",
            acc.site,
            f"'{acc.name}' accumulates loss tensors across iterations, keeping every iteration's "
            f"autograd graph alive (memory grows each step): add `loss.item()` (or `loss.detach()`)",
            related(sorted(acc.losses, key=site_order), "loss computed here"),
            fix=_fix(acc),
        )


def _fix(acc: Accumulation) -> Fix:
    """``.item()`` (or ``.detach()``) keeps what a local running statistic computes: safe.
    A total that leaves the function stays a tensor (``.detach()``), and its callers may
    still want its graph: unsafe."""
    if acc.escapes:
        return Fix("Accumulate `loss.detach()`", (Edit(acc.site, Action.ACCUMULATE_DETACHED, acc.name),), safe=False)
    return Fix(
        "Accumulate `loss.item()` (`loss.detach()` where the total may be needed as a tensor)",
        (Edit(acc.site, Action.ACCUMULATE_VALUE, acc.name),),
        safe=True,
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
gradients on: a running statistic. It stays silent under `torch.no_grad()` /
`torch.inference_mode()` (or a computed `set_grad_enabled`), when `total` is later
passed to a backward call (gradient accumulation), and when the loop backpropagates
nothing itself while `total` leaves the function (returned, stored in an attribute, an
item or a container): summing per-term losses (deep supervision, per-head losses) is
how the loss is built. A total that is only returned, to callers of the analysed code
none of which calls a backward or passes values on, is a running statistic again.

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
`running_loss += loss.item()` (or `loss.detach()`). The automatic fix is safe for a
total used only in its function; for a total the function returns or stores it is
`loss.detach()` (the value stays a tensor) and unsafe.
""",
    check=check,
    fix="safe/unsafe",
)
