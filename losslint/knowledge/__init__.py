"""Library knowledge as data: what a library callee does, from TOML files.

The analysis engine knows Python; what ``torch.nn.functional.softmax`` or
``nn.Linear(h, 1)`` does is said by the files in this folder (one per library) and by
the user's own files (``knowledge = [...]`` in ``[tool.losslint]``), each entry one of a
closed set of *effects*: the tables of ``torch.toml``, documented in README
"Knowledge". ``load`` merges them (a later file's entry wins for the same callee) and
checks each entry, so a malformed file is an error naming the file, the entry and
what is wrong, never a traceback.
"""

from __future__ import annotations

import fnmatch
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

BUILT_IN = (
    "python.toml", "torch.toml", "torchvision.toml", "lightning.toml", "accelerate.toml", "segmentation_models_pytorch.toml",
    "timm.toml", "transformers.toml", "ignite.toml", "numpy.toml", "keras.toml", "jax.toml", "optax.toml", "flax.toml",
)
KINDS = ("sigmoid", "softmax", "log_softmax", "logsigmoid", "relu", "tanh", "logits")
AXES = ("last", "channel")
OUTPUTS = ("tensor", "mapping", "record", "namedtuple", "losses")


class KnowledgeError(ValueError):
    """A knowledge file that cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class ActivationSpec:
    kind: str
    dim: Optional[Tuple[int, str]] = None  # (position, keyword)
    implicit_dim: bool = False  # torch accepts a missing dim and guesses it
    non_negative: bool = False  # every output value is >= 0 (ReLU, ReLU6; not LeakyReLU, GELU)
    default_dim: Optional[int] = None  # the dim a missing dim argument means (Keras's Softmax: -1)
    rewritable: bool = True  # a fix may remove it or make it its log form (softmin, hardsigmoid: no)


@dataclass(frozen=True)
class SequenceSpec:
    """A sequence layer (``nn.LSTM``, ``nn.TransformerEncoder``): batch-first when its
    ``batch_first`` argument (or that of its ``layer`` argument, for an encoder built
    from a layer) is a literal True, then its output is ``(N, L, H)``; ``output`` is
    ``tensor`` or ``tuple`` (the output first, then the hidden state)."""

    batch_first: Optional[Tuple[int, str]] = None
    layer: Optional[Tuple[int, str]] = None
    output: str = "tensor"


@dataclass(frozen=True)
class WidthSpec:
    """A callable whose result emits logits of the width one of its arguments gives: a
    layer class, or a model factory."""

    width: Tuple[int, str]
    axis: str = "last"
    activation: Optional[Tuple[int, str]] = None  # the argument naming the activation applied to the output


@dataclass(frozen=True)
class ActivationArgument:
    """A layer that applies the activation one of its arguments names
    (``Activation("softmax")``): a name of ``[activation.names]``, None (linear), or an
    activation function (``tf.nn.softmax``)."""

    activation: Tuple[int, str]


@dataclass(frozen=True)
class Positions:
    """Where a library call or method takes the arguments the analysis reads, by role
    (``loss = [1, "loss"]`` for ``model.compile``)."""

    arguments: Tuple[Tuple[str, Tuple[int, str]], ...]

    def get(self, role: str) -> Optional[Tuple[int, str]]:
        return dict(self.arguments).get(role)


@dataclass
class Knowledge:
    """Every file's tables, merged; ``sources`` says which file each callee came from,
    ``digest`` is a hash of the user's files (part of every cache key)."""

    digest: str = ""
    tables: Dict[str, Any] = field(default_factory=dict)
    sources: Dict[str, str] = field(default_factory=dict)

    def names(self, table: str) -> frozenset:
        """The entries of a list table (``"layer.norm"``) or the keys of a dict table."""
        return frozenset(self.tables.get(table, ()))

    def mapping(self, table: str) -> Dict[str, Any]:
        value = self.tables.get(table, {})
        return dict(value) if isinstance(value, dict) else {}

    def describe(self, name: str) -> List[Tuple[str, str, str]]:
        """(table, what the entry says, file) for every table ``name`` is in."""
        found = []
        for table, value in sorted(self.tables.items()):
            if table == "model":
                for entry, spec in value.items():
                    if any(matches(tuple(p.split(".")), tuple(name.split("."))) for p in spec.builders):
                        found.append((f"model.{entry}", _show(spec), self.sources.get(entry, "?")))
            elif table == "loss":
                for family, entry in value.items():
                    if name in entry.get("classes", []) or name in entry.get("functions", []):
                        shown = {k: v for k, v in entry.items() if k not in ("classes", "functions")}
                        found.append((f"loss.{family}", _show(shown), self.sources.get(name, "?")))
            elif isinstance(value, dict) and name in value:
                found.append((table, _show(value[name]), self.sources.get(name, "?")))
            elif isinstance(value, list) and name in value:
                found.append((table, "listed", self.sources.get(name, "?")))
        return found


