"""Tensors the code creates (``torch.zeros``, literal tensors, ``torch.LongTensor``) and
dtype conversions (``.to(...)``, ``.type(...)``): their dtype, rank and width."""

from __future__ import annotations

from typing import Any, Iterable, List, Optional, Tuple

from losslint.analysis import tables as T
from losslint.analysis.engine.state import Args
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Axis,
    Cause,
    Const,
    Kind,
    QualRef,
    Sequence,
    Site,
    Tensor,
    const_value,
    of,
    unknown,
)


def converted_dtype(name: str, args: Args) -> Any:
    """The dtype after ``x.to(...)`` / ``x.type(...)`` / ``x.type_as(t)``: MISSING when
    the call says nothing of the dtype (a device, no argument), None when it gives one
    the analysis does not know."""
    if args.open:
        return None
    if name == "type_as":
        return dtype_argument(args.get(0, ("other",)) or unknown("", Cause.OTHER), name)
    given = [value for key, value in args.keywords if key in ("dtype", "other")]
    for value in given + list(args.positional):
        dtype = dtype_argument(value, name)
        if dtype is not MISSING:
            return dtype
    return MISSING


def dtype_argument(value: AbsVal, method: str) -> Any:
    """What one argument of a conversion says of the dtype: a dtype, a tensor whose dtype
    is taken, a device or flag (MISSING: nothing), or None when it cannot be told."""
    found = set()
    for a in value:
        if isinstance(a, QualRef) and (a.name in T.DTYPES or a.name == T.UNKNOWN_DTYPE):
            found.add(T.DTYPES.get(a.name))
        elif isinstance(a, QualRef) and a.name in T.TYPED_TENSOR_TYPES:
            found.add(T.TYPED_TENSOR_TYPES[a.name])
        elif isinstance(a, Tensor):
            found.add(a.dtype)
        elif isinstance(a, Const) and isinstance(a.value, str) and method == "type":
            found.add(T.TYPED_TENSOR_TYPES.get(a.value))
        elif (isinstance(a, Const) and not isinstance(a.value, str) and method == "to") or a == QualRef(T.DEVICE):
            found.add(MISSING)
        elif isinstance(a, Const) and isinstance(a.value, str):
            found.add(MISSING)  # a device name: "cuda", "cpu"
        else:
            return None
    if len(found) != 1:
        return None
    return found.pop()


def literal_tensor(args: Args, site: Site) -> AbsVal:
    data = args.get(0, ("data",))
    if data is None or not all(isinstance(a, Sequence) for a in data):
        return unknown("tensor built from data the analysis does not see", Cause.LOOP_OR_CONTAINER)
    numbers: List[float] = []

    def collect(value: AbsVal) -> bool:
        for atom in value:
            if isinstance(atom, Const) and isinstance(atom.value, (int, float)) and not isinstance(atom.value, bool):
                numbers.append(float(atom.value))
            elif isinstance(atom, Sequence) and not atom.open_start:
                if not all(collect(item) for item in atom.items):
                    return False
            else:
                return False
        return True

    if data is None or not collect(data) or not numbers:
        return unknown("literal tensor whose values may be probabilities", Cause.EXPRESSION)
    (sequence,) = data if len(data) == 1 else (None,)
    rank = 1 + _nesting(sequence) if isinstance(sequence, Sequence) else None
    floats = any(isinstance(a.value, float) for a in _constants(data))
    dtype = dtype_of(args, "float" if floats else "int")
    kind = Kind.UNBOUNDED if any(n < 0 or n > 1 for n in numbers) else None
    return of(Tensor(kind, rank=rank, act=site, dtype=dtype))


def _constants(value: AbsVal) -> Iterable[Const]:
    for atom in value:
        if isinstance(atom, Const):
            yield atom
        elif isinstance(atom, Sequence):
            for item in atom.items:
                yield from _constants(item)


def dtype_of(args: Args, default: Optional[str]) -> Optional[str]:
    given = args.get(None, ("dtype",))
    if given is None:
        return default
    names = {T.DTYPES.get(T.canonical(a.name)) for a in given if isinstance(a, QualRef)}
    return names.pop() if len(names) == 1 and len(given) == 1 else None


def size_of(args: Args) -> Optional[Tuple[Any, ...]]:
    """The literal-or-unknown dims of ``f(*size)`` / ``f(size)``; None if not even the rank is known."""
    if args.open:
        return None
    dims: List[Any] = list(args.positional)
    if len(dims) == 1:
        (only,) = dims
        sequences = [a for a in only if isinstance(a, Sequence)]
        if len(sequences) == len(only) == 1 and not sequences[0].open_start:
            dims = list(sequences[0].items)
        elif not isinstance(const_value(only, None), int):
            return None  # a shape (``out.shape``, ``x.size()``) or a value not known: any rank
    return tuple(const_value(d, None) for d in dims)


def created_tensor(kind: Optional[Kind], site: Site, size: Optional[Tuple[Any, ...]], dtype: Optional[str]) -> Tensor:
    if not size:
        return Tensor(kind, act=site, dtype=dtype)
    last = size[-1]
    width = last if isinstance(last, int) and len(size) >= 2 else None
    return Tensor(kind, width, Axis.LAST if width else None, len(size), act=site, dtype=dtype)


def literal_data_tensor(args: Args, site: Site, dtype: str) -> Tensor:
    """``torch.LongTensor([...])`` and friends: the dtype is the constructor's."""
    data = args.get(0, ("data",))
    rank = None
    if data is not None and len(data) == 1:
        (atom,) = data
        if isinstance(atom, Sequence) and not atom.open_start:
            rank = 1 + _nesting(atom)
    return Tensor(None, rank=rank, act=site, dtype=dtype)


def _nesting(sequence: Sequence) -> int:
    depth = 0
    while sequence.items:
        first = sequence.items[0]
        inner = [a for a in first if isinstance(a, Sequence)]
        if len(inner) != 1 or len(first) != 1:
            break
        sequence, depth = inner[0], depth + 1
    return depth
