"""Facts the analysis hands to the rules. Rules read these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from losslint.analysis.values import AbsVal, Bound, Cause, Site, Tensor, Unknown


def tensors(value: AbsVal) -> Optional[List[Tensor]]:
    """Every alternative as a tensor (of any kind), or None if any one is not."""
    found = [a for a in value if isinstance(a, Tensor)]
    return found if value and len(found) == len(value) else None


def known_tensors(value: AbsVal) -> Optional[List[Tensor]]:
    """Every alternative as a tensor of known kind, or None if any one is not."""
    found = tensors(value)
    return found if found is not None and all(t.kind is not None for t in found) else None


def unknown_reasons(value: AbsVal) -> Tuple[Tuple[Cause, str], ...]:
    """(cause, reason) of the unknown alternatives, most telling cause first. A method or
    attribute of an unknown value (``model(**batch).logits``) keeps that value's cause."""
    reasons = set()
    for a in value:
        while isinstance(a, Bound) and isinstance(a.receiver, (Unknown, Bound)):
            a = a.receiver
        if isinstance(a, Unknown):
            reasons.add((a.cause, a.reason))
        elif not isinstance(a, Tensor) or a.kind is None:
            reasons.add((Cause.OTHER, "input is not a tensor of known kind"))
    order = list(Cause)
    return tuple(sorted(reasons, key=lambda r: (order.index(r[0]), r[1])))


@dataclass(frozen=True)
class LossCall:
    """A call of a loss, joined over every context the analysis reached it in."""

    site: Site
    families: FrozenSet[str]
    input: AbsVal
    target: AbsVal
    complete: bool  # False when the callee may also be something other than a loss
    names: FrozenSet[str]  # what messages call the losses (a user's loss: its own name)

    autocast: bool = False  # every context runs it under CUDA autocast
    created: FrozenSet[Site] = frozenset()  # where the loss modules called here were built

    @property
    def targets(self) -> Optional[List[Tensor]]:
        """The target's alternatives when each is a tensor (of any kind) and the callee is
        surely a loss; None otherwise."""
        return tensors(self.target) if self.complete else None

    @property
    def input_tensors(self) -> Optional[List[Tensor]]:
        """Like ``targets``, for the input: shapes can be known when kinds are not."""
        return tensors(self.input) if self.complete else None

    @property
    def loss_name(self) -> str:
        return " / ".join(sorted(self.names))

    @property
    def inputs(self) -> Optional[List[Tensor]]:
        """The input's alternatives when each is a tensor of known kind and the callee is
        surely a loss; None otherwise (then no rule may fire)."""
        return known_tensors(self.input) if self.complete else None

    @property
    def unresolved(self) -> Optional[Tuple[Cause, str]]:
        """Why the input's kind is not known (the most telling cause, in words), or None."""
        if not self.complete:
            return Cause.DYNAMIC_DISPATCH, "the called object may be something other than a loss"
        if self.inputs is not None:
            return None
        reasons = unknown_reasons(self.input)
        return reasons[0] if reasons else (Cause.OTHER, "input unknown")

    @property
    def unresolved_reason(self) -> Optional[str]:
        found = self.unresolved
        return found[1] if found is not None else None

    @property
    def unresolved_category(self) -> Optional[str]:
        found = self.unresolved
        return found[0].value if found is not None else None


@dataclass(frozen=True)
class ActivationUse:
    """A softmax-like activation applied to a value, joined over contexts."""

    site: Site  # the activation: ``nn.Softmax(dim=1)`` or the ``F.softmax(...)`` call
    name: str
    dim: Any  # the literal dim, MISSING, or None when not a literal
    input: AbsVal


@dataclass(frozen=True)
class ImplicitDim:
    """A softmax-like call or layer constructed without ``dim``."""

    site: Site
    name: str


@dataclass(frozen=True)
class Accumulation:
    """``total += value`` (or ``total = total + value``) inside a loop."""

    site: Site
    name: str
    losses: FrozenSet[Site]  # the loss calls whose results are accumulated
    only_losses: bool  # in every context, every alternative of the added value is a loss tensor
    outlives_iteration: bool  # the name exists before the loop
    under_no_grad: bool  # some context runs it with gradients off
    feeds_backward: bool  # the accumulator is later passed to a backward call
    loop_backward: bool  # the loop already backpropagates each iteration's loss
    escapes: bool  # the accumulator leaves its function: returned, stored, appended
    returned_unused: bool = False  # returned only, to analysed callers none of which may backpropagate it


@dataclass(frozen=True)
class LogOf:
    """A ``torch.log`` / ``.log()`` call and its input, joined over contexts."""

    site: Site
    input: AbsVal


@dataclass(frozen=True)
class HandWrittenBCE:
    """``y * log(p) + (1 - y) * log(1 - p)`` written out: ``site`` is ``log(p)``."""

    site: Site


@dataclass(frozen=True)
class Use:
    """A place an activation's output is consumed (other than flowing on unchanged).

    ``site`` is None when the place has no position (a loop over the tensor, a function
    returning it to callers the analysis does not see)."""

    site: Optional[Site]
    what: str  # ``argmax``, ``F.cross_entropy``, ``comparison``...
    preserving: bool  # gives the same result on the activation's input (argmax, shape)
    loss: bool = False  # a loss call
    along: Any = None  # argmax-like uses: the literal dim, "all" without one, "?" unknown


class Form:
    """How an activation is applied, which decides how a fix rewrites it."""

    FUNCTION = "function"  # F.softmax(x, dim=1), torch.sigmoid(x)
    METHOD = "method"  # x.softmax(1)
    LAYER_CALL = "layer call"  # self.act(x), with self.act = nn.Softmax(dim=1)
    SEQUENCE_ITEM = "sequence item"  # nn.Sequential(..., nn.Softmax(dim=1))


@dataclass
class Facts:
    """Everything the analysis learned about a set of files."""

    loss_calls: List[LossCall]
    activations: List[ActivationUse]
    implicit_dims: List[ImplicitDim]
    accumulations: List[Accumulation]
    logs: List[LogOf]
    hand_written_bce: List[HandWrittenBCE]
    uses: Dict[Site, FrozenSet[Use]] = field(default_factory=dict)  # by activation origin
    forms: Dict[Site, Tuple[str, Site]] = field(default_factory=dict)  # origin -> (Form, activation site)
    # calls of the elementwise losses (MSELoss, L1Loss, SmoothL1Loss, HuberLoss): their
    # input and target, for LL303. Not in ``loss_calls``: no rule checks their input's
    # kind, so they are neither resolved nor unresolved (README: what counts as checked)
    regression_calls: List[LossCall] = field(default_factory=list)
    non_negative: FrozenSet[Site] = frozenset()  # activation sites whose output is >= 0 in every context
    activation_inputs: Dict[Site, AbsVal] = field(default_factory=dict)  # activations without dim: their input
    # loss calls a library makes from one argument of a call (Keras's compile(loss=...)):
    # the call's site -> (position, keyword) of that argument, where findings point
    argument_sites: Dict[Site, Tuple[int, str]] = field(default_factory=dict)