def matches(pattern: Tuple[str, ...], parts: Tuple[str, ...]) -> bool:
    """A builder pattern against a dotted name, part by part: each part matched by
    ``fnmatch``, ``**`` standing for any number of parts."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(matches(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and matches(pattern[1:], parts[1:])


def _show(value: Any) -> str:
    if hasattr(value, "__dataclass_fields__"):  # the fields an entry sets, not the defaults
        shown = [(key, getattr(value, key)) for key, spec in value.__dataclass_fields__.items() if key != "builders"]
        defaults = {key: spec.default for key, spec in value.__dataclass_fields__.items()}
        return ", ".join(f"{key} = {item!r}" for key, item in shown if item != defaults.get(key))
    if isinstance(value, dict):
        return ", ".join(f"{key} = {item!r}" for key, item in value.items())
    return repr(value)


# Each table: its kind ("list" of names, "map" of name -> scalar, "spec" of name -> table)
# and, for specs, the check that turns an entry into its spec.
def _activation(entry: Dict[str, Any]) -> ActivationSpec:
    _keys(entry, {"kind"}, {"dim", "implicit_dim", "non_negative", "default_dim", "rewritable"})
    dim = entry.get("dim")
    default_dim = entry.get("default_dim")
    if default_dim is not None and (not isinstance(default_dim, int) or isinstance(default_dim, bool)):
        raise KnowledgeError("'default_dim' must be an integer")
    return ActivationSpec(
        _choice(entry["kind"], KINDS, "kind"), _position(dim, "dim") if dim is not None else None,
        _bool(entry.get("implicit_dim", False), "implicit_dim"), _bool(entry.get("non_negative", False), "non_negative"),
        default_dim, _bool(entry.get("rewritable", True), "rewritable"),
    )


def _sequence(entry: Dict[str, Any]) -> SequenceSpec:
    _keys(entry, set(), {"batch_first", "layer", "output"})
    if ("batch_first" in entry) == ("layer" in entry):
        raise KnowledgeError("needs one of 'batch_first' (the argument) or 'layer' (the layer argument that says it)")
    return SequenceSpec(
        _position(entry["batch_first"], "batch_first") if "batch_first" in entry else None,
        _position(entry["layer"], "layer") if "layer" in entry else None,
        _choice(entry.get("output", "tensor"), ("tensor", "tuple"), "output"),
    )


def _width(entry: Dict[str, Any]) -> WidthSpec:
    _keys(entry, {"width"}, {"axis", "activation"})
    activation = entry.get("activation")
    return WidthSpec(
        _position(entry["width"], "width"), _choice(entry.get("axis", "last"), AXES, "axis"),
        _position(activation, "activation") if activation is not None else None,
    )


def _activation_argument(entry: Dict[str, Any]) -> ActivationArgument:
    _keys(entry, {"activation"}, set())
    return ActivationArgument(_position(entry["activation"], "activation"))


def _arrays(entry: Dict[str, Any]) -> int:
    """A call returning ``((x_train, y_train), (x_test, y_test))`` arrays of class
    indices of rank ``target_rank`` (``keras.datasets.mnist.load_data``)."""
    _keys(entry, {"target_rank"}, set())
    return _int(entry["target_rank"], "target_rank")


def _positions(entry: Dict[str, Any]) -> Positions:
    """Every key a role, every value ``[position, "keyword"]``."""
    return Positions(tuple(sorted((role, _position(value, role)) for role, value in entry.items())))


@dataclass(frozen=True)
class ModelSpec:
    """A library model: the builders that make it and what calling it returns.

    ``output`` is the shape of the result: a ``tensor``; a ``mapping`` or ``record``
    (attributes and keys) of tensors named by ``fields``, or a ``namedtuple`` (a record
    that also unpacks by position); or ``losses``, a dict of loss
    tensors named by ``fields``, returned when ``loss_argument`` is passed. Each output
    tensor has ``kind``, ``rank``, ``axis`` and a width from the builder's ``width``
    keyword (``default_width`` when not given; unknown when a ``width_unknown_with``
    keyword is given; ``features_width`` means no head: features). ``heads`` gives, per
    field (``""`` for a tensor), the attribute paths of the module that computes it
    (``classifier.-1``): code that assigns a module there replaces what the model emits.
    A record's ``loss_field`` is a loss tensor, first by position when ``loss_argument``
    is passed. ``reset`` names a method whose first argument is the new width."""

    builders: Tuple[str, ...]
    output: str = "tensor"
    kind: str = "logits"
    rank: Optional[int] = None
    axis: Optional[str] = None
    width: Optional[str] = None
    default_width: Optional[int] = None
    width_unknown_with: Tuple[str, ...] = ()
    features_width: Optional[int] = None
    fields: Tuple[str, ...] = ()
    heads: Tuple[Tuple[str, Tuple[Tuple[Any, ...], ...]], ...] = ()
    loss_field: Optional[str] = None
    loss_argument: Optional[Tuple[Optional[int], str]] = None  # (position or None, keyword)
    reset: Optional[str] = None


@dataclass(frozen=True)
class ModelByName:
    """A call that builds a library model named by one of its arguments
    (``torchvision.models.get_model("resnet18")``, ``torch.hub.load("pytorch/vision",
    "resnet18")``): the builder is ``prefix`` + the name, from one of ``repositories``
    (repository -> prefix; a ``:tag`` is ignored) when the callee takes one."""

    name: Tuple[int, str]
    prefix: str = ""
    repository: Optional[Tuple[int, str]] = None
    repositories: Tuple[Tuple[str, str], ...] = ()


def _path(text: Any) -> Tuple[Any, ...]:
    """``"classifier.-1"`` -> ("classifier", -1): attribute names and item indices."""
    if not isinstance(text, str) or not text or any(not part for part in text.split(".")):
        raise KnowledgeError(f"a head path must be dotted attribute names and indices, like \"classifier.-1\", not {text!r}")
    return tuple(int(part) if part.lstrip("-").isdigit() else part for part in text.split("."))


def _argument(value: Any, key: str) -> Tuple[Optional[int], str]:
    """A keyword (``"labels"``) or ``[position, "keyword"]``."""
    return (None, value) if isinstance(value, str) else _position(value, key)


def _int(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise KnowledgeError(f"'{key}' must be a non-negative integer")
    return value


def _model(entry: Dict[str, Any]) -> ModelSpec:
    _keys(entry, {"builders"}, {
        "output", "kind", "rank", "axis", "width", "default_width", "width_unknown_with", "features_width",
        "fields", "head", "heads", "loss_field", "loss_argument", "reset",
    })  # fmt: skip
    output = _choice(entry.get("output", "tensor"), OUTPUTS, "output")
    fields = tuple(_strings(entry.get("fields", []), "fields"))
    if output != "tensor" and not fields:
        raise KnowledgeError(f"an output of kind {output!r} needs 'fields'")
    heads: Dict[str, Any] = {}
    if "head" in entry:
        heads[""] = entry["head"]
    if "heads" in entry:
        if not isinstance(entry["heads"], dict) or not set(entry["heads"]) <= set(fields):
            raise KnowledgeError("'heads' must map fields to lists of head paths")
        heads.update(entry["heads"])
    for key in ("width", "loss_field", "reset"):
        if key in entry and not isinstance(entry[key], str):
            raise KnowledgeError(f"'{key}' must be a string")
    if "rank" in entry:
        _int(entry["rank"], "rank")
    loss_argument = entry.get("loss_argument")
    return ModelSpec(
        builders=tuple(_strings(entry["builders"], "builders")),
        output=output,
        kind=_choice(entry.get("kind", "logits"), KINDS, "kind"),
        rank=entry.get("rank"),
        axis=_choice(entry["axis"], AXES, "axis") if "axis" in entry else None,
        width=entry.get("width"),
        default_width=_int(entry["default_width"], "default_width") if "default_width" in entry else None,
        width_unknown_with=tuple(_strings(entry.get("width_unknown_with", []), "width_unknown_with")),
        features_width=_int(entry["features_width"], "features_width") if "features_width" in entry else None,
        fields=fields,
        heads=tuple((f, tuple(_path(p) for p in _strings(paths, "a head list"))) for f, paths in sorted(heads.items())),
        loss_field=entry.get("loss_field"),
        loss_argument=_argument(loss_argument, "loss_argument") if loss_argument is not None else None,
        reset=entry.get("reset"),
    )


def _model_by_name(entry: Dict[str, Any]) -> ModelByName:
    _keys(entry, {"name"}, {"prefix", "repository", "repositories"})
    repositories = entry.get("repositories", {})
    if not isinstance(repositories, dict) or not all(isinstance(v, str) for v in repositories.values()):
        raise KnowledgeError("'repositories' must map repository names to builder prefixes")
    if not isinstance(entry.get("prefix", ""), str):
        raise KnowledgeError("'prefix' must be a string")
    return ModelByName(
        _position(entry["name"], "name"),
        entry.get("prefix", ""),
        _position(entry["repository"], "repository") if "repository" in entry else None,
        tuple(sorted(repositories.items())),
    )


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset of (input, class index) samples; ``target_transform`` is the argument
    that changes the target (then unknown)."""

    target_transform: Optional[Tuple[int, str]] = None


