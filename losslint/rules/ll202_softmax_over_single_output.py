"""LL202: softmax over a dimension of width 1."""

from typing import Any, Iterator

from losslint.analysis.facts import Facts, tensors
from losslint.analysis.values import MISSING, Axis, Tensor
from losslint.rules.base import Describe, Finding, Rule, Severity, describe_sites, display_name, layer_sites, related


def covers_width_axis(tensor: Tensor, dim: Any) -> bool:
    """Whether softmax over ``dim`` runs along the axis whose width is known."""
    rank = tensor.rank
    if dim is MISSING:  # torch's implicit choice: dim 0 for ranks 0, 1 and 3, else 1
        if rank is None:
            return False
        dim = 0 if rank in (0, 1, 3) else 1
    if not isinstance(dim, int) or isinstance(dim, bool):
        return False
    if tensor.axis is Axis.LAST:
        return dim == -1 or (rank is not None and dim == rank - 1)
    if tensor.axis is Axis.CHANNEL:
        return dim == 1 or (rank is not None and dim == 1 - rank)
    return False


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for use in facts.activations:
        inputs = tensors(use.input)
        if not inputs:
            continue
        if all(t.width == 1 and t.layer is not None and covers_width_axis(t, use.dim) for t in inputs):
            layers = layer_sites(inputs)
            value = "0.0" if "log" in use.name.lower() else "1.0"
            yield Finding(
                "LL202",
                use.site,
                f"{display_name(use.name)} over a dimension of width 1 ({describe_sites(layers, describe)}) "
                f"is always {value}: use sigmoid for a single output, or output one logit per class",
                related(layers, "layer with 1 output"),
                width=1,
            )


RULE = Rule(
    code="LL202",
    name="softmax-over-single-output",
    severity=Severity.ERROR,
    summary="softmax over a dim of width 1 (always 1.0)",
    doc="""\
## What it does
Flags a softmax (or log_softmax) taken over a dimension the analysis knows has width 1,
such as the output of `nn.Linear(h, 1)` with `dim=-1`, Keras's
`Dense(1, activation="softmax")`, or `jax.nn.softmax` over a 1-wide last axis.

## Why is this bad?
Softmax over a single value is exactly 1.0 (log_softmax exactly 0.0) whatever the input:
the output carries no information and no gradient reaches the layers before it.

## Example
```python
nn.Sequential(nn.Linear(64, 1), nn.Softmax(dim=-1))
```

## Fix
For a single (binary) output use `torch.sigmoid` / `nn.Sigmoid()` (or better, raw logits
with `BCEWithLogitsLoss`); for C classes output C units.
""",
    check=check,
)
