"""LL204: a BCE-family loss on a C-wide output with 1-D (class index) targets."""

from typing import Iterator

from losslint.analysis.facts import Facts
from losslint.rules.base import Describe, Finding, Rule, Severity, describe_sites, layer_sites, related
from losslint.rules.ll203_binary_loss_shape_mismatch import BINARY, torch_error


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        inputs, targets = call.input_tensors, call.targets
        if not inputs or not targets or not call.families <= BINARY:
            continue
        widths = {t.width for t in inputs}
        if len(widths) != 1:
            continue
        (width,) = widths
        # an output of unknown rank may be one sample's, (C,), and a 1-D target of C values its
        # multi-hot vector: only a batched output, rank 2 or more, proves class indices
        if width is None or width < 2 or any(t.rank is None or t.rank < 2 for t in inputs):
            continue
        if all(t.rank == 1 for t in targets):
            layers = layer_sites(inputs)
            yield Finding(
                "LL204",
                call.site,
                f"{call.loss_name} scores {width} independent outputs ({describe_sites(layers, describe)}) but gets a 1-D target, "
                f"class indices of shape (N,); torch raises {torch_error(call, 'N', f'N, {width}')}: "
                f"use CrossEntropyLoss for one class per sample, or one-hot targets "
                f"(`F.one_hot(y, {width}).float()`)",
                related(layers, f"layer with {width} outputs"),
                width=width,
            )


RULE = Rule(
    code="LL204",
    name="binary-loss-on-class-indices",
    severity=Severity.ERROR,
    summary="BCE family on a C-wide output (C >= 2) with class-index targets",
    doc="""\
## What it does
Flags `BCELoss` / `BCEWithLogitsLoss` on a batched model output (its rank is known to
be 2 or more) with C >= 2 units whose target is one-dimensional: class indices `(N,)`
rather than one value per unit `(N, C)`. An output of unknown rank may be one sample's,
`(C,)`, with a multi-hot target of its shape: not flagged.

## Why is this bad?
The binary losses compare each output unit with its own target value, so the target
must have the output's shape. torch raises `ValueError: Target size (torch.Size([N]))
must be the same as input size (torch.Size([N, C]))`. The usual cause is a multi-class
problem set up with a binary loss.

## Example
```python
model = nn.Linear(64, 10)
y = torch.randint(0, 10, (32,))
loss = nn.BCEWithLogitsLoss()(model(x), y.float())
```

## Fix
For one class per sample use `nn.CrossEntropyLoss()(model(x), y)`; for multi-label
targets pass `(N, C)` floats, e.g. `F.one_hot(y, 10).float()`.
""",
    check=check,
)
