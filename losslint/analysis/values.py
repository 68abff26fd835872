"""Abstract values: what the analysis knows about a Python value without running it.

Every expression evaluates to an ``AbsVal``: a frozenset of alternative atoms, one per
way the value can be produced (the two sides of an ``if``, several call sites...).
A rule may only fire when *every* alternative is known and wrong, so ``Unknown`` is an
ordinary atom that keeps a union honest: once present, nothing is proven.
"""

from __future__ import annotations

import enum
import functools
import operator
import zlib
from dataclasses import dataclass, fields, replace
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

MAX_ALTERNATIVES = 12


class Kind(enum.Enum):
    """What a tensor's values are, as far as a loss function cares."""

    LOGITS = "raw logits"
    SIGMOID = "sigmoid probabilities"
    SOFTMAX = "softmax probabilities"
    LOG_SOFTMAX = "log-probabilities"
    LOGSIGMOID = "log-sigmoid values"
    RELU = "ReLU-family outputs"
    TANH = "tanh outputs"
    UNBOUNDED = "values outside [0, 1]"
    LOSS = "a loss value"


PROBABILITIES = frozenset({Kind.SIGMOID, Kind.SOFTMAX})
NOT_IN_UNIT_INTERVAL = frozenset(
    {Kind.LOGITS, Kind.RELU, Kind.TANH, Kind.UNBOUNDED, Kind.LOG_SOFTMAX, Kind.LOGSIGMOID}
)


@dataclass(frozen=True)
class Site:
    """A reportable place: the file's path and the ordinal of the node in that file."""

    path: str
    ordinal: int


@dataclass(frozen=True)
class PartSite(Site):
    """One element of what the call at (path, ordinal) was given: the second loss of
    ``compile(loss=[a, b])`` (``part`` 1) or the loss ``"cls"`` of a dict of losses. Its
    facts are its own; it is reported at that element of the call."""

    part: Any = 0


class Axis(enum.Enum):
    """Which dimension a known width belongs to."""

    LAST = "last"  # nn.Linear: (..., out_features)
    CHANNEL = "channel"  # nn.Conv*d: (N, out_channels, ...)


_MASK = (1 << 61) - 1


_STR_HASHES: Dict[str, int] = {}


def _hash_str(value: str) -> int:
    """crc32 of the text, remembered: the same names are hashed over and over."""
    found = _STR_HASHES.get(value)
    if found is None:
        found = _STR_HASHES[value] = zlib.crc32(value.encode("utf-8", "surrogatepass"))
    return found


def _hash_tuple(value: tuple) -> int:
    h = 0x345678
    for item in value:
        kind = type(item)
        if kind is str:
            item_hash = _STR_HASHES.get(item)
            if item_hash is None:
                item_hash = _hash_str(item)
        elif kind is frozenset or kind is int:
            item_hash = hash(item)  # frozensets cache theirs, stable because atoms' are
        elif kind is tuple:
            item_hash = _hash_tuple(item)
        else:
            hasher = _KNOWN_HASHERS.get(kind)  # atoms, enums, sites, None: found without the isinstance tests
            item_hash = hasher(item) if hasher is not None else stable_hash(item)
        h = ((h ^ item_hash) * 1000003) & _MASK
    return h ^ len(value)


_HASHERS: Dict[type, Callable[[Any], int]] = {
    str: _hash_str,
    int: hash,  # numbers hash the same in every process
    float: hash,
    bool: hash,
    complex: hash,
    tuple: _hash_tuple,
    frozenset: hash,  # cached by CPython; stable because its atoms' hashes are
    type(None): lambda _: 0x2545F491,
}


def stable_hash(value: Any) -> int:
    """A hash that is the same in every process, whatever PYTHONHASHSEED is (str hashes
    are salted): it keeps the iteration order of alternatives, and so the analysis and
    its output, deterministic. Atoms cache theirs."""
    hasher = _HASHERS.get(type(value))
    if hasher is not None:
        return hasher(value)
    if isinstance(value, Atom):
        _KNOWN_HASHERS[type(value)] = hash
        return hash(value)
    if isinstance(value, enum.Enum):
        _KNOWN_HASHERS[type(value)] = _hash_enum
        return _hash_enum(value)
    if isinstance(value, Site):
        _KNOWN_HASHERS[type(value)] = _hash_site
        return _hash_site(value)
    return _hash_str(repr(value))


