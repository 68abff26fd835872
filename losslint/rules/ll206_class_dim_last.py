"""LL206: CrossEntropyLoss / NLLLoss on an output whose class axis is last."""

from typing import Iterator, List, Optional

from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.tables import CLASS_INDEX_LOSSES
from losslint.analysis.values import Axis, Tensor
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, describe_sites, layer_sites, loss_description, related


def class_last(call: LossCall) -> Optional[List[Tensor]]:
    """The input's alternatives when every one is (N, d1, ..., C): rank 3 or more, the
    known class width on the last axis; and every target alternative has rank 2 or more
    (class indices per position, or probabilities)."""
    inputs, targets = call.input_tensors, call.targets
    if not inputs or not targets or not call.families or not call.families <= CLASS_INDEX_LOSSES:
        return None
    if not all(t.rank is not None and t.rank >= 3 and t.axis is Axis.LAST and t.width is not None and t.width >= 2 for t in inputs):
        return None
    if not all(t.rank is not None and t.rank >= 2 for t in targets):
        return None
    return inputs


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        inputs = class_last(call)
        if not inputs:
            continue
        ranks = {t.rank for t in inputs}
        widths = {t.width for t in inputs}
        width = widths.pop() if len(widths) == 1 else None
        rank = ranks.pop() if len(ranks) == 1 else None
        layers = layer_sites(inputs)
        where = f" ({describe_sites(layers, describe)})" if layers else ""
        shape = f"(N, L, {width})" if rank == 3 and width else "(N, ..., C)"
        fix, no_fix = None, "no fix offered: the input's rank is not 3, so the permutation is not known"
        if rank == 3:
            fix = Fix(
                "Move the class axis to dim 1: `.permute(0, 2, 1)` on the loss input (the target stays (N, L))",
                (Edit(call.site, Action.METHOD_ON_ARGUMENT, (0, "input", "permute(0, 2, 1)")),),
                safe=False,
            )
            no_fix = ""
        yield Finding(
            "LL206",
            call.site,
            f"{loss_description(call, describe)} reads dim 1 as the classes, but this {shape} output has its "
            f"{width or 'C'} classes on the last axis{where}; torch raises 'Expected target size ...' unless the "
            "length equals the number of classes, then it trains silently wrong: permute the output to (N, C, L) "
            "or flatten both to (N*L, C) and (N*L,)",
            related(layers, "class axis made last here"),
            width=width,
            fix=fix,
            no_fix=no_fix,
        )


RULE = Rule(
    code="LL206",
    name="class-dim-last",
    severity=Severity.ERROR,
    summary="CrossEntropyLoss / NLLLoss on a (N, L, C) output: torch reads dim 1 as the classes",
    doc="""\
## What it does
Flags `CrossEntropyLoss` / `NLLLoss` (and `F.cross_entropy` / `F.nll_loss`) whose input
has rank 3 or more with its class axis last, such as a batch-first `nn.LSTM`, `nn.GRU`,
`nn.RNN` or `nn.TransformerEncoder` followed by `nn.Linear(hidden, C)`, or a
channels-last segmentation head, when the target has rank 2 or more.

## Why is this bad?
For inputs of rank 3 or more, torch reads the classes from dim 1: `(N, C, d1, ...)`
against a target of shape `(N, d1, ...)`. An `(N, L, C)` output against an `(N, L)`
target raises `RuntimeError: Expected target size [N, C], got [N, L]` when `L != C`,
and when the sequence length happens to equal the number of classes it trains silently
wrong: every position is classified over the time steps.

## Example
```python
out, _ = self.lstm(x)            # nn.LSTM(..., batch_first=True): (N, L, H)
logits = self.fc(out)            # (N, L, C)
loss = F.cross_entropy(logits, tags)  # tags: (N, L)
```

## Fix
Move the class axis to dim 1: `F.cross_entropy(logits.permute(0, 2, 1), tags)` (or
`transpose(1, 2)`, `movedim(-1, 1)`), or flatten both:
`F.cross_entropy(logits.reshape(-1, C), tags.reshape(-1))`. The offered fix (unsafe)
writes `.permute(0, 2, 1)` on the loss input for a rank-3 output.
""",
    check=check,
    fix="unsafe",
)