def _dataset(entry: Dict[str, Any]) -> DatasetSpec:
    _keys(entry, set(), {"target_transform"})
    given = entry.get("target_transform")
    return DatasetSpec(_position(given, "target_transform") if given is not None else None)


@dataclass(frozen=True)
class TrainerSpec:
    """A library call that trains a model with a loss it is given: it calls
    ``loss(model(x), y)`` on batches it reads itself (``ignite.engine.create_supervised_trainer``).
    ``unknown_with``: keywords that change the model's output before the loss."""

    model: Tuple[int, str]
    loss: Tuple[int, str]
    unknown_with: Tuple[str, ...] = ()


def _trainer(entry: Dict[str, Any]) -> TrainerSpec:
    _keys(entry, {"model", "loss"}, {"unknown_with"})
    return TrainerSpec(
        _position(entry["model"], "model"),
        _position(entry["loss"], "loss"),
        tuple(_strings(entry.get("unknown_with", []), "unknown_with")),
    )


@dataclass(frozen=True)
class AdapterSpec:
    """A callable a library makes from another one, and what calling it does: the
    function transformations (``jax.value_and_grad(f)``: ``function`` is the argument
    holding ``f``) and a model class's method that applies the model (a flax module's
    ``model.apply(variables, x)``: keyed ``<base class>.<method>``). Calling it calls the
    target with the arguments after the first ``skip``, without the ``drop`` keywords;
    ``method`` is the keyword naming another method of the model to call. ``returns``:
    ``value`` (the target's result), ``unknown`` (gradients: not known),
    ``value_and_unknown`` (the pair); a ``state_with`` keyword given (not a literal
    False) makes the result ``(value, updated state)``; with ``bind`` the arguments
    after the function come first in every call (``functools.partial(f, a, k=v)``)."""

    function: Optional[Tuple[int, str]] = None
    skip: int = 0
    method: Optional[str] = None
    drop: Tuple[str, ...] = ()
    state_with: Tuple[str, ...] = ()
    returns: str = "value"
    bind: bool = False  # the arguments after the function are passed first (functools.partial)


