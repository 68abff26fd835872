"""LL107: a binary (per-unit) loss receives softmax output."""

from losslint.analysis.values import Kind
from losslint.rules.base import Rule, Severity, loss_input_rule

RULE = Rule(
    code="LL107",
    name="softmax-into-binary-loss",
    severity=Severity.WARNING,
    summary="BCELoss / BCEWithLogitsLoss receives softmax output",
    doc="""\
## What it does
Flags `BCELoss` / `BCEWithLogitsLoss` whose input is a softmax output.

## Why is this bad?
The binary losses treat each unit as an independent yes/no question; softmax makes the
units compete (they sum to 1), so two labels can never both be near 1. With
BCEWithLogitsLoss a sigmoid is also applied on top of the softmax. It runs without error.

## Example
```python
out = torch.softmax(self.fc(h), dim=1)
loss = F.binary_cross_entropy(out, multi_hot)
```

## Fix
For independent labels use raw logits with `BCEWithLogitsLoss`; for exactly one class
per sample use `CrossEntropyLoss` on raw logits.
""",
    check=loss_input_rule(
        "LL107",
        frozenset({"binary_cross_entropy", "binary_cross_entropy_with_logits"}),
        frozenset({Kind.SOFTMAX}),
        "{loss} scores each unit independently but receives {input}: use raw logits "
        "with BCEWithLogitsLoss, or CrossEntropyLoss for one class per sample",
        "softmax applied here",
        whole_output=True,  # one column of a 2-way softmax is a sigmoid: a fine BCE input
    ),
)