_KNOWN_HASHERS: Dict[type, Callable[[Any], int]] = {type(None): _HASHERS[type(None)], float: hash, bool: hash}
"""``stable_hash`` by exact type, for the types it has met (the same values, found faster)."""
_ENUM_HASHES: Dict[Any, int] = {}
_SITE_HASHES: Dict[Any, int] = {}


def _hash_enum(value: enum.Enum) -> int:
    found = _ENUM_HASHES.get(value)
    if found is None:
        found = _ENUM_HASHES[value] = _hash_str(value.name)
    return found


def _hash_site(value: "Site") -> int:
    found = _SITE_HASHES.get(value)
    if found is None:
        if len(_SITE_HASHES) > 1_000_000:  # sites are few; bounded all the same
            _SITE_HASHES.clear()
        found = _SITE_HASHES[value] = _hash_tuple((value.path, value.ordinal))
    return found


def _cached_hash(self: "Atom") -> int:
    try:
        return self._hash
    except AttributeError:  # the first time only
        cls = type(self)
        cached = _hash_tuple((cls.__name__,) + cls._fields_of(self))  # type: ignore[attr-defined]
        object.__setattr__(self, "_hash", cached)
        return cached


class Atom:
    """Base of every alternative an abstract value can hold."""

    __slots__ = ("_hash",)  # ``_cached_hash``'s
    _hash: int


def atom(cls: type) -> type:
    """A frozen dataclass whose hash is stable across processes and cached: values are
    deep (instances hold their layers) and are hashed for every memoised call."""
    cls = dataclass(frozen=True, slots=True)(cls)
    cls.__hash__ = _cached_hash  # type: ignore[assignment]
    cls._field_names = tuple(f.name for f in fields(cls))  # type: ignore[attr-defined]
    names = cls._field_names  # type: ignore[attr-defined]
    getter = operator.attrgetter(*names) if names else (lambda _: ())
    cls._fields_of = staticmethod(getter if len(names) != 1 else lambda atom: (getter(atom),))  # type: ignore[attr-defined]
    return cls


class Cause(enum.Enum):
    """Why a value is unknown, from a fixed set (most telling first): LL900,
    ``--statistics`` and the README's categories read this, never the wording."""

    DYNAMIC_DISPATCH = "dynamic dispatch"
    UNREACHED_FILE = "defined in a linted file the import does not reach"
    UNKNOWN_LIBRARY = "model from an unknown library"
    FROM_OUTSIDE = "passed in from outside the analysed code"
    UNFOLLOWED_STATE = "state the analysis cannot follow"
    NOT_MODELLED = "library operation not modelled"
    EXPRESSION = "arithmetic or an expression not modelled"
    LOOP_OR_CONTAINER = "data from a loop or a container"
    LIMITS = "analysis limits"
    OTHER = "other"


@atom
class Unknown(Atom):
    """Nothing is known; ``cause`` says why (one of a fixed set), ``reason`` in words."""

    reason: str = "unknown"
    cause: Cause = Cause.OTHER


@atom
class Const(Atom):
    """A Python literal: int, float, str, bool, None."""

    value: Any


@atom
class SliceConst(Atom):
    """A literal slice (``[:-1]``); ``slice`` objects are not hashable before 3.12."""

    start: Optional[int]
    stop: Optional[int]
    step: Optional[int]

    def to_slice(self) -> slice:
        return slice(self.start, self.stop, self.step)


@atom
class Tensor(Atom):
    """A tensor whose kind is known.

    ``act`` is where the kind was decided (the activation, or the last layer for logits),
    ``layer`` the layer that fixed the width, ``source`` the model that produced it.
    ``origin`` is set on an activation's output only: where the activation is applied
    (the call, or the layer's construction inside an ``nn.Sequential``), the place a fix
    changes; the analysis records every use of such a tensor (``Facts.uses``).
    """

    kind: Optional[Kind]  # None: a tensor whose values are not known (a target, data)
    width: Optional[int] = None
    axis: Optional[Axis] = None
    rank: Optional[int] = None
    act: Optional[Site] = None
    layer: Optional[Site] = None
    source: Optional[str] = None
    dtype: Optional[str] = None  # "int", "float" or "bool" where the code shows it
    origin: Optional[Site] = None
    selected: bool = False  # indexed out of the activation's output: not the whole vector
    floored: bool = False  # clamped to a positive minimum: its log stays finite
    averaged: bool = False  # a mean over samples or alternatives: probabilities still, but the softmax of nothing


