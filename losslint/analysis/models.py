"""Library models: ``torchvision.models.resnet18(num_classes=2)``,
``timm.create_model(...)``, ``AutoModelForSequenceClassification.from_pretrained(...)``.

What each builder makes is data (``[model.<entry>]`` in the knowledge, see
``losslint.knowledge.ModelSpec``): the output's kind, rank, class axis and width, the
shape of the result (a tensor, a dict, a record with ``.logits`` / ``.loss``, a dict of
losses) and where the head is. This module is the code for those effects: building the
model, calling it, replacing its head (``model.fc = nn.Linear(512, 2)``), reading the
records it returns. A head the analysis cannot see makes that output unknown; it is
never guessed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional, Tuple

from losslint.analysis import tables as T
from losslint.analysis.engine.expressions import _RETURNS_SELF
from losslint.analysis.engine.state import Args, Context
from losslint.analysis.library import loss_tensor
from losslint.analysis.values import (
    AbsVal,
    Adapted,
    Atom,
    Axis,
    Bound,
    Cause,
    Const,
    Function,
    Kind,
    Mapping,
    Model,
    QualRef,
    Record,
    Sequence,
    Site,
    SliceConst,
    Tensor,
    Unknown,
    const_value,
    join,
    of,
    ordered,
    unknown,
    with_source,
)
from losslint.knowledge import AdapterSpec, ModelByName, ModelSpec

Path = Tuple[Any, ...]  # attribute names (str) and item indices (int)

_KINDS = {"sigmoid": Kind.SIGMOID, "softmax": Kind.SOFTMAX, "log_softmax": Kind.LOG_SOFTMAX,
          "logsigmoid": Kind.LOGSIGMOID, "relu": Kind.RELU, "tanh": Kind.TANH, "logits": Kind.LOGITS}  # fmt: skip
_AXES = {"last": Axis.LAST, "channel": Axis.CHANNEL}


class LibraryModels:
    """Library models and the records they return, as methods of the interpreter."""

    def build_model(self, name: str, args: Args, site: Site) -> Optional[AbsVal]:
        """A call of a model builder (by pattern) or of a call that names one; None when
        ``name`` is neither."""
        if name in T.RECORD_BUILDERS:  # TrainState.create(apply_fn=model.apply, ...)
            return of(_record_of(name, args.keywords)) if not args.open else unknown(f"{name}() with **kwargs", Cause.NOT_MODELLED)
        entry = T.model_entry(name)
        if entry is not None:
            return of(_built(entry, name, args, site))
        lookup = T.MODEL_BY_NAME.get(name)
        if lookup is None:
            return None
        builder = _named_builder(lookup, args)
        if builder is None:
            return unknown(f"{name}() of a model whose name the analysis cannot tell", Cause.UNKNOWN_LIBRARY)
        if T.model_entry(builder) is None:
            return unknown(f"{name}() of a model the knowledge does not describe ({builder})", Cause.UNKNOWN_LIBRARY)
        position, keyword = lookup.name
        rest = Args(tuple(v for i, v in enumerate(args.positional) if i > position), tuple(args.keywords), args.open)
        return of(_built(T.model_entry(builder), builder, rest, site))  # type: ignore[arg-type]

    def call_model(self, model: Model, args: Args, site: Site, ctx: Context) -> AbsVal:
        spec: ModelSpec = T.MODELS[model.entry]
        loss_given = _given(args, spec.loss_argument) if spec.loss_argument else False
        if spec.output == "losses":
            if loss_given is not True:
                return unknown(f"what {model.name} returns without targets (predictions)", Cause.NOT_MODELLED)
            return of(Mapping(tuple((f, loss_tensor(site, ctx)) for f in spec.fields)))
        if spec.output == "tensor":
            return self._field_output(model, spec, "", site, ctx)
        outputs = tuple((f, self._field_output(model, spec, f, site, ctx)) for f in spec.fields)
        if spec.output == "mapping":
            return of(Mapping(outputs))
        fields = outputs
        positional: Optional[Tuple[AbsVal, ...]] = tuple(v for _, v in outputs)
        if spec.loss_field is not None:
            loss = loss_tensor(site, ctx)
            fields = ((spec.loss_field, loss),) + outputs
            positional = None if loss_given is None else ((loss,) + positional if loss_given else positional)
        return of(Record(fields, positional, iterable=spec.output == "namedtuple"))

    def _field_output(self, model: Model, spec: ModelSpec, field: str, site: Site, ctx: Context) -> AbsVal:
        if field in model.lost:
            return unknown(f"the head of {model.name} was changed in a way the analysis cannot follow", Cause.UNFOLLOWED_STATE)
        replaced = [value for f, _, value in model.heads if f == field]
        if replaced:  # the code's own head, applied to the features the model computes
            features = of(Tensor(None, rank=spec.rank, dtype="float"))
            out = join(self.call(a, Args((features,)), site, ctx)[0] for a in ordered(replaced[0]))
            return with_source(out, model.name)
        if model.features:
            return of(Tensor(None, rank=spec.rank, dtype="float", source=model.name))
        axis = _AXES[spec.axis] if spec.axis else None
        return of(
            Tensor(_KINDS[spec.kind], model.width, axis, spec.rank, act=model.site, layer=model.site, source=model.name, dtype="float")
        )

    def model_attribute(self, model: Model, name: str) -> AbsVal:
        """``model.fc`` after ``model.fc = ...`` is what was assigned; methods are bound;
        anything else of a library model is not known."""
        for _, path, value in model.heads:
            if path == (name,):
                return value
        spec: ModelSpec = T.MODELS[model.entry]
        if name in _RETURNS_SELF or name in (spec.reset, "add_module"):
            return of(Bound(model, name))
        if name in T.DEVICE_ATTRIBUTES:
            return of(QualRef(T.DEVICE))
        return unknown(f"'{name}' of {model.name}", Cause.NOT_MODELLED)

    def model_method(self, model: Model, name: str, args: Args) -> Optional[Tuple[AbsVal, Optional[AbsVal]]]:
        """Methods returning the model, and the method that resets its head to a new width."""
        spec: ModelSpec = T.MODELS[model.entry]
        if name in _RETURNS_SELF:
            return of(model), None
        if name == spec.reset:
            width = _width(args.get(0, (spec.width or "num_classes",)), spec) if not args.open else None
            reset = replace(
                model,
                width=None if width == spec.features_width else width,
                features=width is not None and width == spec.features_width,
                heads=tuple((f, p, v) for f, p, v in model.heads if f != ""),
                lost=tuple(f for f in model.lost if f != ""),
            )
            return of(Const(None)), of(reset)
        return None

    def forget_heads(self, atom: Atom) -> Atom:
        """A library model after something was assigned at a path the code computes: every
        output is unknown. Other objects are returned as they are."""
        if not isinstance(atom, Model):
            return atom
        spec: ModelSpec = T.MODELS[atom.entry]
        return replace(atom, heads=(), lost=tuple(spec.fields or ("",)))

    def model_set_path(self, model: Model, path: Path, value: AbsVal) -> AbsVal:
        """``model.<path> = value``: at a head's path (or a module holding it) the value
        becomes that output's head; elsewhere inside a head's module the output is lost;
        anywhere else (``model.conv1 = ...``) the outputs are kept."""
        spec: ModelSpec = T.MODELS[model.entry]
        heads = list(model.heads)
        lost = set(model.lost)
        for field, head_paths in spec.heads:
            current = next((h for h in heads if h[0] == field), None)
            if current is not None and len(path) > len(current[1]) and path[: len(current[1])] == current[1]:
                rest = path[len(current[1]):]  # inside the code's own head: change that module
                changed = join(self.set_path(a, rest, value) for a in ordered(current[2]))
                heads[heads.index(current)] = (field, current[1], changed)
            elif any(path == head[: len(path)] for head in head_paths) or (current is not None and path == current[1]):
                heads = [h for h in heads if h[0] != field] + [(field, path, value)]
                lost.discard(field)
            elif any(path[0] == head[0] for head in head_paths):
                lost.add(field)
        return of(replace(model, heads=tuple(heads), lost=tuple(sorted(lost))))

    # --- callables made from others: jax.value_and_grad(f), a flax module's apply ----

    def method_adapter(self, cls: Any, name: str) -> Optional[str]:
        """The ``[adapter]`` entry for the method ``name`` that a model class inherits
        from its library base (``flax.linen.Module.apply``), if any."""
        found = sorted(f"{base}.{name}" for base in self.library_bases(cls) if f"{base}.{name}" in T.ADAPTERS)
        return found[0] if len(found) == 1 else None

    def adapted(self, name: str, args: Args) -> AbsVal:
        """``jax.value_and_grad(f)``, ``functools.partial(f, a, k=v)``: ``f`` adapted."""
        spec: AdapterSpec = T.ADAPTERS[name]
        position, keyword = spec.function  # type: ignore[misc]
        target = args.get(position, (keyword,))
        if target is None or (spec.bind and args.open):
            return unknown(f"{name}() of a function the analysis cannot see", Cause.DYNAMIC_DISPATCH)
        if not spec.bind:
            return of(Adapted(target, name))
        given_by_position = position < len(args.positional)
        bound = args.positional[position + 1:] if given_by_position else ()
        keywords = tuple((k, v) for k, v in args.keywords if given_by_position or k != keyword)
        return of(Adapted(target, name, tuple(bound), keywords))

    def call_adapted(self, atom: Adapted, args: Args, site: Site, ctx: Context) -> AbsVal:
        """Calling ``atom``: its target called with the arguments after the first ``skip``
        (the variables of ``model.apply``), without the keywords the adapter consumes;
        ``method=`` calls that method of the model instead; the result as ``returns`` says."""
        spec: AdapterSpec = T.ADAPTERS[atom.adapter]
        if args.open and len(args.positional) < spec.skip:
            return unknown(f"{atom.adapter}() with arguments the analysis cannot follow", Cause.DYNAMIC_DISPATCH)
        consumed = set(spec.drop) | ({spec.method} if spec.method else set())
        keywords = tuple((k, v) for k, v in args.keywords if k not in consumed)  # a call's keyword wins over a bound one
        passed = Args(atom.bound + args.positional[spec.skip:], keywords + atom.bound_keywords, args.open)
        method = args.get(None, (spec.method,)) if spec.method else None
        results = []
        for target in ordered(atom.target):
            if method is None:
                results.append(self.call(target, passed, site, ctx)[0])
                continue
            for chosen in ordered(method):  # method="encode", method=Model.encode, method=model.encode
                name = chosen.value if isinstance(chosen, Const) and isinstance(chosen.value, str) else None
                if isinstance(chosen, (Function, Bound)):
                    name = chosen.qualname.rsplit(".", 1)[-1] if isinstance(chosen, Function) else chosen.name
                if name is None:
                    results.append(unknown(f"{atom.adapter}(method=...) of a method the analysis cannot tell", Cause.DYNAMIC_DISPATCH))
                    continue
                results.append(join(self.call(a, passed, site, ctx)[0] for a in ordered(self.getattr(target, name))))
        value = join(results) if results else unknown(f"{atom.adapter}() of nothing known", Cause.DYNAMIC_DISPATCH)
        state = [v for k, v in args.keywords if k in spec.state_with]
        off = [isinstance(a, Const) and a.value in (False, None) for a in state[0]] if state else [True]
        if not all(off):
            if any(off) or any(isinstance(a, Unknown) for a in state[0]):  # computed: with or without the state
                return unknown(f"{atom.adapter}() with a computed {spec.state_with[0]}=", Cause.NOT_MODELLED)
            value = of(Sequence((value, unknown("the updated state", Cause.NOT_MODELLED)), "tuple"))
        if spec.returns == "unknown":
            return unknown(f"what {atom.adapter}() returns (gradients)", Cause.NOT_MODELLED)
        if spec.returns == "value_and_unknown":
            return of(Sequence((value, unknown(f"the gradients {atom.adapter}() returns", Cause.NOT_MODELLED)), "tuple"))
        return value

    # --- records: model outputs read by attribute, key or position ------------------

    def record_attribute(self, record: Record, name: str) -> AbsVal:
        for field, value in record.fields:
            if field == name:
                return value
        if name in ("get", "to_tuple", "keys", "values", "items"):
            return of(Bound(record, name))
        builder = const_value(dict(record.fields).get(_BUILDER, of()), None)
        if builder in T.RECORD_BUILDERS and name in T.RECORD_BUILDERS[builder].updates:
            return of(Bound(record, name))
        return unknown(f"'{name}' of a model's output", Cause.NOT_MODELLED)

    def record_subscript(self, record: Record, index: AbsVal) -> AbsVal:
        key = const_value(index, None)
        if isinstance(key, str):
            return self.record_attribute(record, key)
        if len(index) == 1 and isinstance(next(iter(index)), SliceConst) and record.positional is not None:
            return of(Sequence(record.positional[next(iter(index)).to_slice()], "tuple"))
        if isinstance(key, int) and not isinstance(key, bool) and record.positional is not None:
            if -len(record.positional) <= key < len(record.positional):
                return record.positional[key]
        return unknown("an item of a model's output", Cause.NOT_MODELLED)

    def library_class_attribute(self, cls: Any, name: str) -> Optional[AbsVal]:
        """``name`` of a class of the code that its library base provides and the
        knowledge describes (``TrainState.create`` of a subclass of flax's TrainState)."""
        found = sorted(f"{b}.{name}" for b in self.library_bases(cls) if T.canonical(f"{b}.{name}") in T.RECORD_BUILDERS)
        return of(QualRef(found[0])) if len(found) == 1 else None

    def record_method(self, record: Record, name: str, args: Args) -> Optional[Tuple[AbsVal, Optional[AbsVal]]]:
        builder = dict(record.fields).get(_BUILDER)
        spec = T.RECORD_BUILDERS.get(const_value(builder, None)) if builder is not None else None
        if spec is not None and name in spec.updates:  # state.apply_gradients(grads=g): the state, updated
            if args.open:
                return unknown(f".{name}() with **kwargs", Cause.NOT_MODELLED), None
            return of(_record_of(const_value(builder), tuple(record.fields) + tuple(args.keywords))), None
        if name == "get" and len(args.positional) == 1 and not args.keywords:
            key = const_value(args.positional[0], None)
            if isinstance(key, str):
                return self.record_attribute(record, key), None
        return None


_BUILDER = "#builder"  # the field of a built record that names its [record_builder]


def _record_of(builder: str, keywords: Tuple[Tuple[str, AbsVal], ...]) -> Record:
    """A record of keyword values (a later keyword replaces an earlier one)."""
    fields = dict(keywords)
    fields[_BUILDER] = of(Const(builder))
    return Record(tuple(sorted(fields.items())))


def _built(entry: str, name: str, args: Args, site: Site) -> Model:
    spec: ModelSpec = T.MODELS[entry]
    width: Optional[int] = None
    given = args.get(None, (spec.width,)) if spec.width else None
    if given is not None:
        width = _width(given, spec)
    elif spec.width and not args.open and not any(args.get(None, (k,)) is not None for k in spec.width_unknown_with):
        width = spec.default_width
    features = width is not None and width == spec.features_width
    return Model(entry, _display(name, args), site, None if features else width, features)


def _display(name: str, args: Args) -> str:
    """What messages call the model: the name it is built by (``timm.create_model("resnet50")``
    is resnet50, ``from_pretrained("bert-base-uncased")`` bert-base-uncased), else the
    builder (``resnet18``) or the class of a class method (``BertForSequenceClassification``)."""
    given = const_value(args.positional[0], None) if args.positional and not args.open else None
    if isinstance(given, str) and given:
        return given
    parts = name.split(".")
    return parts[-2] if len(parts) >= 2 and parts[-2][:1].isupper() else parts[-1]


def _width(value: Optional[AbsVal], spec: ModelSpec) -> Optional[int]:
    number = const_value(value, None) if value is not None else None
    return number if isinstance(number, int) and not isinstance(number, bool) and number >= 0 else None


def _given(args: Args, argument: Optional[Tuple[Optional[int], str]]) -> Optional[bool]:
    """Whether the call passes ``argument``: True, False, or None when it cannot be told
    (``**batch``)."""
    if argument is None:
        return False
    position, keyword = argument
    if any(key == keyword for key, _ in args.keywords):
        return True
    if position is not None and position < len(args.positional):
        return True
    return None if args.open else False


def _named_builder(lookup: ModelByName, args: Args) -> Optional[str]:
    position, keyword = lookup.name
    name = const_value(args.get(position, (keyword,)) or of(Const(None)), None)
    if not isinstance(name, str) or not name.isidentifier():
        return None
    prefix = lookup.prefix
    if lookup.repository is not None:
        repository = const_value(args.get(lookup.repository[0], (lookup.repository[1],)) or of(Const(None)), None)
        if not isinstance(repository, str):
            return None
        prefix = dict(lookup.repositories).get(repository.split(":", 1)[0], "")
        if not prefix:
            return None
    return prefix + name

