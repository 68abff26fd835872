"""LL203: a BCE-family loss gets (N, 1) against (N,), or the reverse."""

from typing import Iterator, List, Optional

from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.values import Tensor
from losslint.rules.base import Describe, Finding, Rule, Severity, related_sites

BINARY = frozenset({"binary_cross_entropy", "binary_cross_entropy_with_logits"})


def _column(tensors: List[Tensor]) -> bool:
    return all(t.rank == 2 and t.width == 1 for t in tensors)


def _flat(tensors: List[Tensor]) -> bool:
    return all(t.rank == 1 for t in tensors)


def torch_error(call: LossCall, target: str, input: str) -> str:
    if call.families == {"binary_cross_entropy"}:
        return (
            f"ValueError: Using a target size (torch.Size([{target}])) that is different to the input size "
            f"(torch.Size([{input}]))"
        )
    return f"ValueError: Target size (torch.Size([{target}])) must be the same as input size (torch.Size([{input}]))"


def mismatch(call: LossCall) -> Optional[str]:
    inputs, targets = call.input_tensors, call.targets
    if not inputs or not targets or not call.families <= BINARY:
        return None
    if _column(inputs) and _flat(targets):
        return f"input of shape (N, 1) and target of shape (N,); torch raises {torch_error(call, 'N', 'N, 1')}"
    if _flat(inputs) and _column(targets):
        return f"input of shape (N,) and target of shape (N, 1); torch raises {torch_error(call, 'N, 1', 'N')}"
    return None


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        problem = mismatch(call)
        if problem:
            yield Finding(
                "LL203",
                call.site,
                f"{call.loss_name} gets an {problem}: squeeze the output (`out.squeeze(1)`) "
                "or unsqueeze the target (`y.float().unsqueeze(1)`) so both have the same shape",
                related_sites(call.targets or [], "target created here"),
            )


RULE = Rule(
    code="LL203",
    name="binary-loss-shape-mismatch",
    severity=Severity.ERROR,
    summary="BCE family on (N, 1) output against (N,) target, or the reverse",
    doc="""\
## What it does
Flags `BCELoss` / `BCEWithLogitsLoss` whose input and target shapes are both known and
differ by a trailing dimension of 1: an `(N, 1)` output against an `(N,)` target, or
the reverse.

## Why is this bad?
The binary losses need input and target of the same shape. torch raises
`ValueError: Target size (torch.Size([N])) must be the same as input size
(torch.Size([N, 1]))`. (Before that check existed, broadcasting silently compared every
prediction with every target.)

## Example
```python
head = nn.Linear(16, 1)              # (N, 1)
y = torch.randint(0, 2, (32,)).float()  # (N,)
loss = nn.BCEWithLogitsLoss()(head(x), y)
```

## Fix
Make the shapes match: `head(x).squeeze(1)` against `(N,)` targets, or
`y.unsqueeze(1)` against an `(N, 1)` output.
""",
    check=check,
)
