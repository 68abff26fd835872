"""The tables the analysis reads, derived from the knowledge files (``losslint/knowledge``).

Keyed by canonical qualified names, so the interpreter never matches strings against
source text: ``from torch.nn import Softmax as S`` and
``torch.nn.modules.activation.Softmax`` both end up as ``torch.nn.Softmax``.
``configure`` (re)loads them with the user's own files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Optional, Sequence, Set, Tuple

from losslint.analysis.values import Axis, Kind
from losslint.knowledge import ActivationSpec, Knowledge, load, matches

_SUBMODULE = re.compile(r"^torch\.nn\.modules\.[a-z_]+\.")
_ALIASES: Dict[str, str] = {}
_PREFIXES: Dict[str, str] = {}  # [prefix_aliases]: "tensorflow.keras." -> "keras."
_PREFIX_PATTERN: Optional["re.Pattern[str]"] = None


def canonical(qualname: str) -> str:
    """The one name the tables below use for a library object, however it was imported."""
    qualname = _SUBMODULE.sub("torch.nn.", qualname)
    if _PREFIX_PATTERN is not None:
        for _ in range(3):  # tensorflow.compat.v1.keras. -> tensorflow.keras. -> keras.
            found = _PREFIX_PATTERN.match(qualname)
            if found is None:
                break
            qualname = _PREFIXES[found.group(0)] + qualname[found.end():]
    return _ALIASES.get(qualname, qualname)


@dataclass(frozen=True)
class LossFamily:
    """How a loss is called and what it expects."""

    name: str  # the display name used in messages
    input_names: Tuple[str, ...]
    target_names: Tuple[str, ...]
    input_position: int = 0
    target_position: int = 1
    framework: str = "torch"


@dataclass(frozen=True)
class Keyword:
    """An argument a loss takes by keyword, or at ``position`` (of the constructor for a
    class, of the call for a function)."""

    position: Optional[int]
    keyword: str


@dataclass(frozen=True)
class FromLogits(Keyword):
    """A loss's switch to its logits family: the argument, and the family a literal True
    selects."""

    family: str


@dataclass(frozen=True)
class Activation:
    """An activation: its output kind, and for softmax-like ones where ``dim`` goes."""

    kind: Kind
    dim_param: Optional[Tuple[int, str]] = None  # (position, keyword) of ``dim``
    implicit_dim: bool = False  # torch accepts a missing dim and guesses it
    non_negative: bool = False  # every output value is >= 0 (ReLU, ReLU6)
    default_dim: Optional[int] = None  # what a missing dim means (Keras: -1)
    rewritable: bool = True  # the sigmoid or softmax itself: a fix may remove it or make it its log form


@dataclass(frozen=True)
class LossMentions:
    """What names a loss in code, by the knowledge: the losses' last name parts
    (``CrossEntropyLoss``, ``mse_loss``, Keras's ``"mse"``), the methods that
    backpropagate one (``backward``), and the methods taking a ``loss=`` argument
    (Keras's ``compile``)."""

    parts: FrozenSet[str]
    calls: FrozenSet[str]
    loss_arguments: FrozenSet[str]
    elementwise: FrozenSet[str]  # ``mse_loss``, ``L1Loss``: not in ``RELEVANT``, read by LL303

    def named_by(self, names: Set[str], strings: Set[str], calls: Set[Tuple[str, Tuple[str, ...]]]) -> bool:
        """Whether code with these ``names`` (identifiers and attribute names), ``strings``
        passed to calls (``getattr(nn, "CrossEntropyLoss")``, ``compile(opt, "mae")``)
        and method ``calls`` (name, keywords) names a loss. Exactly: ``ViTMAELayer`` is
        not ``MAE``, ``kind == "mae"`` passes no loss."""
        return (
            not (self.parts.isdisjoint(names) and self.elementwise.isdisjoint(names) and self.parts.isdisjoint(strings))
            or any(method in self.calls or method in self.loss_arguments and "loss" in keywords for method, keywords in calls)
        )


@dataclass(frozen=True)
class WidthLayer:
    """A layer (or a model factory) whose output width is one of its arguments."""

    width_param: Tuple[int, str]
    axis: Axis


CLASS_INDEX_LOSSES = frozenset({"cross_entropy", "nll_loss"})
LOGITS_LOSSES = frozenset(
    {"binary_cross_entropy_with_logits", "multilabel_soft_margin_loss", "sigmoid_focal_loss"}
)
"""Families the rules ask about (user losses join one with ``like``)."""
KERAS_SPARSE_LOSSES = frozenset({"keras_sparse_categorical_crossentropy", "keras_sparse_categorical_crossentropy_logits"})
KERAS_CATEGORICAL_LOSSES = frozenset({"keras_categorical_crossentropy", "keras_categorical_crossentropy_logits"})
KERAS_CLASS_LOSSES = KERAS_SPARSE_LOSSES | KERAS_CATEGORICAL_LOSSES
"""Keras's (sparse) categorical cross-entropies, both from_logits values."""

INSTANCE = "#instance"  # QualRef suffix for an instance of a launcher class
DEVICE = "torch.device#instance"
"""A device (``torch.device(...)``, ``t.device``): moving to it keeps the dtype."""

EXP_LOG = {
    ("exp", Kind.LOG_SOFTMAX): Kind.SOFTMAX,
    ("exp", Kind.LOGSIGMOID): Kind.SIGMOID,
    ("log", Kind.SOFTMAX): Kind.LOG_SOFTMAX,
    ("log", Kind.SIGMOID): Kind.LOGSIGMOID,
}
_KINDS = {"sigmoid": Kind.SIGMOID, "softmax": Kind.SOFTMAX, "log_softmax": Kind.LOG_SOFTMAX,
          "logsigmoid": Kind.LOGSIGMOID, "relu": Kind.RELU, "tanh": Kind.TANH, "logits": Kind.LOGITS}  # fmt: skip
_AXES = {"last": Axis.LAST, "channel": Axis.CHANNEL}

KNOWLEDGE: Knowledge = Knowledge()
"""The merged knowledge files; ``configure`` loads them and sets the tables below."""
KNOWLEDGE_FINGERPRINT = ""
"""A hash of the user's knowledge files: part of every cache key."""
_BUILT_IN_ONLY = False  # the tables hold the built-in knowledge alone
USER_FILES: Tuple[str, ...] = ()
"""The user's knowledge files the tables were configured with (a worker process that
did not inherit them, started by spawn or forkserver, configures them again)."""


def configure(user_files: Sequence[str] = ()) -> None:
    """Load the built-in knowledge and ``user_files`` (absolute paths; theirs win) and set
    this module's tables from them; raises KnowledgeError naming the file and entry.
    Without user files, tables that already hold the built-in knowledge are kept (the
    command line configures again what importing this module configured)."""
    global KNOWLEDGE, KNOWLEDGE_FINGERPRINT, _BUILT_IN_ONLY, USER_FILES
    if not user_files and _BUILT_IN_ONLY:
        return
    knowledge = load(user_files)
    tables = _tables(knowledge)
    KNOWLEDGE = knowledge
    KNOWLEDGE_FINGERPRINT = knowledge.digest
    _BUILT_IN_ONLY = not user_files
    USER_FILES = tuple(user_files)
    _ALIASES.clear()
    _ALIASES.update(knowledge.mapping("aliases"))
    global _PREFIX_PATTERN
    _PREFIXES.clear()
    _PREFIXES.update(knowledge.mapping("prefix_aliases"))
    ordered_prefixes = sorted(_PREFIXES, key=lambda p: (-len(p), p))
    _PREFIX_PATTERN = re.compile("|".join(re.escape(p) for p in ordered_prefixes)) if _PREFIXES else None
    _MODEL_ENTRIES.clear()
    _UNSEEN.clear()
    globals().update(tables)


def _tables(k: Knowledge) -> Dict[str, Any]:
    """Every table the engine reads, derived from the knowledge files."""
    loss_classes: Dict[str, str] = {}
    loss_functions: Dict[str, str] = {}
    signatures: Dict[str, LossFamily] = {}
    unchecked_targets: set = set()
    strings: Dict[str, str] = {}
    from_logits: Dict[str, FromLogits] = {}
    float_target: Dict[str, Keyword] = {}
    frameworks: Dict[str, str] = {}
    displays: Dict[str, str] = {}
    for key, entry in k.mapping("loss").items():
        family = entry.get("like", key)  # the loader checked that it is a known family
        signature = LossFamily(
            entry["display"], tuple(entry.get("input", ("input",))), tuple(entry.get("target", ("target",))),
            entry.get("input_position", 0), entry.get("target_position", 1), entry.get("framework", "torch"),
        )
        frameworks.setdefault(family, entry.get("framework", "torch"))
        displays.setdefault(family, entry["display"])
        switch = entry.get("from_logits")
        converting = entry.get("float_target")
        for name in entry.get("classes", []):
            loss_classes[name] = family
            signatures[name] = signature
            if switch is not None:
                from_logits[name] = FromLogits(switch.get("class_position"), switch["keyword"], switch["family"])
            if converting is not None:
                float_target[name] = Keyword(converting.get("class_position"), converting["keyword"])
        for name in entry.get("functions", []):
            loss_functions[name] = family
            signatures[name] = signature
            if switch is not None:
                from_logits[name] = FromLogits(switch.get("function_position"), switch["keyword"], switch["family"])
            if converting is not None:
                float_target[name] = Keyword(converting.get("function_position"), converting["keyword"])
        for name in entry.get("strings", []):
            strings[name] = key
        if not entry.get("checks_target", True):
            unchecked_targets.update(entry.get("classes", []) + entry.get("functions", []))
    widths = {**k.mapping("layer.width"), **k.mapping("model_factory")}
    value_losses = k.names("loss_value.classes") | k.names("loss_value.functions")
    mentions = LossMentions(
        frozenset(n.rsplit(".", 1)[-1] for table in (loss_classes, loss_functions, value_losses, strings) for n in table),
        frozenset(k.names("tensor.backward")),
        frozenset(m for m, spec in k.mapping("training.compile").items() if spec.get("loss")),
        frozenset(n.rsplit(".", 1)[-1] for n in k.names("loss_value.elementwise")),
    )
    return {
        "MODULE_BASES": k.names("library.model_bases"),
        "MODULE_BASE_PATTERNS": tuple(tuple(p.split(".")) for p in sorted(k.names("library.model_base_patterns"))),
        "NO_GRAD_HOOKS": k.names("library.no_grad_hooks"),
        "LIBRARY_ROOTS": k.names("library.roots"),
        "LOSS_CLASSES": loss_classes,
        "LOSS_FUNCTIONS": loss_functions,
        "LOSS_SIGNATURES": signatures,
        "UNCHECKED_TARGETS": frozenset(unchecked_targets),
        "LOSS_STRINGS": strings,
        "FROM_LOGITS": from_logits,
        "FLOAT_TARGET": float_target,
        "FAMILY_FRAMEWORKS": frameworks,
        "FAMILY_DISPLAYS": displays,
        "CALL_METHODS": tuple(k.tables.get("library.call_methods", ())),
        "ACTIVATION_NAMES": {n: _KINDS[v] for n, v in k.mapping("activation.names").items() if v in _KINDS},
        "LAYER_ACTIVATIONS": {
            **{n: w.activation for n, w in k.mapping("layer.width").items() if w.activation is not None},
            **{n: a.activation for n, a in k.mapping("layer.activation").items()},
        },
        "ACTIVATION_ARGUMENT_LAYERS": k.names("layer.activation"),
        "LAYER_LISTS": k.names("container.layer_list"),
        "ADD_METHODS": k.names("container.add_methods"),
        "GRAPHS": k.mapping("container.graph"),
        "PLACEHOLDERS": k.mapping("creation.placeholder"),
        "ONE_HOT_FLOAT": k.names("creation.one_hot_float"),
        "DATASET_ARRAYS": k.mapping("dataset.arrays"),
        "COMPILE_METHODS": k.mapping("training.compile"),
        "LOSS_OVERRIDES": k.names("training.loss_overrides"),
        "UNSEEN_MODELS": tuple(tuple(p.split(".")) for p in sorted(k.names("training.unseen_models"))),
        "FIT_METHODS": k.mapping("training.fit"),
        "PREDICT_METHODS": k.mapping("training.predict"),
        "MODELS": k.mapping("model"),
        "MODEL_BUILDERS": tuple(
            (tuple(pattern.split(".")), key) for key, spec in sorted(k.mapping("model").items()) for pattern in spec.builders
        ),
        "MODEL_BY_NAME": k.mapping("model_by_name"),
        "TRAINERS": k.mapping("trainer"),
        "ADAPTERS": k.mapping("adapter"),
        "RECORD_BUILDERS": k.mapping("record_builder"),
        "LOSS_NAME_FRAMEWORKS": {e["display"]: e.get("framework", "torch") for e in k.mapping("loss").values()},
        "DATACLASS_BASES": k.names("library.dataclass_bases"),
        "DATACLASS_DECORATORS": k.names("library.dataclass_decorators"),
        "SETUP_METHODS": k.mapping("library.setup_methods"),
        "ACTIVATION_LAYERS": {n: _activation(a) for n, a in k.mapping("activation.layer").items()},
        "ACTIVATION_FUNCTIONS": {n: _activation(a) for n, a in k.mapping("activation.function").items()},
        "ACTIVATION_METHODS": {n: _activation(a) for n, a in k.mapping("activation.method").items()},
        "WIDTH_LAYERS": {n: WidthLayer(w.width, _AXES[w.axis]) for n, w in widths.items()},
        "SEQUENCE_LAYERS": k.mapping("layer.sequence"),
        "NORM_LAYERS": k.names("layer.norm"),
        "TRANSPARENT_LAYERS": k.names("layer.transparent"),
        "FLATTEN_LAYERS": k.names("layer.flatten"),
        "EMBEDDINGS": k.names("layer.embedding"),
        "SEQUENTIALS": k.names("container.sequential"),
        "MODULE_CONTAINERS": k.names("container.module_list"),
        "ORDERED_DICT": k.names("container.ordered_dict"),
        "MODULE_DICTS": k.names("container.module_dict"),
        "WRAPPERS": k.names("wrapper.returns_argument"),
        "APPLY_MODULES": k.names("wrapper.apply_module"),
        "LAUNCHERS": k.names("launcher.classes"),
        "PROCESS_TARGETS": k.names("process.target"),
        "SPAWNS": k.names("process.spawn"),
        "PASS_THROUGH_METHODS": k.names("launcher.pass_through"),
        "SHAPE_METHODS": k.names("tensor.same_values"),
        "IN_PLACE_RESHAPES": k.names("tensor.in_place_reshapes"),
        "CONVERSIONS": k.names("tensor.conversions"),
        "SHAPE_AS": k.names("tensor.shape_as"),
        "SHAPE_FUNCTIONS": k.mapping("tensor.shape_functions"),
        "CLAMP": k.names("tensor.clamp"),
        "CLAMP_FUNCTIONS": k.names("tensor.clamp_functions"),
        "EXP_LOG_FUNCTIONS": k.mapping("tensor.exp_log_functions"),
        "LOG_FUNCTIONS": k.names("tensor.log_functions"),
        "SHAPE_ATTRIBUTES": k.names("tensor.shape_attributes"),
        "ORDER_PRESERVING_ALONG": k.names("tensor.order_preserving_along"),
        "ORDER_PRESERVING": k.names("tensor.order_preserving_along") | k.names("tensor.order_preserving"),
        "DEVICE_ATTRIBUTES": k.names("tensor.device_attributes"),
        "DTYPE_METHODS": k.mapping("tensor.dtype_methods"),
        "DTYPES": k.mapping("dtype.names"),
        "DTYPE_NAMES": k.mapping("dtype.of_tensor"),
        "UNKNOWN_DTYPE": k.tables.get("dtype.unknown", "torch.dtype"),
        "DTYPE_FUNCTIONS": k.mapping("dtype.functions"),
        "DEVICE_FUNCTIONS": k.names("dtype.device_functions"),
        "SIZED_CREATION": k.mapping("creation.sized"),
        "RANDOM_UNBOUNDED": k.names("creation.random_unbounded"),
        "LITERAL_TENSORS": k.names("creation.literal"),
        "TYPED_TENSORS": k.mapping("creation.typed"),
        "TYPED_TENSOR_TYPES": {
            **k.mapping("creation.typed"),
            **{n.replace("torch.", "torch.cuda.", 1): d for n, d in k.mapping("creation.typed").items()},
        },
        "LIKE_CREATION": k.names("creation.like"),
        "ONE_HOT": k.names("creation.one_hot"),
        "RANDINT": k.names("creation.randint"),
        "FULL": k.names("creation.full"),
        "ARANGE": k.names("creation.arange"),
        "GRAD_OFF": k.names("context.grad_off"),
        "GRAD_ON": k.names("context.grad_on"),
        "GRAD_SWITCHES": k.names("context.grad_switch"),
        "AUTOCAST": k.names("context.autocast"),
        "AUTOCAST_CUDA_ONLY": k.names("context.autocast_cuda_only"),
        "VALUE_LOSS_CLASSES": k.names("loss_value.classes"),
        "VALUE_LOSS_FUNCTIONS": k.names("loss_value.functions"),
        "ELEMENTWISE_LOSSES": k.names("loss_value.elementwise"),
        "BACKWARD_METHODS": k.names("tensor.backward"),
        "TRANSPOSES": k.names("tensor.transposes"),
        "TRANSPOSE_ATTRIBUTES": k.names("tensor.transpose_attributes"),
        "REDUCTIONS": k.names("tensor.reductions"),
        "SELECTIONS": k.names("tensor.selections"),
        "JOINS": k.names("tensor.joins"),
        "STACKS": k.names("tensor.stacks"),
        "WHERE": k.names("tensor.where"),
        "RESIZE_FUNCTIONS": k.names("tensor.resize_functions"),
        "RESIZE_LAYERS": k.names("layer.resize"),
        "CLASS_INDEX_DATASETS": k.mapping("dataset.class_index"),
        "TENSOR_DATASETS": k.names("dataset.tensors"),
        "DATASET_INPUT_ATTRIBUTES": k.names("dataset.input_attributes"),
        "LOADERS": k.names("dataset.loaders"),
        "ITERATE": k.names("dataset.iterate"),
        "RELEVANT": LossPrefilter(mentions),
        "LOSS_MENTIONS": mentions,
    }


def _activation(spec: ActivationSpec) -> Activation:
    return Activation(_KINDS[spec.kind], spec.dim, spec.implicit_dim, spec.non_negative, spec.default_dim, spec.rewritable)


class LossPrefilter:
    """Whether bytes may hold a loss: they name one of the losses' last name parts
    (anywhere, even inside a longer word), call one of the ``calls`` methods
    (``.backward(``, not ``def backward(ctx, ...)``) or pass a ``loss`` to a
    ``loss_arguments`` method (``model.compile(..., loss=my_loss)``). A file for which
    it is False cannot hold a loss: the prefilter of files worth running as entry
    points, derived from the knowledge.

    One alternation of every name, searched at every position of a file, cost 40% of
    parsing it (diffusers: 2.0 s against 4.6 s). A name made of word characters lies
    inside one maximal run of them, so the alternation runs over the file's distinct
    words instead (each once, a fifth of the text), after a scan for the other
    literals (fast ``in`` tests)."""

    _WORDS = re.compile(rb"\w+")  # bytes: ASCII letters, digits and "_"

    def __init__(self, mentions: "LossMentions") -> None:
        literals = [part.encode() for part in mentions.parts if part] + [f".{name}(".encode() for name in mentions.calls]
        words = sorted((p for p in literals if self._WORDS.fullmatch(p)), key=lambda p: (-len(p), p))
        self.literals = tuple(sorted(p for p in literals if not self._WORDS.fullmatch(p)))
        self.words = re.compile(b"|".join(map(re.escape, words)) or b"(?!)")
        heads = sorted(f".{name}(".encode() for name in mentions.loss_arguments)
        self.argument_heads = tuple(heads)
        self.arguments = re.compile(b"|".join(re.escape(head) + rb"(?s:.){0,400}?\bloss\b" for head in heads) or b"(?!)")

    def search(self, data: bytes) -> bool:
        if any(literal in data for literal in self.literals):
            return True
        if any(head in data for head in self.argument_heads) and self.arguments.search(data):
            return True
        return self.words.search(b" ".join(set(self._WORDS.findall(data)))) is not None


_MODEL_ENTRIES: Dict[str, Optional[str]] = {}
MODEL_BUILDERS: Tuple[Tuple[Tuple[str, ...], str], ...] = ()  # (pattern parts, entry); set by configure
MODULE_BASES: frozenset = frozenset()
MODULE_BASE_PATTERNS: Tuple[Tuple[str, ...], ...] = ()


def is_model_base(name: str) -> bool:
    """A library class whose subclasses are models (``nn.Module``, ``nn.Transformer``)."""
    name = canonical(name)
    return name in MODULE_BASES or any(matches(p, tuple(name.split("."))) for p in MODULE_BASE_PATTERNS)


def model_entry(name: str) -> Optional[str]:
    """The ``[model.<entry>]`` whose builder patterns match the callee ``name``."""
    if name not in _MODEL_ENTRIES:
        parts = tuple(name.split("."))
        _MODEL_ENTRIES[name] = next((key for pattern, key in MODEL_BUILDERS if matches(pattern, parts)), None)
    return _MODEL_ENTRIES[name]


_UNSEEN: Dict[str, bool] = {}
UNSEEN_MODELS: Tuple[Tuple[str, ...], ...] = ()  # set by configure


def unseen_model(name: str) -> bool:
    """A callee giving a library-trained model whose layers the analysis does not see
    (``[training] unseen_models``); remembered per name, as every library callee the
    tables before it do not know is asked."""
    if name not in _UNSEEN:
        parts = tuple(name.split("."))
        _UNSEEN[name] = any(matches(pattern, parts) for pattern in UNSEEN_MODELS)
    return _UNSEEN[name]


_SHORT_PREFIXES = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."), ("Tensor.", "Tensor."))


def display_name(qualname: str) -> str:
    """``torch.nn.functional.softmax`` -> ``F.softmax``; ``torch.nn.Softmax`` -> ``nn.Softmax()``."""
    for prefix, short in _SHORT_PREFIXES:
        if qualname.startswith(prefix):
            name = short + qualname[len(prefix):]
            return name + "()" if short == "nn." else name
    return qualname


configure()
