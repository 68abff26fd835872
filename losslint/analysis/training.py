"""Models trained by the library: a loss given to ``compile`` applies to the model's
output on every ``fit``; layers that apply the activation an argument names; models
built from a list of layers or from the values their layers computed (Keras's
``Sequential([...])``, ``Model(inputs, outputs)``). Which callees and methods these are
is data (``[container]``, ``[training.*]``, ``[layer.activation]``, ``[activation.names]``);
this module is the code for those effects."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from losslint.analysis import tables as T
from losslint.analysis.engine.expressions import _splice
from losslint.analysis.engine.state import Args, Context, accumulate_loss
from losslint.analysis.values import (
    AbsVal,
    Atom,
    Cause,
    Class,
    Const,
    Function,
    Graph,
    Instance,
    Kind,
    Loss,
    Mapping,
    PartSite,
    QualRef,
    Sequence,
    Site,
    Tensor,
    Unknown,
    const_value,
    join,
    of,
    ordered,
    unknown,
)

UNKNOWN_ACTIVATION = "?"


def layer_activation(name: str, args: Args) -> Any:
    """The activation a layer's argument names: a Kind, None for linear (or not given),
    UNKNOWN_ACTIVATION when the analysis cannot tell."""
    position, keyword = T.LAYER_ACTIVATIONS[name]
    given = args.get(position, (keyword,))
    if given is None:
        return UNKNOWN_ACTIVATION if args.open else None
    kinds = {_activation_kind(a) for a in given}
    return kinds.pop() if len(kinds) == 1 else UNKNOWN_ACTIVATION


def _activation_kind(atom: Atom) -> Any:
    if isinstance(atom, Const):
        if atom.value is None:
            return None
        found = T.ACTIVATION_NAMES.get(atom.value) if isinstance(atom.value, str) else None
        return UNKNOWN_ACTIVATION if found is None else (None if found is Kind.LOGITS else found)
    if isinstance(atom, QualRef):
        name = T.canonical(atom.name)
        if name in T.ACTIVATION_FUNCTIONS:
            return T.ACTIVATION_FUNCTIONS[name].kind
        found = T.ACTIVATION_NAMES.get(name)
        if found is not None:
            return None if found is Kind.LOGITS else found
    return UNKNOWN_ACTIVATION


def _given(argument: Optional[T.Keyword], args: Args) -> Any:
    """What a loss is given for ``argument``: the value; False when the loss has no such
    argument or is not given it; None when ``*args`` or ``**kwargs`` may hold it."""
    if argument is None:
        return False
    given = args.get(argument.position, (argument.keyword,))
    if given is None:
        return None if args.open else False
    return given


def from_logits(callee: str, args: Args) -> Optional[bool]:
    """The literal a loss's from_logits switch is given (False when not given), None when
    it is not a literal."""
    given = _given(T.FROM_LOGITS.get(callee), args)
    if given is None or given is False:
        return given
    value = const_value(given, None)
    return value if isinstance(value, bool) else None


def float_target(callee: str, args: Args) -> Optional[bool]:
    """Whether the loss is given the argument with which it makes its target a float
    itself (smp's ``SoftBCEWithLogitsLoss(smooth_factor=0.1)`` smooths it with float
    arithmetic): True when given a value other than None, None when that is not known."""
    given = _given(T.FLOAT_TARGET.get(callee), args)
    if given is None or given is False:
        return given
    if all(isinstance(a, Const) and a.value is None for a in given):
        return False
    return True if all(isinstance(a, Const) for a in given) else None


def switched_families(callee_family: str, callee: str, logits: Optional[bool]) -> Tuple[set, str]:
    """The families a call of ``callee`` may compute, and the suffix its display gets."""
    switch = T.FROM_LOGITS.get(callee)
    if switch is None or logits is False:
        return {callee_family}, ""
    if logits is True:
        return {switch.family}, " (from_logits=True)"
    return {callee_family, switch.family}, " (from_logits not known)"


class TrainingEffects:
    """Library-trained models, as methods of the interpreter."""

    def start_training(self) -> None:
        self.compiled: Dict[Atom, list] = {}  # model -> [(compile site, loss value)]
        self.fitted: set = set()  # compile sites a fit has given targets to
        self.argument_sites: Dict[Site, Tuple[int, str]] = {}  # compile sites -> where their loss argument is

    def layer_list(self, args: Args, site: Site) -> AbsVal:
        """``Sequential([layer, ...])`` / ``Sequential(layers=[...])`` / ``Sequential()``."""
        given = args.get(0, ("layers",))
        if given is None:
            return of(Sequence((), "sequential", args.open, site))
        found = []
        for atom in ordered(given):
            spliced = _splice(of(atom))
            if spliced is None:
                found.append(Sequence((), "sequential", True, site))
            else:
                found.append(Sequence(tuple(spliced[0]), "sequential", spliced[1], site))
        return of(*found)

    def graph(self, name: str, args: Args, site: Site) -> AbsVal:
        position, keyword = T.GRAPHS[name].get("outputs") or (1, "outputs")
        outputs = args.get(position, (keyword,))
        if outputs is None:
            return unknown(f"{name}() without outputs the analysis sees", Cause.NOT_MODELLED)
        return of(Graph(outputs, site))

    def placeholder(self, name: str, args: Args, site: Site) -> AbsVal:
        """``Input(shape=(784,))``: a batch of that shape."""
        position, keyword = T.PLACEHOLDERS[name].get("shape") or (0, "shape")
        shape = args.get(position, (keyword,))
        rank = None
        if shape is not None and len(shape) == 1:
            (atom,) = shape
            if isinstance(atom, Sequence) and not atom.open_start:
                rank = len(atom.items) + 1
        return of(Tensor(None, rank=rank, act=site, dtype="float"))

    def arrays(self, name: str, site: Site) -> AbsVal:
        """``mnist.load_data()``: ((x_train, y_train), (x_test, y_test)), class indices."""
        rank = T.DATASET_ARRAYS[name]
        pair = of(Sequence((of(Tensor(None, act=site)), of(Tensor(None, rank=rank, act=site, dtype="int"))), "tuple"))
        return of(Sequence((pair, pair), "tuple"))

    def is_trained_model(self, atom: Atom) -> bool:
        """A model whose training methods (compile, fit, predict) the library provides."""
        if isinstance(atom, Graph):
            return True
        if isinstance(atom, Sequence):
            return atom.container == "sequential"
        return isinstance(atom, Instance) and self.is_model_class(atom.cls)

    def training_method(self, model: Atom, name: str, args: Args, site: Site, ctx: Context) -> Optional[AbsVal]:
        """compile / fit / predict of a model; None for other methods."""
        if name in T.PREDICT_METHODS:
            x = _argument(args, T.PREDICT_METHODS[name], "x") or unknown("model input", Cause.FROM_OUTSIDE)
            return self.call(model, Args((x,)), site, ctx)[0]
        if name in T.COMPILE_METHODS:
            loss = _argument(args, T.COMPILE_METHODS[name], "loss")
            if loss is None:
                return of(Const(None))
            self.argument_sites[site] = T.COMPILE_METHODS[name].get("loss")
            overrides = self._loss_overrides(model)
            if overrides:  # the model computes its loss itself: what the compiled loss gets is not known
                reason = unknown(f"the model defines {overrides}(): the compiled loss may not be what trains", Cause.NOT_MODELLED)
                self._apply_compiled(model, site, loss, reason, ctx, output=reason)
            else:
                self.compiled[model] = [(site, loss)]  # compiling again replaces the loss
                self._apply_compiled(model, site, loss, unknown("the targets fit is given", Cause.FROM_OUTSIDE), ctx)
            return of(Const(None))
        if name in T.FIT_METHODS:
            y = _argument(args, T.FIT_METHODS[name], "y")
            target = y if y is not None else unknown("targets from a dataset", Cause.LOOP_OR_CONTAINER)
            for compile_site, loss in self.compiled.get(model, []):
                self._apply_compiled(model, compile_site, loss, target, ctx, fit=True)
            return unknown("the training history", Cause.NOT_MODELLED)
        return None

    def _loss_overrides(self, model: Atom) -> str:
        """The method (knowledge ``[training] loss_overrides``) the model's own class
        defines to compute its loss itself, or ""."""
        if not isinstance(model, Instance):
            return ""
        for name in sorted(T.LOSS_OVERRIDES):
            found = self.class_attribute(model.cls, name)
            if found is not None and any(isinstance(a, Function) for a in found):
                return name
        return ""

    def _apply_compiled(
        self, model: Atom, site: Site, loss: AbsVal, target: AbsVal, ctx: Context, fit: bool = False, output: Optional[AbsVal] = None
    ) -> None:
        """The compiled loss on the model's output (or on ``output``, what it is known to
        train on): the loss called with (target, output); a fit's targets replace those
        not known at compile time."""
        if output is None:
            output = self.call(model, Args((unknown("model input", Cause.FROM_OUTSIDE),)), site, ctx)[0]
        for loss_value, out, part in _per_output(loss, output):
            # a list or dict of losses matched to the outputs one by one: each loss is a
            # loss call of its own, reported at its element of the argument
            at = site if part is None else PartSite(site.path, site.ordinal, part)
            if at is not site and site in self.argument_sites:
                self.argument_sites[at] = self.argument_sites[site]
            given = target if part is None else _part_of(target, part)
            if fit:
                first = at not in self.fitted
                self.fitted.add(at)
                acc = self.loss_calls.get(at)
                if acc is not None:
                    acc.target = given if first else join((acc.target, given))
                    continue
            for atom in ordered(loss_value):
                self.compiled_loss(atom, out, given, at, ctx)

    def compiled_loss(self, atom: Atom, output: AbsVal, target: AbsVal, site: Site, ctx: Context) -> None:
        if isinstance(atom, Const):
            family = T.LOSS_STRINGS.get(atom.value) if isinstance(atom.value, str) else None
            if family is not None:
                self.record_family(family, f'loss="{atom.value}"', output, target, site, ctx)
            return  # "mse", None...: a loss no rule checks
        named = T.canonical(atom.name) if isinstance(atom, QualRef) else ""
        if isinstance(atom, (Loss, Function, Instance, Class)) or named in T.LOSS_FUNCTIONS or named in T.VALUE_LOSS_FUNCTIONS:
            self.call(atom, Args((target, output)), site, ctx)  # keras.losses.mae: as MeanAbsoluteError()
            return
        reason = atom.reason if isinstance(atom, Unknown) else "a loss the analysis does not know"
        self.record_family("", "the compiled loss", unknown(reason, Cause.FROM_OUTSIDE), target, site, ctx, complete=False)

    def record_family(
        self, family: str, name: str, value: AbsVal, target: AbsVal, site: Site, ctx: Context, complete: bool = True
    ) -> None:
        families = {family} if family else set()
        accumulate_loss(self.loss_calls, site, families, name, value, target, complete, "autocast" in ctx.modes)


def _argument(args: Args, positions: Any, role: str) -> Optional[AbsVal]:
    where = positions.get(role)
    return args.get(where[0], (where[1],)) if where is not None else None


def _part_of(target: AbsVal, part: Any) -> AbsVal:
    """The targets of one output: the item at ``part`` of a list given to fit, or under
    key ``part`` of a dict (unknown when a list or dict does not have it); a value that
    is neither (one array for every output) as it is."""
    found = []
    for atom in target:
        if isinstance(atom, Sequence) and isinstance(part, int) and not atom.open_start and part < len(atom.items):
            found.append(atom.items[part])
        elif isinstance(atom, Mapping) and any(key == part for key, _ in atom.items):
            found.extend(value for key, value in atom.items if key == part)
        elif isinstance(atom, (Sequence, Mapping)):
            found.append(unknown("targets of one output, from a list or dict fit is given", Cause.LOOP_OR_CONTAINER))
        else:
            found.append(of(atom))
    return join(found)


def _per_output(loss: AbsVal, output: AbsVal) -> Tuple[Tuple[AbsVal, AbsVal, Any], ...]:
    """(loss, output, part) triples: a list of losses goes with a list of outputs by
    position (part: the index), a dict of losses with a dict of outputs by key (part: the
    key); one loss applies to every output (part None: one loss call); a dict of losses
    by output name is not followed (the loss is then applied to an unknown output)."""
    losses = [a for a in loss if isinstance(a, Sequence) and a.container != "sequential"]
    outputs = [a for a in output if isinstance(a, Sequence) and a.container != "sequential"]
    if any(isinstance(a, Mapping) for a in loss):
        named = [a for a in loss if isinstance(a, Mapping)]
        by_name = [a for a in output if isinstance(a, Mapping)]
        if len(named) == len(loss) == 1 and len(by_name) == len(output) == 1:  # dict outputs: by key
            given = dict(by_name[0].items)
            missing = unknown("an output the model's dict of outputs does not name", Cause.LOOP_OR_CONTAINER)
            return tuple((value, given.get(key, missing), key) for key, value in named[0].items)
        if len(named) == len(loss) == 1 and len(named[0].items) == 1 and not outputs and not by_name:
            return ((named[0].items[0][1], output, None),)
        return ((join(v for a in named for _, v in a.items), unknown("which output each loss of a dict goes with", Cause.LOOP_OR_CONTAINER), None),)
    if losses:
        if len(losses) == len(loss) == 1 and len(outputs) == len(output) == 1 and len(losses[0].items) == len(outputs[0].items):
            return tuple((item, out, i) for i, (item, out) in enumerate(zip(losses[0].items, outputs[0].items)))
        return ((join(i for a in losses for i in a.items), unknown("which output each loss of a list goes with", Cause.LOOP_OR_CONTAINER), None),)
    if outputs and len(outputs) == len(output) == 1 and not outputs[0].open_start:
        return tuple((loss, item, None) for item in outputs[0].items)
    return ((loss, output, None),)
