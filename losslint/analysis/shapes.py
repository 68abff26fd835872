"""Shape-only operations on tensors (view, reshape, flatten, squeeze, unsqueeze,
view_as): the kind stays; a known width survives only while the code shows that its
axis is untouched."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

from losslint.analysis.creation import size_of
from losslint.analysis.engine.state import Args
from losslint.analysis.tensor_ops import width_index
from losslint.analysis.values import (
    AbsVal,
    Axis,
    Cause,
    Const,
    Tensor,
    const_value,
    of,
    unknown,
)


def reshaped(atom: Tensor, name: str, args: Args) -> Tensor:
    """Shape-only ops keep the kind; the width survives only while the code shows that
    its axis is untouched (a squeeze, flatten or reshape that may remove or merge it
    makes the width unknown)."""
    if name in ("view", "reshape"):
        size = size_of(args)
        if size is None:
            return replace(atom, width=None, axis=None, rank=None)
        last = size[-1] if size else None
        if isinstance(last, int) and last > 0 and not (len(size) == 1 and last == 1):
            return replace(atom, width=last, axis=Axis.LAST, rank=len(size))
        return replace(atom, width=None, axis=None, rank=len(size))
    if name == "flatten":
        start = const_value(args.get(0, ("start_dim",)) or of(Const(0)), None)
        end = const_value(args.get(1, ("end_dim",)) or of(Const(-1)), None)
        return flattened(atom, start, end)
    if name in ("squeeze", "squeeze_"):
        if args.positional or args.keywords:
            return squeezed(atom, const_value(args.get(0, ("dim",)) or unknown("", Cause.OTHER), None))
        return squeezed(atom, "all")
    if name in ("unsqueeze", "unsqueeze_"):
        dim = const_value(args.get(0, ("dim",)) or of(Const(None)), None)
        return unsqueezed(atom, dim)
    return atom


def flattened(atom: Tensor, start: Any, end: Any) -> Tensor:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        return replace(atom, width=None, axis=None, rank=None)
    rank = atom.rank
    if rank is None:
        if end == -1 and start in (0, 1):  # (N, *) -> (N*...,) or (N, ...)
            return replace(atom, width=None, axis=None, rank=start + 1)
        if atom.axis is Axis.LAST and end < -1:  # the last axis is not merged
            return replace(atom, rank=None)
        return replace(atom, width=None, axis=None, rank=None)
    first, last = start % max(rank, 1), end % max(rank, 1)
    if last <= first:
        return atom
    merged_rank = rank - (last - first)
    index = width_index(atom)
    if index is not None and first <= index <= last:
        return replace(atom, width=None, axis=None, rank=merged_rank)
    if atom.axis is Axis.CHANNEL and first < 1:
        return replace(atom, width=None, axis=None, rank=merged_rank)
    return replace(atom, rank=merged_rank)


def squeezed(atom: Tensor, dim: Any) -> Tensor:
    """``dim`` is "all" for ``squeeze()``, None when not known. Squeezing the axis of
    width 1 removes it; squeezing another axis of unknown size leaves the rank unknown."""
    rank, index = atom.rank, width_index(atom)
    if dim == "all":
        if atom.width == 1:
            column = rank == 2 and atom.axis is Axis.LAST
            return replace(atom, width=None, axis=None, rank=1 if column else None)  # (N, 1) -> (N,)
        return replace(atom, rank=None, **({} if atom.axis is Axis.LAST else {"width": None, "axis": None}))
    if not isinstance(dim, int) or isinstance(dim, bool):
        return replace(atom, width=None, axis=None, rank=None)
    position = dim % rank if rank else (dim if dim >= 0 else None)
    hits_width = position is not None and index is not None and position == index
    if atom.axis is Axis.LAST and dim == -1:
        hits_width = True
    if hits_width:
        if atom.width == 1:
            return replace(atom, width=None, axis=None, rank=rank - 1 if rank else None)
        return atom  # squeezing an axis wider than 1 changes nothing
    if atom.width is not None and index is None:  # cannot tell which axis goes
        if atom.axis is Axis.LAST and dim < -1:
            return replace(atom, rank=None)
        return replace(atom, width=None, axis=None, rank=None)
    if atom.axis is Axis.CHANNEL and position is not None and position < 1:
        return replace(atom, width=None, axis=None, rank=None)
    return replace(atom, rank=None)


def unsqueezed(atom: Tensor, dim: Any) -> Tensor:
    if not isinstance(dim, int) or isinstance(dim, bool):
        return replace(atom, width=None, axis=None, rank=None)
    rank = atom.rank
    if dim == -1 or (rank is not None and dim == rank):  # a new last axis of width 1
        return replace(atom, width=1, axis=Axis.LAST, rank=rank + 1 if rank is not None else None)
    new_rank = rank + 1 if rank is not None else None
    if atom.axis is Axis.CHANNEL and 0 <= dim <= 1:
        return replace(atom, width=None, axis=None, rank=new_rank)
    if atom.axis is Axis.LAST and dim < 0 and rank is None:
        return replace(atom, rank=None)
    return replace(atom, rank=new_rank)


def shaped_as(atom: Tensor, other: Optional[AbsVal]) -> Tensor:
    """``x.view_as(y)``: the shape is ``y``'s, or unknown; never ``x``'s."""
    shapes = {(a.width, a.axis, a.rank) for a in other or () if isinstance(a, Tensor)}
    if other and len(shapes) == 1 and all(isinstance(a, Tensor) for a in other):
        width, axis, rank = shapes.pop()
        return replace(atom, width=width, axis=axis, rank=rank)
    return replace(atom, width=None, axis=None, rank=None)