def _adapter(entry: Dict[str, Any]) -> AdapterSpec:
    _keys(entry, set(), {"function", "skip", "method", "drop", "state_with", "returns", "bind"})
    if "method" in entry and not isinstance(entry["method"], str):
        raise KnowledgeError("'method' must be a keyword (a string)")
    return AdapterSpec(
        _position(entry["function"], "function") if "function" in entry else None,
        _int(entry.get("skip", 0), "skip"),
        entry.get("method"),
        tuple(_strings(entry.get("drop", []), "drop")),
        tuple(_strings(entry.get("state_with", []), "state_with")),
        _choice(entry.get("returns", "value"), ("value", "unknown", "value_and_unknown"), "returns"),
        _bool(entry.get("bind", False), "bind"),
    )


@dataclass(frozen=True)
class RecordBuilderSpec:
    """A library call that returns a record of its keyword arguments (flax's
    ``TrainState.create(apply_fn=model.apply, params=..., tx=...)``: ``state.apply_fn``
    is ``model.apply``); its ``updates`` methods return the record with the keywords they
    pass replaced (``state.apply_gradients(grads=g)``, ``state.replace(...)``)."""

    updates: Tuple[str, ...] = ()


def _record_builder(entry: Dict[str, Any]) -> RecordBuilderSpec:
    _keys(entry, set(), {"updates"})
    return RecordBuilderSpec(tuple(_strings(entry.get("updates", []), "updates")))