@atom
class QualRef(Atom):
    """A name outside the linted tree, by qualified name (``torch.nn.functional.softmax``)."""

    name: str


@atom
class ModuleRef(Atom):
    """A module of the linted code (``import models`` / ``from . import nets``)."""

    path: str


@atom
class LazyImport(Atom):
    """``from m import name`` of a linted module, looked up when first used: package
    ``__init__`` files re-export hundreds of names, and following each at import time
    would parse most of a large repository."""

    path: str
    name: str


@atom
class Layer(Atom):
    """An instance of a known torch.nn layer (``nn.Linear(8, 1)``, ``nn.Sigmoid()``)."""

    name: str  # canonical qualified name of its class
    site: Optional[Site]
    width: Optional[int] = None  # output width, where the layer fixes one
    dim: Any = None  # softmax-like layers: the dim argument (a Const value or MISSING)
    batch_first: Optional[bool] = None  # sequence layers: True when built with a literal batch_first=True
    activation: Any = None  # layers taking an activation argument: its Kind, None (linear) or "?" (unknown)


@atom
class Sequence(Atom):
    """``nn.Sequential`` or a list / tuple of values.

    ``open_start`` marks a sequence whose leading items are not known (a list grown in a
    loop): its last items are still known, which is what a model's output depends on.
    """

    items: Tuple["AbsVal", ...]
    container: str  # "sequential", "list" or "tuple"
    open_start: bool = False
    site: Optional[Site] = None


@atom
class Mapping(Atom):
    """A dict literal (or an OrderedDict) with constant keys."""

    items: Tuple[Tuple[Any, "AbsVal"], ...]


@atom
class Loss(Atom):
    """An instance of a loss module (``nn.CrossEntropyLoss()``), by its class's name."""

    callee: str
    site: Optional[Site]
    from_logits: Optional[bool] = False  # a loss with a from_logits switch: the literal given, None when not known
    float_target: Optional[bool] = False  # built with its ``float_target`` argument: it makes the target a float itself (None: may be)


@atom
class Graph(Atom):
    """A model built from the values its layers computed (Keras's functional
    ``Model(inputs, outputs)``): calling it gives ``outputs``."""

    outputs: "AbsVal"
    site: Optional[Site] = None


@atom
class Model(Atom):
    """An instance of a library model the knowledge describes (``resnet18(num_classes=2)``).

    ``entry`` is its ``[model.<entry>]`` in the knowledge, ``site`` where it is built;
    ``width`` None when not known, ``features`` when built without a head (timm's
    ``num_classes=0``). ``heads`` are the modules the code put in place of the built-in
    heads: (output field, the path assigned, the module); ``lost`` the fields whose head changed in a way the analysis
    cannot follow (their output is unknown).
    """

    entry: str
    name: str  # the builder, for messages
    site: Site
    width: Optional[int] = None
    features: bool = False
    heads: Tuple[Tuple[str, Tuple[Any, ...], "AbsVal"], ...] = ()
    lost: Tuple[str, ...] = ()


@atom
class Record(Atom):
    """A result read by attribute, key and position (a ``ModelOutput``, a namedtuple):
    ``fields`` by name, ``positional`` its leading items by position (None when the
    order depends on something the analysis cannot see)."""

    fields: Tuple[Tuple[str, "AbsVal"], ...]
    positional: Optional[Tuple["AbsVal", ...]] = None
    iterable: bool = False  # a namedtuple: unpacking gives its items (a ModelOutput gives its keys)


@atom
class Function(Atom):
    """A function or method defined in the linted code."""

    module: str
    qualname: str  # dotted path inside the module, unique per definition
    closure: int = 0  # id of the enclosing frame for nested functions (0: module level)


@atom
class Class(Atom):
    """A class defined in the linted code."""

    module: str
    qualname: str


