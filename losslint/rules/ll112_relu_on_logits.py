"""LL112: a ReLU as the last operation before a loss that expects raw logits."""

from typing import Iterator, List, Optional

from losslint.analysis.facts import Facts, tensors
from losslint.analysis.tables import CLASS_INDEX_LOSSES, LOGITS_LOSSES
from losslint.analysis.values import Kind, Site, Tensor
from losslint.rules.base import Describe, Finding, Rule, Severity, act_sites, describe_sites, loss_description, name_framework, related

RAW_LOGITS_LOSSES = LOGITS_LOSSES | frozenset({"cross_entropy"})
BCE = frozenset({"binary_cross_entropy"})


def _relu_outputs(value: Optional[List[Tensor]], facts: Facts) -> bool:
    """Every alternative is the whole output of a ReLU-like activation whose values are
    never negative (ReLU, ReLU6, clamp(min=0)), in every context."""
    return bool(value) and all(t.kind is Kind.RELU and t.act in facts.non_negative and not t.selected for t in value)  # type: ignore[union-attr]


def _sigmoid_of_relu(inputs: List[Tensor], facts: Facts) -> Optional[List[Site]]:
    """The ReLU sites when every alternative is a sigmoid applied, in every context, to
    non-negative ReLU outputs only."""
    found: set = set()
    for t in inputs:
        if t.kind is not Kind.SIGMOID or t.act is None or t.selected:
            return None
        before = tensors(facts.activation_inputs.get(t.act, frozenset()))
        if not _relu_outputs(before, facts):
            return None
        found |= set(act_sites(before or []))
    return sorted(found, key=lambda s: (s.path, s.ordinal))


def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
    for call in facts.loss_calls:
        inputs = call.inputs
        if not inputs or not call.families:
            continue
        if call.families <= RAW_LOGITS_LOSSES and _relu_outputs(inputs, facts):
            sites = act_sites(inputs)
            binary = not (call.families & CLASS_INDEX_LOSSES)
            effect = (
                "so no prediction can fall below 0.5: negatives are never learned"
                if binary
                else "so no class score can be pushed below 0 and a class whose ReLU is off gets no gradient"
            )
            yield Finding(
                "LL112",
                call.site,
                f"{loss_description(call, describe)} expects raw logits but receives ReLU outputs "
                f"({describe_sites(sites, describe)}), which are never negative, {effect}: "
                f"drop it (a {'Dense' if name_framework(call) == 'jax' else 'Linear'} layer's output is the logit)",
                related(sites, "ReLU applied here"),
            )
        elif call.families <= BCE:
            relus = _sigmoid_of_relu(inputs, facts)
            if relus:
                yield Finding(
                    "LL112",
                    call.site,
                    f"{loss_description(call, describe)} receives the sigmoid of ReLU outputs "
                    f"({describe_sites(relus, describe)}): the logits are never negative, so every prediction is at "
                    "least 0.5 and negatives are never learned: drop the ReLU before the sigmoid",
                    related(relus, "ReLU applied here"),
                )


RULE = Rule(
    code="LL112",
    name="relu-on-logits",
    severity=Severity.WARNING,
    summary="ReLU as the last operation before a loss that expects raw logits (or before the sigmoid of BCELoss)",
    doc="""\
## What it does
Flags a ReLU (`nn.ReLU`, `F.relu`, `torch.relu`, `x.relu()`, `nn.ReLU6`, `F.relu6`,
or `x.clamp(min=0)`) whose output goes straight into a loss that expects raw logits
(`CrossEntropyLoss`, `BCEWithLogitsLoss`, `MultiLabelSoftMarginLoss`), or into the
sigmoid whose output feeds `BCELoss`. Activations that can be negative (LeakyReLU, ELU,
GELU, SiLU...) are not flagged, nor a ReLU inside the network (followed by another
layer), nor regression losses.

## Why is this bad?
Logits range over all reals; a ReLU makes them non-negative. A binary model then
predicts `sigmoid(z) >= 0.5` for every sample: a negative target can never be learned,
and the loss of a negative sample never goes below log(2) = 0.693. A multi-class model
cannot push a wrong class below 0, and a class whose ReLU is off gets no gradient.

## Example
```python
head = nn.Sequential(nn.Linear(64, 1), nn.ReLU())
loss = nn.BCEWithLogitsLoss()(head(x), y)
```

## Fix
Drop the final ReLU: the output of the last `nn.Linear` is the logit.
""",
    check=check,
)
