"""LL205: softmax / log_softmax without ``dim``."""

from typing import Iterator, List, Optional, Tuple

from losslint.analysis.facts import Facts
from losslint.analysis.facts import tensors as known_shape
from losslint.analysis.values import Axis, Site, Tensor
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Finding, Rule, Severity, display_name


def implicit_dim(rank: int) -> int:
    """The dim torch picks when none is given (``torch.nn.functional._get_softmax_dim``)."""
    return 0 if rank in (0, 1, 3) else 1


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    inputs = {use.site: use.input for use in facts.activations}
    for use in facts.implicit_dims:
        fix, no_fix = dim_fix(use.site, known_shape(inputs.get(use.site, frozenset())) or [])
        yield Finding(
            "LL205",
            use.site,
            f"{display_name(use.name)} without dim: torch guesses it from the input's rank "
            "(dim 0 for 1-D and 3-D inputs, the batch of a 3-D one) and warns, each time it runs; pass dim explicitly",
            fix=fix,
            no_fix=no_fix,
        )


def dim_fix(site: Site, tensors_in: List[Tensor]) -> Tuple[Optional[Fix], str]:
    """Write out the dim torch picks (safe: the same behaviour), except where it picks
    dim 0 of a 3-D input, the batch of an (N, L, C) output: writing ``dim=0`` would set
    that mistake in stone. There the class axis, when the analysis knows it, is offered
    instead (unsafe: the output changes); otherwise no fix."""
    ranks = {t.rank for t in tensors_in}
    if len(ranks) != 1 or None in ranks:
        return None, "no fix offered: the input's rank is not known, so neither is the dim torch picks"
    rank = ranks.pop()
    if rank != 3:
        dim = implicit_dim(rank)
        text = f"Write out dim={dim}, the dim torch picks for {rank}-D input (check it is the class dimension)"
        return Fix(text, (Edit(site, Action.ADD_DIM, dim),), safe=True), ""
    axes = {t.axis if t.width is not None else None for t in tensors_in}
    if axes == {Axis.LAST}:
        dim, where = -1, "the last axis"
    elif axes == {Axis.CHANNEL}:
        dim, where = 1, "the channel axis"
    else:
        return None, (
            "no fix offered: for 3-D input torch picks dim 0, the batch of an (N, L, C) output, and writing it out "
            "would keep that mistake; which dim holds the classes is not known"
        )
    text = (
        f"Write dim={dim}, the class axis ({where}): for 3-D input torch picks dim 0, the batch, so this changes "
        "the output (each sample's probabilities now sum to 1)"
    )
    return Fix(text, (Edit(site, Action.ADD_DIM, dim),), safe=False), ""


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
Name the class dimension: `F.softmax(logits, dim=1)` (or `dim=-1`). The offered fix
writes out the dim torch picks when that keeps behaviour and is not the batch (safe:
`dim=1` for 2-D and 4-D input, `dim=0` for 1-D); for 3-D input, where torch picks
dim 0, it writes the class axis when the analysis knows it (unsafe: `dim=-1` after a
`Linear`, `dim=1` after a `Conv1d`), and otherwise offers none.
""",
    check=check,
    fix="safe/unsafe",
)