FRAMEWORKS = ("torch", "keras", "jax")


def _argument_table(table: Any, name: str, strings: Tuple[str, ...]) -> None:
    """A loss's table about one of its arguments: the ``strings`` it needs (``keyword``:
    the argument's name, ...), and where the argument goes (``class_position`` for a
    class's constructor, ``function_position`` for a function)."""
    if not isinstance(table, dict):
        raise KnowledgeError(f"'{name}' must be a table: {', '.join(strings)}, class_position, function_position")
    _keys(table, set(strings), {"class_position", "function_position"})
    if not all(isinstance(table[key], str) for key in strings):
        raise KnowledgeError(f"'{name}' {' and '.join(strings)} must be {'strings' if len(strings) > 1 else 'a string'}")
    for key in ("class_position", "function_position"):
        if key in table:
            _int(table[key], key)


def _loss(entry: Dict[str, Any]) -> Dict[str, Any]:
    _keys(entry, {"display"}, {
        "classes", "functions", "input", "target", "like", "checks_target", "framework", "strings",
        "input_position", "target_position", "from_logits", "switched", "float_target",
    })  # fmt: skip
    if "checks_target" in entry:
        _bool(entry["checks_target"], "checks_target")
    for key in ("classes", "functions", "input", "target", "strings"):
        _strings(entry.get(key, []), key)
    _choice(entry.get("framework", "torch"), FRAMEWORKS, "framework")
    for key in ("input_position", "target_position"):
        if key in entry:
            _int(entry[key], key)
    if "from_logits" in entry:
        _argument_table(entry["from_logits"], "from_logits", ("keyword", "family"))
    if "float_target" in entry:
        _argument_table(entry["float_target"], "float_target", ("keyword",))
    if entry.get("switched") is not None:
        _bool(entry["switched"], "switched")
    if not entry.get("classes") and not entry.get("functions") and not entry.get("strings") and not entry.get("switched"):
        raise KnowledgeError("needs 'classes' or 'functions': the callees that compute it")
    if not isinstance(entry["display"], str):
        raise KnowledgeError("'display' must be a string")
    return entry


