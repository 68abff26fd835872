"""LL301: a BCE-family loss gets an integer target."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Finding, Rule, Severity, act_sites, describe_sites, related
from losslint.rules.ll203_binary_loss_shape_mismatch import BINARY


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        targets = call.targets
        if not targets or not call.families <= BINARY or not all(t.dtype in ("int", "bool") for t in targets):
            continue
        if call.families == {"binary_cross_entropy"}:
            error = "RuntimeError: Found dtype Long but expected Float"
        else:
            error = "RuntimeError: result type Float can't be cast to the desired output type Long"
        sites = act_sites(targets)
        where = f" ({describe_sites(sites, describe)})" if sites else ""
        yield Finding(
            "LL301",
            call.site,
            f"{call.loss_name} gets an integer target{where}; torch raises {error}: "
            "convert it with `.float()`",
            related(sites, "integer target created here"),
        )


RULE = Rule(
    code="LL301",
    name="integer-targets-for-binary-loss",
    severity=Severity.ERROR,
    summary="BCE family target is an integer tensor",
    doc="""\
## What it does
Flags `BCELoss` / `BCEWithLogitsLoss` whose target is an integer (or bool) tensor:
`torch.randint(...)`, `.long()`, `F.one_hot(...)`, a literal of ints.

## Why is this bad?
The binary losses need float targets of the input's dtype. `BCELoss` raises
`RuntimeError: Found dtype Long but expected Float`; `BCEWithLogitsLoss` raises
`RuntimeError: result type Float can't be cast to the desired output type Long`.

## Example
```python
y = F.one_hot(labels, num_classes=5)
loss = nn.BCEWithLogitsLoss()(model(x), y)
```

## Fix
`y.float()`, or `F.one_hot(labels, 5).float()`.
""",
    check=check,
)
