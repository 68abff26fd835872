"""LL303: an elementwise regression loss gets (N, 1) against (N,), or the reverse."""

from typing import Iterator, List, Optional, Tuple

from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.values import Axis, Tensor
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, act_sites, describe_sites, loss_description, related


def _column(tensors: List[Tensor]) -> bool:
    return all(t.rank == 2 and t.width == 1 and t.axis is Axis.LAST for t in tensors)


def _flat(tensors: List[Tensor]) -> bool:
    return all(t.rank == 1 for t in tensors)


def broadcast(call: LossCall) -> Optional[Tuple[int, str, str]]:
    """(argument position, keyword, "input"/"target") of the (N, 1) side when one side is
    surely (N, 1) and the other surely (N,); None otherwise."""
    inputs, targets = call.input_tensors, call.targets
    if not inputs or not targets:
        return None
    if _column(inputs) and _flat(targets):
        return 0, "input", "input"
    if _flat(inputs) and _column(targets):
        return 1, "target", "target"
    return None


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.regression_calls:
        found = broadcast(call)
        if found is None:
            continue
        position, keyword, side = found
        shapes = "input of shape (N, 1) and a target of shape (N,)" if side == "input" else "input of shape (N,) and a target of shape (N, 1)"
        sites = act_sites((call.input_tensors or []) + (call.targets or []))
        where = f" ({describe_sites(sites, describe)})" if sites else ""
        yield Finding(
            "LL303",
            call.site,
            f"{loss_description(call, describe)} gets an {shapes}{where}: torch broadcasts them to (N, N), only "
            f"warns, and the model learns the mean of the targets; squeeze the {side} (`.squeeze(1)`)",
            related(sites, "shape made here"),
            fix=Fix(
                f"Squeeze the (N, 1) {side}: `.squeeze(1)` in the loss call (only the loss changes: "
                "it compares each prediction with its own target)",
                (Edit(call.site, Action.METHOD_ON_ARGUMENT, (position, keyword, "squeeze(1)")),),
                safe=True,
            ),
        )


RULE = Rule(
    code="LL303",
    name="regression-target-broadcast",
    severity=Severity.WARNING,
    summary="MSELoss / L1Loss / SmoothL1Loss / HuberLoss on (N, 1) against (N,), or the reverse: broadcast to (N, N)",
    doc="""\
## What it does
Flags `MSELoss`, `L1Loss`, `SmoothL1Loss` and `HuberLoss` (and `F.mse_loss`,
`F.l1_loss`, `F.smooth_l1_loss`, `F.huber_loss`) whose input and target shapes are both
known and differ by a trailing dimension of 1: an `(N, 1)` output against an `(N,)`
target, or the reverse.

## Why is this bad?
These losses broadcast input and target before comparing them: `(N, 1)` against
`(N,)` becomes `(N, N)`, every prediction compared with every target. torch only warns
(`UserWarning: Using a target size (torch.Size([N])) that is different to the input
size (torch.Size([N, 1]))`), and the loss is minimised by predicting the mean of the
batch's targets for every sample: the model learns the mean.

## Example
```python
head = nn.Linear(16, 1)              # (N, 1)
price = torch.randn(32)              # (N,)
loss = nn.MSELoss()(head(x), price)
```

## Fix
Make the shapes match: `head(x).squeeze(1)` against `(N,)` targets, or
`price.unsqueeze(1)` against an `(N, 1)` output. The offered fix (safe: only the
loss call changes, to the value that was meant) writes `.squeeze(1)` on the `(N, 1)`
side of the loss call.
""",
    check=check,
    fix="safe",
)