SPEC_TABLES = {
    "activation.layer": _activation,
    "activation.function": _activation,
    "activation.method": _activation,
    "layer.width": _width,
    "layer.sequence": _sequence,
    "model_factory": _width,
    "layer.activation": _activation_argument,
    "container.graph": _positions,
    "creation.placeholder": _positions,
    "dataset.arrays": _arrays,
    "training.compile": _positions,
    "training.fit": _positions,
    "training.predict": _positions,
    "loss": _loss,
    "dataset.class_index": _dataset,
    "model": _model,
    "model_by_name": _model_by_name,
    "trainer": _trainer,
    "adapter": _adapter,
    "record_builder": _record_builder,
}
MAP_TABLES = {
    "aliases": str,
    "library.setup_methods": str,
    "prefix_aliases": str,
    "activation.names": str,
    "tensor.shape_functions": str,
    "tensor.exp_log_functions": str,
    "tensor.dtype_methods": str,
    "dtype.names": str,
    "dtype.of_tensor": str,
    "dtype.functions": str,
    "creation.sized": str,
    "creation.typed": str,
}
LIST_TABLES = {
    "library.roots", "library.model_bases", "library.model_base_patterns", "library.no_grad_hooks", "library.call_methods", "training.loss_overrides", "training.unseen_models",
    "library.dataclass_bases", "library.dataclass_decorators",
    "container.layer_list", "container.add_methods", "creation.one_hot_float",
    "layer.norm", "layer.transparent", "layer.flatten", "layer.embedding",
    "container.sequential", "container.module_list", "container.module_dict", "container.ordered_dict",
    "wrapper.returns_argument", "wrapper.apply_module", "launcher.classes", "launcher.pass_through",
    "process.target", "process.spawn",
    "tensor.same_values", "tensor.in_place_reshapes", "tensor.conversions", "tensor.shape_as", "tensor.clamp",
    "tensor.clamp_functions", "tensor.log_functions", "tensor.shape_attributes", "tensor.order_preserving_along",
    "tensor.order_preserving", "tensor.device_attributes", "dtype.device_functions",
    "creation.random_unbounded", "creation.literal", "creation.like", "creation.one_hot", "creation.randint",
    "creation.full", "creation.arange",
    "loss_value.classes", "loss_value.functions", "loss_value.elementwise", "tensor.backward", "tensor.transposes", "tensor.transpose_attributes",
    "tensor.reductions", "tensor.selections", "tensor.joins", "tensor.stacks", "tensor.where", "tensor.resize_functions",
    "layer.resize", "dataset.tensors", "dataset.loaders", "dataset.iterate", "dataset.input_attributes",
    "context.grad_off", "context.grad_on", "context.grad_switch", "context.autocast", "context.autocast_cuda_only",
}  # fmt: skip
SCALARS = {"dtype.unknown": str}


def load(user_files: Sequence[str] = ()) -> Knowledge:
    """The built-in files, then ``user_files`` (absolute paths) in order."""
    folder = Path(__file__).resolve().parent
    knowledge = Knowledge()
    for path in [str(folder / name) for name in BUILT_IN]:
        _merge(knowledge, path, _parse(path, _read(path)), built_in=True)
    digest = hashlib.sha256()
    for path in user_files:
        data = _read(path)
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + data)
        _merge(knowledge, path, _parse(path, data), built_in=False)
    knowledge.digest = digest.hexdigest()[:16] if user_files else ""
    return knowledge


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise KnowledgeError(f"{path}: cannot read the knowledge file: {error.strerror or error}") from None


def _parse(path: str, data: bytes) -> Dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KnowledgeError(f"{path}: not valid TOML: {error}") from None


