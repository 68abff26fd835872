"""LL207: softmax / log_softmax over dim 0 of a batched model output."""

from typing import Any, Iterator, List, Optional, Set

from losslint.analysis.facts import ActivationUse, Facts, tensors
from losslint.analysis.values import Axis, Site, Tensor
from losslint.rules.base import Describe, Finding, Rule, Severity, describe_sites, display_name, layer_sites, related

RETURNED = "returned by forward()"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def class_index(t: Tensor) -> Optional[int]:
    """Where the known class axis is: 1 for a channel axis, the last index otherwise."""
    if t.width is None or t.rank is None:
        return None
    if t.axis is Axis.CHANNEL:
        return 1
    if t.axis is Axis.LAST:
        return t.rank - 1
    return None


def over_batch(use: ActivationUse) -> Optional[List[Tensor]]:
    """The input's alternatives when ``dim`` (a literal) is 0 of every one, each a layer's
    output of rank 2 or more with 2 or more classes on an axis other than 0."""
    inputs = tensors(use.input)
    if not inputs or not _is_int(use.dim):
        return None
    for t in inputs:
        index = class_index(t)
        if t.layer is None or t.selected or index is None or index == 0 or (t.width or 0) < 2 or t.rank < 2:  # type: ignore[operator]
            return None
        if use.dim % t.rank != 0 or not -t.rank <= use.dim < t.rank:  # type: ignore[operator]
            return None
    return inputs


def _destinations(use: ActivationUse, facts: Facts) -> Optional[str]:
    """Where the result goes that proves dim 0 is the batch: a loss call's input, or a
    model's forward returning it."""
    for call in facts.loss_calls + facts.regression_calls:
        found = tensors(call.input)
        if found and any(t.act == use.site for t in found):
            return f"reaches {call.loss_name}"
    origins: Set[Site] = {origin for origin, (_, act) in facts.forms.items() if act == use.site}
    for origin in origins:
        for consumer in facts.uses.get(origin, ()):
            if consumer.site is None and consumer.what.startswith(RETURNED):
                return "is returned from forward"
    return None


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for use in facts.activations:
        inputs = over_batch(use)
        if not inputs:
            continue
        goes = _destinations(use, facts)
        if goes is None:
            continue
        layers = layer_sites(inputs)
        widths = {t.width for t in inputs}
        width = widths.pop() if len(widths) == 1 else None
        yield Finding(
            "LL207",
            use.site,
            f"{display_name(use.name)} over dim 0 of a batched output ({describe_sites(layers, describe)}) normalises "
            f"each class over the samples of the batch, and the result {goes}: each sample's "
            "probabilities no longer sum to 1 and depend on the other samples; use the class dim (dim=1 or dim=-1)",
            related(layers, "classes made here"),
            width=width,
        )


RULE = Rule(
    code="LL207",
    name="softmax-over-batch",
    severity=Severity.WARNING,
    summary="softmax / log_softmax with dim=0 on a batched model output: normalised over the batch",
    doc="""\
## What it does
Flags `F.softmax`, `F.log_softmax`, `torch.softmax`, `x.softmax(...)`, `nn.Softmax` and
`nn.LogSoftmax` with `dim=0` applied to a batched model output, a layer's output of
rank 2 or more whose 2 or more classes are on another axis, when the result reaches a
loss or is returned from a model's `forward`.

## Why is this bad?
Dim 0 of a batched output is the batch: softmax over it normalises each class column
over the samples. A sample's probabilities no longer sum to 1 and depend on which other
samples share its batch; the loss trains the wrong thing, and predictions change with
the batch size.

Not flagged: a softmax over dim 0 of a 1-D tensor, or of a width-1 score (attention over
the items of a bag: `F.softmax(scores.squeeze(1), dim=0)`), and outputs whose rank or
class axis is not known.

## Example
```python
class Net(nn.Module):
    def forward(self, x):
        return F.log_softmax(self.fc(x), dim=0)   # (N, C): over the batch
```

## Fix
Normalise over the class dimension: `dim=1` (or `dim=-1` for a class-last output).
""",
    check=check,
)
