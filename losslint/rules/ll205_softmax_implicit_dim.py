"""LL205: softmax / log_softmax without ``dim``."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Finding, Rule, Severity, display_name


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for use in facts.implicit_dims:
        yield Finding(
            "LL205",
            use.site,
            f"{display_name(use.name)} without dim: torch guesses it from the input's rank "
            "(dim 0, the batch, for 1-D and 3-D inputs) and warns; pass dim explicitly",
        )


RULE = Rule(
    code="LL205",
    name="softmax-implicit-dim",
    severity=Severity.WARNING,
    summary="softmax / log_softmax without dim",
    doc="""\
## What it does
Flags `F.softmax`, `F.log_softmax`, `F.softmin`, `nn.Softmax()`, `nn.LogSoftmax()` and
`nn.Softmin()` called without `dim`.

## Why is this bad?
Without `dim` torch picks one from the input's rank (0 for 0-, 1- and 3-D inputs, 1
otherwise) and emits a deprecation warning. For a `(N, L, C)` sequence output it
normalises over the batch, silently mixing samples.

## Example
```python
probs = F.softmax(logits)
```

## Fix
Name the class dimension: `F.softmax(logits, dim=1)` (or `dim=-1`).
""",
    check=check,
)
