"""LL205: softmax / log_softmax without ``dim``."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.analysis.facts import tensors as known_shape
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, display_name


def implicit_dim(rank: int) -> int:
    """The dim torch picks when none is given (``torch.nn.functional._get_softmax_dim``)."""
    return 0 if rank in (0, 1, 3) else 1


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    inputs = {use.site: use.input for use in facts.activations}
    for use in facts.implicit_dims:
        tensors_in = known_shape(inputs.get(use.site, frozenset()))
        ranks = {t.rank for t in tensors_in or ()}
        fix, no_fix = None, "no fix offered: the input's rank is not known, so neither is the dim torch picks"
        if len(ranks) == 1 and None not in ranks:
            rank = ranks.pop()
            dim = implicit_dim(rank)
            fix = Fix(
                f"Write out dim={dim}, the dim torch picks for {rank}-D input (check it is the class dimension)",
                (Edit(use.site, Action.ADD_DIM, dim),),
                safe=True,
            )
            no_fix = ""
        yield Finding(
            "LL205",
            use.site,
            f"{display_name(use.name)} without dim: torch guesses it from the input's rank "
            "(dim 0, the batch, for 1-D and 3-D inputs) and warns; pass dim explicitly",
            fix=fix,
            no_fix=no_fix,
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
    fix="safe",
)