@atom
class Instance(Atom):
    """An instance of a class defined in the linted code.

    ``args`` are the abstract constructor arguments, so ``Net(num_classes=1)`` and
    ``Net()`` are different instances. ``overrides`` records attributes assigned from
    outside after construction (``model.fc = nn.Linear(...)``).
    """

    cls: Class
    args: Tuple[Tuple[str, "AbsVal"], ...]
    overrides: Tuple[Tuple[str, "AbsVal"], ...] = ()


@atom
class Bound(Atom):
    """A method bound to its receiver (``self.helper``, ``x.softmax``, ``layers.append``)."""

    receiver: Atom
    name: str
    function: Optional[Function] = None


@atom
class Adapted(Atom):
    """A callable a library made from ``target`` (``jax.value_and_grad(loss_fn)``, a
    flax module's ``model.apply``): calling it calls ``target`` as the knowledge's
    ``[adapter."<adapter>"]`` entry says."""

    target: "AbsVal"
    adapter: str
    bound: Tuple["AbsVal", ...] = ()  # functools.partial's arguments, passed first
    bound_keywords: Tuple[Tuple[str, "AbsVal"], ...] = ()


@atom
class Super(Atom):
    """``super()`` inside a method of ``cls``, bound to ``instance``."""

    instance: Atom
    cls: Class


AbsVal = frozenset  # frozenset[Atom]


def identity(atom: Atom) -> Optional[tuple]:
    """The object an atom stands for, whatever has been assigned into it since it was
    made (None for values without one): a function that sets ``model.fc`` changes its
    caller's ``model``, which is the same object with a new attribute."""
    if isinstance(atom, Instance):
        return (atom.cls, atom.args)
    if isinstance(atom, Model):
        return (atom.entry, atom.site)
    return None

MISSING = Const("<missing>")


def of(*atoms: Atom) -> AbsVal:
    """Build an abstract value from atoms."""
    return frozenset(atoms)


def constant(value: Any) -> AbsVal:
    """``of(Const(value))``, one shared value for each short string, int, bool and None:
    a literal's evaluation made and hashed a new atom every time (on detectron2, 134,000
    of the 270,000 atoms the analysis hashed were constants)."""
    kind = type(value)
    if kind is int or kind is bool or value is None or (kind is str and len(value) <= 64):
        return _constant(kind, value)
    return frozenset((Const(value),))


@functools.lru_cache(maxsize=8192)
def _constant(kind: type, value: Any) -> AbsVal:  # keyed by type too: 1, True and 1.0 are equal keys
    return frozenset((Const(value),))


@functools.lru_cache(maxsize=4096)
def unknown(reason: str, cause: Cause = Cause.OTHER) -> AbsVal:
    return frozenset((Unknown(reason, cause),))


def join(values: Iterable[AbsVal]) -> AbsVal:
    """The union of alternatives, collapsed to Unknown when it grows too large."""
    out: set = set()
    for value in values:
        out |= value
    if len(out) > MAX_ALTERNATIVES:
        return unknown("too many alternatives", Cause.LIMITS)
    return frozenset(out)


def ordered(value: AbsVal) -> list:
    """The alternatives in a fixed order, for loops whose side effects (memoised calls,
    recorded facts, budgets) could depend on it."""
    if len(value) < 2:
        return list(value)
    return sorted(value, key=hash)  # atoms hash the same in every process


def const_value(value: AbsVal, default: Any = None) -> Any:
    """The literal value if every alternative is the same constant."""
    if len(value) == 1:
        (atom,) = value
        if isinstance(atom, Const):
            return atom.value
    return default


def with_source(value: AbsVal, source: str) -> AbsVal:
    """Label tensors that leave a model with the model's name (outermost model wins),
    also inside the tuples, lists and dicts a ``forward`` returns."""

    def label(atom: Atom) -> Atom:
        if isinstance(atom, Tensor):
            return replace(atom, source=source)
        if isinstance(atom, Sequence) and atom.container != "sequential":
            return replace(atom, items=tuple(with_source(item, source) for item in atom.items))
        if isinstance(atom, Mapping):
            return Mapping(tuple((key, with_source(item, source)) for key, item in atom.items))
        return atom

    return frozenset(label(a) for a in value)
