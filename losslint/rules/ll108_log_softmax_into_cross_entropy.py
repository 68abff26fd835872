"""LL108: log_softmax before CrossEntropyLoss is redundant (opt-in)."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule
from losslint.rules.fixes import LossFix, REMOVE

RULE = Rule(
    code="LL108",
    name="log-softmax-into-cross-entropy",
    severity=Severity.INFO,
    summary="log_softmax before CrossEntropyLoss: redundant",
    doc="""\
## What it does
Flags `CrossEntropyLoss` whose input is already `log_softmax` output.

## Why is this bad?
It is not wrong: log_softmax is idempotent, so the loss and gradients are the same.
It is wasted work and misleads readers into thinking the model returns logits.

## Example
```python
loss = F.cross_entropy(F.log_softmax(logits, dim=1), y)
```

## Fix
Pass the logits, or keep the log_softmax and use `NLLLoss`.
""",
    check=loss_input_rule(
        "LL108",
        frozenset({"cross_entropy"}),
        frozenset({Kind.LOG_SOFTMAX}),
        "{loss} receives {input}; it applies log_softmax itself, so this one is redundant: "
        "pass the logits, or use NLLLoss",
        "log_softmax applied here",
        LossFix("Remove the log_softmax: the loss applies it", activation=REMOVE, safe_outside_models=True),
        framework_messages=(("jax", "{loss} receives {input}; it applies log_softmax itself, so this one is redundant: pass the logits"),),
    ),
    default=False,
    fix="safe/unsafe",
)