def _merge(knowledge: Knowledge, path: str, document: Dict[str, Any], built_in: bool) -> None:
    """Merge one file; only the built-in files define loss families (the rules know
    those), a user's loss says which one it is ``like``."""
    for table, value in _flatten(document):
        where = f"{path}: [{table}]"
        if table in SPEC_TABLES:
            if not isinstance(value, dict):
                raise KnowledgeError(f"{where} must be a table of entries")
            merged = knowledge.tables.setdefault(table, {})
            for name, entry in value.items():
                if not isinstance(entry, dict):
                    raise KnowledgeError(f"{where} entry '{name}' must be a table")
                try:
                    spec = SPEC_TABLES[table](entry)
                    if table == "loss":
                        _check_family(name, entry, merged, built_in)
                    merged[name] = spec
                except KnowledgeError as error:
                    raise KnowledgeError(f"{where} entry '{name}': {error}") from None
                knowledge.sources[name] = path
                if table == "loss":
                    for callee in [*entry.get("classes", []), *entry.get("functions", [])]:
                        knowledge.sources[callee] = path
        elif table in MAP_TABLES:
            if not isinstance(value, dict) or not all(isinstance(v, MAP_TABLES[table]) for v in value.values()):
                raise KnowledgeError(f"{where} must map names to strings")
            knowledge.tables.setdefault(table, {}).update(value)
            knowledge.sources.update({name: path for name in value})
        elif table in LIST_TABLES:
            try:
                names = _strings(value, "the list")
            except KnowledgeError as error:
                raise KnowledgeError(f"{where}: {error}") from None
            merged_list = knowledge.tables.setdefault(table, [])
            merged_list.extend(n for n in names if n not in merged_list)
            knowledge.sources.update({name: path for name in names})
        elif table in SCALARS:
            if not isinstance(value, SCALARS[table]):
                raise KnowledgeError(f"{where} must be a string")
            knowledge.tables[table] = value
        else:
            raise KnowledgeError(f"{path}: unknown table or key [{table}]; known: {', '.join(sorted(_known()))}")


def _check_family(name: str, entry: Dict[str, Any], losses: Dict[str, Any], built_in: bool) -> None:
    """Only the built-in files define the loss families (the rules check those); a user's
    loss gets its own name and says which family it computes with ``like``."""
    families = sorted(key for key, value in losses.items() if "like" not in value)
    if built_in and "like" not in entry:
        return
    if "like" not in entry:
        raise KnowledgeError(f"needs 'like': the loss family it computes, one of {', '.join(families)}")
    if entry["like"] not in families:
        raise KnowledgeError(f"'like' must name a loss family losslint knows: {', '.join(families)}")
    if name in families:
        raise KnowledgeError(f"'{name}' is a family losslint defines: give your loss its own name")


def _flatten(document: Dict[str, Any], prefix: str = "") -> Iterable[Tuple[str, Any]]:
    """("activation.layer", {...}), ("layer.norm", [...]): the tables by dotted name."""
    for key, value in document.items():
        name = f"{prefix}{key}"
        if name in SPEC_TABLES or name in MAP_TABLES or name in LIST_TABLES or name in SCALARS:
            yield name, value
        elif isinstance(value, dict) and any(t.startswith(name + ".") for t in _known()):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _known() -> List[str]:
    return [*SPEC_TABLES, *MAP_TABLES, *LIST_TABLES, *SCALARS]


def _keys(entry: Dict[str, Any], required: set, optional: set) -> None:
    missing = required - set(entry)
    if missing:
        raise KnowledgeError(f"missing {', '.join(sorted(missing))}")
    unknown = set(entry) - required - optional
    if unknown:
        raise KnowledgeError(f"unknown key {', '.join(sorted(unknown))} (known: {', '.join(sorted(required | optional))})")


def _choice(value: Any, choices: Tuple[str, ...], key: str) -> str:
    if value not in choices:
        raise KnowledgeError(f"'{key}' must be one of {', '.join(choices)}, not {value!r}")
    return value


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise KnowledgeError(f"'{key}' must be true or false")
    return value


def _position(value: Any, key: str) -> Tuple[int, str]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or isinstance(value[0], bool)
        or value[0] < 0
        or not isinstance(value[1], str)
    ):
        raise KnowledgeError(f"'{key}' must be [position, \"keyword\"], e.g. [0, \"n_classes\"]")
    return value[0], value[1]


def _strings(value: Any, key: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{key} must be a list of strings")
    return value
