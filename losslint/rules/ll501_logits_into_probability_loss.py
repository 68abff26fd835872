"""LL501: a Keras (sparse) categorical cross-entropy with from_logits=False receives raw logits."""

from typing import Callable, Optional, Tuple

from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.values import Kind
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, Rule, Severity, describe_sites, loss_input_rule, site_order

NOT_PROBABILITIES = frozenset({Kind.LOGITS, Kind.LOG_SOFTMAX, Kind.LOGSIGMOID, Kind.TANH, Kind.UNBOUNDED})



def from_logits_fix(
    call: LossCall, facts: Facts, describe: Describe, flagged: Callable[[LossCall], bool]
) -> Tuple[Optional[Fix], str]:
    """``from_logits=True`` on the loss objects the call uses, when every call of them is
    flagged (a string or a function has no object to change)."""
    if not call.created:
        return None, "no fix offered: the loss is a string or a function; pass the loss object with from_logits=True"
    for other in facts.loss_calls:
        if other.created & call.created and not flagged(other):
            return None, f"no fix offered: the same loss object is also called at {describe(other.site)}, which this rule does not flag"
    created = sorted(call.created, key=site_order)
    edits = tuple(Edit(site, Action.SET_TRUE, "from_logits") for site in created)
    return Fix(f"Set from_logits=True: the loss applies the softmax itself ({describe_sites(created, describe)})", edits, False), ""


RULE = Rule(
    code="LL501",
    name="logits-into-probability-loss",
    severity=Severity.ERROR,
    summary="Keras categorical_crossentropy / sparse_categorical_crossentropy with from_logits=False receives raw logits",
    doc="""\
## What it does
Flags a Keras `categorical_crossentropy` / `sparse_categorical_crossentropy` (a string in
`compile(loss=...)`, a `CategoricalCrossentropy()` / `SparseCategoricalCrossentropy()`
object or the function) left at its default `from_logits=False` whose input is a linear
output: raw logits (a `Dense(10)` without activation), log-probabilities or tanh values.

## Why is this bad?
With `from_logits=False` Keras takes the input for probabilities: it divides each row by
its sum and clips it to [1e-7, 1 - 1e-7] before the log. Logits are not probabilities: a
row with negative values has a meaningless (even negative) sum, clipped entries get no
gradient, and the loss the model minimises is not the cross-entropy. Nothing raises: the
model trains badly or not at all.

## Example
```python
model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
```

## Fix
Keep the linear output and tell the loss: `loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)`
(the numerically stable form), or end the model with `activation="softmax"`. The unsafe
fix sets `from_logits=True` on a loss object (not on a string or a function) when every
call of that object is flagged: the model's own output is unchanged, what the loss
computes changes.
""",
    check=loss_input_rule(
        "LL501",
        frozenset({"keras_categorical_crossentropy", "keras_sparse_categorical_crossentropy"}),
        NOT_PROBABILITIES,
        "{loss} expects probabilities (from_logits=False) but receives {input}; Keras normalises them by their sum "
        "and clips them, so the loss is garbage for negative values: set from_logits=True, or end the model with a softmax",
        "values produced here",
        from_logits_fix,
    ),
    fix="unsafe",
)
