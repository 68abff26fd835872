"""LL502: one-hot targets into a sparse categorical loss, or class indices into a categorical one."""

from typing import Iterator, List, Optional

from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.tables import KERAS_CATEGORICAL_LOSSES, KERAS_SPARSE_LOSSES
from losslint.analysis.values import Axis, Tensor
from losslint.rules.base import Describe, Finding, Rule, Severity, act_sites, describe_sites, finding_framework, related


def _output_rank(call: LossCall) -> Optional[int]:
    """The rank of an output with a class axis (the last, C >= 2 wide); 0 when the rank
    is not known (a Keras output with a class axis has at least 2: (N, C)); None when the
    output has no known class axis."""
    inputs = call.input_tensors
    if not inputs or not all(t.axis is Axis.LAST and t.width is not None and t.width >= 2 for t in inputs):
        return None
    ranks = {t.rank for t in inputs}
    if len(ranks) != 1:
        return None
    rank = ranks.pop()
    return 0 if rank is None else rank


def _one_hot(targets: List[Tensor], rank: int) -> bool:
    """Rows of C >= 2 values along the last axis, as many axes as the output (an output of
    unknown rank: the (N, C) of to_categorical on (N,) labels). Never integers: (N, L)
    class indices of a sequence model are what its sparse loss takes, and an output whose
    rank is not known may well be (N, L, C)."""
    return all(
        t.rank == (rank or 2) and t.axis is Axis.LAST and t.width is not None and t.width >= 2 and t.dtype != "int"
        for t in targets
    )


def _indices(targets: List[Tensor], rank: int) -> bool:
    """One axis fewer than the output: a class index per sample (an output of unknown
    rank: (N,) labels)."""
    return all(t.rank is not None and t.rank == (rank - 1 if rank else 1) for t in targets)


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        targets = call.targets
        rank = _output_rank(call)
        if not targets or rank is None or rank == 1 or not call.families:
            continue
        sites = act_sites(targets)
        where = f" ({describe_sites(sites, describe)})" if sites else ""
        if call.families <= KERAS_SPARSE_LOSSES and _one_hot(targets, rank):
            text = (
                f"{call.loss_name} takes class indices (one per sample) but its targets are one-hot rows{where}: "
                "Keras raises a shape error: use categorical_crossentropy for one-hot targets, or pass the class indices"
            )
        elif call.families <= KERAS_CATEGORICAL_LOSSES and _indices(targets, rank):
            text = (
                f"{call.loss_name} takes one-hot targets shaped like the output but its targets are class indices{where}: "
                "Keras raises a shape error: use sparse_categorical_crossentropy, or one-hot encode the targets "
                "(keras.utils.to_categorical)"
            )
        else:
            continue
        yield Finding("LL502", call.site, text, related(sites, "targets made here"), framework=finding_framework(call))


RULE = Rule(
    code="LL502",
    name="sparse-categorical-mismatch",
    severity=Severity.ERROR,
    summary="one-hot targets into sparse_categorical_crossentropy, or class indices into categorical_crossentropy",
    doc="""\
## What it does
Flags a Keras `sparse_categorical_crossentropy` whose targets are one-hot rows (from
`keras.utils.to_categorical`), and a `categorical_crossentropy` whose targets are class
indices (one integer per sample, as `keras.datasets.mnist.load_data()` gives), where the
analysis knows both the loss and the targets (`model.fit(x, y)` after
`model.compile(loss=...)`, or a loss called in a training loop).

## Why is this bad?
The sparse loss takes targets of the output's shape without its class axis; the
categorical one takes targets of exactly the output's shape. Mixed up, Keras raises a
shape error at the first batch (older tf.keras may broadcast and train on nonsense when
the batch size happens to equal the number of classes).

## Example
```python
(x_train, y_train), _ = keras.datasets.mnist.load_data()
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x_train, y_train)
```

## Fix
Use the loss that matches the targets (`sparse_categorical_crossentropy` for class
indices), or convert the targets (`keras.utils.to_categorical(y_train, 10)`). No
automatic fix: which side to change is the author's choice.
""",
    check=check,
)
