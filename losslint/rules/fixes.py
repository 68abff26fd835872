"""The fixes loss-input rules offer, decided from the facts.

A fix must keep right every place the analysis saw the changed values go. An activation
is removed (or turned into log_softmax) only when every other use of its output gives
the same result afterwards (argmax along the softmax's own dim, shape queries) and every
loss it feeds is one the same rule flags; a loss module is renamed only when every call
of it is flagged. Whatever else would change makes the fix unavailable, and the finding
says where. What the analysis cannot see (code outside the linted files calling the
model) is why such fixes are unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple

from losslint.analysis.facts import ActivationUse, Facts, Form, LossCall, Use
from losslint.analysis.values import Kind, Site, Tensor
from losslint.edits import Action, Edit, Fix
from losslint.rules.base import Describe, site_order

REMOVE = "remove"
TO_LOG_SOFTMAX = "log_softmax"

Renames = Tuple[Tuple[str, str], ...]
"""(name in the code, qualified name of the replacement): the fixer renames a callee
whose last name is the first, importing the second when the callee is a bare name."""

LOG_SOFTMAX_FUNCTION: Renames = (("softmax", "torch.nn.functional.log_softmax"),)
LOG_SOFTMAX_LAYER: Renames = (("Softmax", "torch.nn.LogSoftmax"),)
TO_BCE_WITH_LOGITS: Renames = (
    ("BCELoss", "torch.nn.BCEWithLogitsLoss"),
    ("binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits"),
)
TO_CROSS_ENTROPY: Renames = (
    ("NLLLoss", "torch.nn.CrossEntropyLoss"),
    ("nll_loss", "torch.nn.functional.cross_entropy"),
)


class _Unavailable(Exception):
    """Raised while building a fix that cannot keep every use right; says why."""


@dataclass(frozen=True)
class LossFix:
    """What a loss-input rule's fix changes; called as the rule's fix builder."""

    message: str
    activation: Optional[str] = None  # REMOVE it, or turn it TO_LOG_SOFTMAX
    rename_loss: Renames = ()
    only_kinds: FrozenSet[Kind] = frozenset()  # offered only when every input is one of these
    safe_outside_models: bool = False  # safe when no input leaves a model's forward

    def __call__(
        self, call: LossCall, facts: Facts, describe: Describe, flagged: Callable[[LossCall], bool]
    ) -> Tuple[Optional[Fix], str]:
        try:
            return self._build(call, facts, describe, flagged), ""
        except _Unavailable as reason:
            return None, str(reason)

    def _build(self, call: LossCall, facts: Facts, describe: Describe, flagged: Callable[[LossCall], bool]) -> Fix:
        calls = {c.site: c for c in facts.loss_calls}
        by_act: Dict[Site, List[Site]] = {}
        for origin, (_, act) in facts.forms.items():
            by_act.setdefault(act, []).append(origin)
        group: Dict[Site, LossCall] = {call.site: call}
        queue = [call]
        origins: Set[Site] = set()
        kept: Set[Use] = set()
        creations: Set[Site] = set()
        from_models = False

        def join_group(other_site: Site, why: str) -> None:
            other = calls.get(other_site)
            if other is None or not flagged(other):
                raise _Unavailable(f"no fix offered: {why} {describe(other_site)}, which this rule does not flag")
            if other_site not in group:
                group[other_site] = other
                queue.append(other)

        while queue:
            current = queue.pop()
            inputs = current.inputs or []
            if self.only_kinds and any(t.kind not in self.only_kinds for t in inputs):
                raise _Unavailable("")
            from_models = from_models or any(t.source for t in inputs)
            if self.activation is not None:
                pending = [(t.origin, t.kind) for t in inputs]
                while pending:
                    origin, kind = pending.pop()
                    if origin is None or kind is None:
                        raise _Unavailable("no fix offered: the activation is applied where the analysis cannot locate it")
                    if origin not in facts.forms:  # softmin, hardsigmoid (knowledge: rewritable = false)
                        raise _Unavailable("no fix offered: the activation is not the plain sigmoid or softmax a fix can remove or turn into its log form")
                    if origin in origins:
                        continue
                    origins.add(origin)
                    form, act = facts.forms[origin]
                    if self.activation == TO_LOG_SOFTMAX and form == Form.LAYER_CALL:
                        # renaming the layer changes every call of it
                        pending.extend((sibling, kind) for sibling in by_act.get(act, ()))
                    for use in sorted(facts.uses.get(origin, ()), key=_use_order):
                        if use.loss and use.site is not None:
                            join_group(use.site, "the activation's output also feeds")
                        elif _keeps(use, origin, kind, facts):
                            kept.add(use)
                        elif use.site is not None:
                            raise _Unavailable(
                                f"no fix offered: the activation's output is also used at {describe(use.site)}, "
                                "which the change would alter"
                            )
                        else:
                            raise _Unavailable(f"no fix offered: the activation's output is also {use.what}, which the change would alter")
            if self.rename_loss:
                if current.created:
                    for created in current.created:
                        creations.add(created)
                        for other in calls.values():
                            if created in other.created:
                                join_group(other.site, "the same loss object is also called at")
                else:
                    creations.add(current.site)
        edits = [Edit(site, Action.RENAME, self.rename_loss) for site in creations]
        edits += [self._activation_edit(origin, facts) for origin in origins]
        unique = tuple(sorted(set(edits), key=lambda e: site_order(e.site)))
        text = self.message
        changed = sorted({e.site for e in unique}, key=site_order)
        text += " (" + "; ".join(describe(site) for site in changed) + ")"
        if kept:
            places = sorted({describe(u.site) for u in kept if u.site is not None})
            if places:
                text += f"; unchanged there: {', '.join(places)}"
        safe = self.safe_outside_models and not from_models
        return Fix(text, unique, safe)

    def _activation_edit(self, origin: Site, facts: Facts) -> Edit:
        form, act = facts.forms[origin]
        if self.activation == REMOVE:
            if form == Form.SEQUENCE_ITEM:
                return Edit(origin, Action.REMOVE_ITEM)
            return Edit(origin, Action.UNWRAP, form)
        if form in (Form.FUNCTION, Form.METHOD):
            return Edit(origin, Action.RENAME, LOG_SOFTMAX_FUNCTION)
        return Edit(act, Action.RENAME, LOG_SOFTMAX_LAYER)


def _use_order(use: Use) -> Tuple[str, int, str]:
    site = use.site
    return (site.path, site.ordinal, use.what) if site is not None else ("", -1, use.what)


def _keeps(use: Use, origin: Site, kind: Kind, facts: Facts) -> bool:
    """Whether ``use`` gives the same result once the activation is removed or turned
    into log_softmax: shape queries always; argmax-like calls for an elementwise
    sigmoid, and for a softmax along its own dim only."""
    if not use.preserving:
        return False
    if use.along is None or kind is Kind.SIGMOID:
        return True
    _, act = facts.forms[origin]
    activation = _activation(facts, act)
    if activation is None or not isinstance(use.along, int) or not isinstance(activation.dim, int):
        return False
    ranks = {t.rank for t in activation.input if isinstance(t, Tensor)}
    rank = ranks.pop() if len(ranks) == 1 else None
    if isinstance(rank, int) and rank > 0:
        return use.along % rank == activation.dim % rank
    return use.along == activation.dim


def _activation(facts: Facts, site: Site) -> Optional[ActivationUse]:
    for use in facts.activations:
        if use.site == site:
            return use
    return None
