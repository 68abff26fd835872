"""LL404: BCELoss / F.binary_cross_entropy inside CUDA autocast."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Finding, Rule, Severity


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        if call.complete and call.autocast and call.families == {"binary_cross_entropy"}:
            yield Finding(
                "LL404",
                call.site,
                f"{call.loss_name} runs under CUDA autocast, where torch refuses it (RuntimeError: "
                "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast): "
                "return logits and use BCEWithLogitsLoss",
            )


RULE = Rule(
    code="LL404",
    name="bce-under-autocast",
    severity=Severity.ERROR,
    summary="BCELoss / binary_cross_entropy inside `torch.autocast` / `torch.cuda.amp.autocast`",
    doc="""\
## What it does
Flags `BCELoss` / `F.binary_cross_entropy` called inside `with torch.autocast("cuda")`,
`torch.cuda.amp.autocast()` or `torch.amp.autocast("cuda")` (also through the functions
called from there). Not with a literal `enabled=False`, nor with `device_type="cpu"`.

## Why is this bad?
Under CUDA autocast torch raises `RuntimeError: torch.nn.functional.binary_cross_entropy
and torch.nn.BCELoss are unsafe to autocast`: in float16 the log of a sigmoid output
saturates. The script works on the CPU and fails on the first GPU run.

## Example
```python
with torch.autocast(device_type="cuda", dtype=torch.float16):
    loss = F.binary_cross_entropy(torch.sigmoid(model(x)), y)
```

## Fix
Drop the sigmoid and use `F.binary_cross_entropy_with_logits` / `nn.BCEWithLogitsLoss`,
which are safe under autocast.
""",
    check=check,
)
