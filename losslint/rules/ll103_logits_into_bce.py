"""LL103: BCELoss receives values that are not probabilities."""

from losslint.analysis.values import Kind, NOT_IN_UNIT_INTERVAL
from losslint.rules.base import KERAS_NO_FIX, Rule, Severity, Variant, loss_input_rule
from losslint.rules.fixes import LossFix, TO_BCE_WITH_LOGITS

RULE = Rule(
    code="LL103",
    name="logits-into-bce",
    severity=Severity.ERROR,
    summary="BCELoss receives values not in [0, 1]: raw logits, or relu/tanh/linear outputs",
    doc="""\
## What it does
Flags `BCELoss` / `F.binary_cross_entropy` whose input is raw logits, a ReLU or tanh
output, log-probabilities, or a literal with values outside [0, 1].

In Keras: a linear output into `binary_crossentropy` with `from_logits=False` (the
default): Keras raises nothing but clips the values to [1e-7, 1 - 1e-7].

## Why is this bad?
BCELoss takes probabilities. On values outside [0, 1] torch raises
`RuntimeError: all elements of input should be between 0 and 1` (a device-side assert
on CUDA) as soon as one value leaves the interval.

## Example
```python
model = nn.Sequential(nn.Linear(20, 1))
loss = nn.BCELoss()(model(x), y)
```

## Fix
Keep the logits and use `BCEWithLogitsLoss`, which applies the sigmoid itself, stably.
""",
    check=loss_input_rule(
        "LL103",
        frozenset({"binary_cross_entropy"}),
        NOT_IN_UNIT_INTERVAL,
        "{loss} needs probabilities in [0, 1] but receives {input}; torch raises "
        "'all elements of input should be between 0 and 1': use BCEWithLogitsLoss on the logits",
        "values produced here",
        LossFix("Use BCEWithLogitsLoss: it applies the sigmoid", rename_loss=TO_BCE_WITH_LOGITS, only_kinds=frozenset({Kind.LOGITS})),
        variant=Variant(
            frozenset({"keras_binary_crossentropy"}),
            "{loss} (from_logits=False) needs probabilities in [0, 1] but receives {input}; Keras clips them to "
            "[1e-7, 1 - 1e-7], so the loss is wrong and no gradient flows for values outside: set from_logits=True",
            no_fix=KERAS_NO_FIX,
        ),
    ),
    fix="unsafe",
)
