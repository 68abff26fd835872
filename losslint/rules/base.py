"""What a rule is, what it produces, and the helpers the loss-input rules share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from losslint.analysis import tables as T
from losslint.analysis.facts import Facts, LossCall
from losslint.analysis.tables import display_name  # noqa: F401 - rules name calls with it
from losslint.analysis.values import Kind, Site, Tensor
from losslint.edits import Fix
from losslint.report import Severity  # noqa: F401 - every rule has one


@dataclass(frozen=True)
class Related:
    site: Site
    message: str


@dataclass(frozen=True)
class Finding:
    """A rule's verdict at a site; positions are resolved by the runner."""

    code: str
    site: Site
    message: str
    related: Tuple[Related, ...] = ()
    width: Optional[int] = None  # classes or units involved, for the finding's demo
    fix: Optional[Fix] = None
    no_fix: str = ""  # why no fix is offered, when a fixable rule offers none
    framework: Optional[str] = None  # "keras" when the loss is Keras's: its demo shows Keras's numbers


Describe = Callable[[Site], str]
"""How rules name a site in a message (``train.py:9 nn.Sigmoid()``); the runner provides
it and resolves positions only for the sites a message names."""

Check = Callable[[Facts, Describe], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Optional[Check]  # None for LL000, which the runner reports itself
    default: bool = True  # selected unless the user says otherwise
    prefilter: str = ""  # an opt-in rule: a regex that makes a file an entry point when it matches
    fix: str = ""  # "safe" or "unsafe" when the rule offers a fix (documentation; tests keep it true)
    reads: FrozenSet[str] = frozenset()  # the analysis's optional facts it reads (``observers.OPTIONAL_FACTS``): observed only for a selected rule that reads them


def framework(call: LossCall) -> Optional[str]:
    """The framework every family of the call belongs to ("torch", "keras"...), or None
    when they differ or the call has none (knowledge: a loss entry's ``framework``)."""
    found = {T.FAMILY_FRAMEWORKS.get(f, "torch") for f in call.families}
    return found.pop() if len(found) == 1 else None


def name_framework(call: LossCall) -> Optional[str]:
    """The framework of every loss the call may be, by the loss entries' ``framework``
    (an optax loss computes like a torch family: ``like``, but speaks JAX), or None."""
    found = {T.LOSS_NAME_FRAMEWORKS.get(name) for name in call.names}
    return found.pop() if len(found) == 1 else None


def finding_framework(call: LossCall) -> Optional[str]:
    """What a finding's ``framework`` is: set for the frameworks other than torch."""
    named = name_framework(call)
    if named is not None and named != "torch":
        return named
    found = framework(call)
    return found if found != "torch" else None


KERAS_NO_FIX = "no fix offered for Keras: the activation is often a layer's argument, which the fixer does not rewrite"


@dataclass(frozen=True)
class Variant:
    """A loss-input rule's check for another framework's families: its own message (the
    framework's advice), the least width its inputs must have, and its fix builder."""

    families: FrozenSet[str]
    message: str
    min_width: int = 0
    fix: Optional["FixBuilder"] = None
    no_fix: str = ""


def matching_inputs(call: LossCall, families: FrozenSet[str], kinds: FrozenSet[Kind]) -> Optional[List[Tensor]]:
    """The input's alternatives when the call is surely one of ``families`` and every
    alternative is a tensor whose kind is in ``kinds``; None otherwise."""
    inputs = call.inputs
    if inputs is None or not call.families or not call.families <= families:
        return None
    return inputs if all(t.kind in kinds for t in inputs) else None


def loss_description(call: LossCall, describe: Describe) -> str:
    """``CrossEntropyLoss``, plus where it was built when that is another file (a loss
    handed to a trainer defined elsewhere)."""
    elsewhere = sorted((s for s in call.created if s.path != call.site.path), key=site_order)
    if not elsewhere:
        return call.loss_name
    return f"{call.loss_name} (built at {describe_sites(elsewhere, describe)})"


def _shown_name(qualname: str) -> str:
    """A class as the code names it: ``Net``, not the ``Net#2`` that tells a second
    definition of the name apart (the sites say which)."""
    return qualname.split("#", 1)[0]


def describe_input(tensors: Iterable[Tensor], describe: Describe, kind_text: Optional[str] = None) -> str:
    """``the sigmoid output of Net (model.py:9 nn.Sigmoid())``."""
    tensors = list(tensors)
    kinds = sorted({t.kind.value for t in tensors if t.kind is not None})
    what = kind_text or " or ".join(kinds)
    sources = sorted({_shown_name(t.source) for t in tensors if t.source})
    if sources and any(not t.source for t in tensors):
        sources.append("other code")  # a model without a name of its own (keras.Sequential), a function
    text = what + (f" from {', '.join(sources[:-1])} and {sources[-1]}" if len(sources) > 1 else f" from {sources[0]}" if sources else "")
    sites = act_sites(tensors)
    if sites:
        text += f" ({describe_sites(sites, describe)})"
    return text


def act_sites(tensors: Iterable[Tensor]) -> List[Site]:
    """Where the alternatives got their kind (the activation, or the creating call), once
    each, in file order."""
    return sorted({t.act for t in tensors if t.act is not None}, key=site_order)


def layer_sites(tensors: Iterable[Tensor]) -> List[Site]:
    """The layers that fixed the alternatives' width, once each, in file order."""
    return sorted({t.layer for t in tensors if t.layer is not None}, key=site_order)


def describe_sites(sites: Iterable[Site], describe: Describe) -> str:
    return "; ".join(describe(s) for s in sites)


def related(sites: Iterable[Site], message: str) -> Tuple[Related, ...]:
    return tuple(Related(s, message) for s in sites)


def related_sites(tensors: Iterable[Tensor], message: str) -> Tuple[Related, ...]:
    return related(act_sites(tensors), message)


FixBuilder = Callable[[LossCall, Facts, Describe, Callable[[LossCall], bool]], Tuple[Optional[Fix], str]]
"""Builds a loss-input finding's fix; the predicate tells which other loss calls the
same rule flags (a fix may have to change them too). Returns (fix, why not)."""


def loss_input_rule(
    code: str,
    families: FrozenSet[str],
    kinds: FrozenSet[Kind],
    message: str,
    related: str,
    fix: Optional[FixBuilder] = None,
    whole_output: bool = False,
    variant: Optional[Variant] = None,
    framework_messages: Tuple[Tuple[str, str], ...] = (),
) -> Check:
    """A check for "this loss must not receive these kinds". ``message`` may use
    ``{loss}`` and ``{input}``; it fires only when every alternative matches (and, with
    ``whole_output``, when no alternative is units indexed out of the activation's
    output, such as one column of a softmax). ``variant``: the same check for another
    framework's families, with that framework's message and fix. ``framework_messages``:
    (framework, message) for losses of the same families from another framework (optax's
    losses, ``like`` torch's), whose advice names that framework's functions."""

    def matching(call: LossCall) -> Optional[List[Tensor]]:
        inputs = matching_inputs(call, families, kinds)
        if inputs is None and variant is not None:
            inputs = matching_inputs(call, variant.families, kinds)
            if inputs and variant.min_width and not all(t.width is not None and t.width >= variant.min_width for t in inputs):
                return None
        if inputs and whole_output and any(t.selected for t in inputs):
            return None
        return inputs

    def flagged(call: LossCall) -> bool:
        return bool(matching(call))

    def check(facts: Facts, describe: Describe) -> Iterator[Finding]:
        for call in facts.loss_calls:
            inputs = matching(call)
            if inputs:
                other = variant is not None and bool(call.families) and call.families <= variant.families
                template, builder = (variant.message, variant.fix) if other and variant else (message, fix)
                if not other:
                    template = dict(framework_messages).get(name_framework(call) or "", template)
                text = template.format(loss=loss_description(call, describe), input=describe_input(inputs, describe))
                widths = {t.width for t in inputs}
                width = widths.pop() if len(widths) == 1 else None
                offered, why_not = builder(call, facts, describe, flagged) if builder is not None else (None, "")
                if other and variant and builder is None:
                    why_not = variant.no_fix
                yield Finding(code, call.site, text, related_sites(inputs, related), width, offered, why_not, finding_framework(call))

    return check


def site_order(site: Site) -> Tuple[str, int]:
    """Sort key for sites: file, then position in the file."""
    return (site.path, site.ordinal)
