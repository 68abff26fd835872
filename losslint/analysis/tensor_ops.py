"""Tensor operations that keep what a value is, with their effect on its rank and on the
axis whose width is known (the class axis): transposes, reductions, selections along a
dim, cat / stack, ``where``, spatial resizing, scaling by a number, and the arithmetic
of loss tensors. Each function takes tensors (``values.Tensor``) and returns the result,
or None when the operation is not modelled for them (the caller says which operation).

The width fact moves with its axis, or is dropped when the code does not show where the
axis went: a softmax over a dim of width 1 (LL202) must never be claimed after an
operation that may have moved that dim.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, List, Optional, Sequence as Seq

from losslint.analysis.values import PROBABILITIES, AbsVal, Axis, Kind, Tensor, Unknown, const_value, join, of

SHIFTED_TANH = "tanh + 1"
"""``source`` of ``tanh(x) + 1`` (values in [0, 2]): halved, it is ``sigmoid(2x)``."""
NORMALISER = "a sum over its own dim"
"""``source`` of ``p.sum(dim, keepdim=True)`` for non-negative ``p``: ``p`` divided by it
is normalised probabilities."""

NON_NEGATIVE = frozenset({Kind.SIGMOID, Kind.SOFTMAX, Kind.RELU})
MEAN_KEEPS = frozenset({Kind.SIGMOID, Kind.SOFTMAX, Kind.RELU, Kind.TANH, Kind.LOGITS, Kind.UNBOUNDED})
SUM_KEEPS = frozenset({Kind.RELU, Kind.LOGITS, Kind.UNBOUNDED})
SCALE_KEEPS = frozenset({Kind.LOGITS, Kind.UNBOUNDED})


def _int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def width_index(atom: Tensor) -> Optional[int]:
    """The position of the axis whose width is known, when the rank says it."""
    if atom.width is None or atom.axis is None:
        return None
    if atom.axis is Axis.CHANNEL:
        return 1
    return atom.rank - 1 if atom.rank is not None else None


def _placed(atom: Tensor, index: Optional[int], rank: Optional[int]) -> Tensor:
    """``atom`` with its known width at position ``index`` of a tensor of ``rank``: the
    last axis or the channel axis (1), else the width is dropped."""
    if atom.width is None or index is None or rank is None:
        return replace(atom, width=None, axis=None, rank=rank)
    if index == rank - 1:
        return replace(atom, axis=Axis.LAST, rank=rank)
    if index == 1:
        return replace(atom, axis=Axis.CHANNEL, rank=rank)
    return replace(atom, width=None, axis=None, rank=rank)


def _norm(dim: Optional[int], rank: Optional[int]) -> Optional[int]:
    if dim is None:
        return None
    if dim >= 0:
        return dim if rank is None or dim < rank else None
    return dim % rank if rank is not None and -rank <= dim else None


def transposed(atom: Tensor, name: str, dims: Seq[Any]) -> Tensor:
    """``transpose(d0, d1)`` (``swapaxes``, ``swapdims``), ``permute(*dims)``,
    ``movedim(src, dst)``, ``t()`` / ``.T`` / ``.mT``: the values stay, the class axis
    moves to where the dims say."""
    rank = atom.rank
    values = [_int(d) for d in dims]
    if name == "permute":
        if not values or any(v is None for v in values):
            return replace(atom, width=None, axis=None, rank=None)
        rank = len(values)
        order = [_norm(v, rank) for v in values]
        old = width_index(replace(atom, rank=rank)) if atom.rank in (None, rank) else None
        if None in order or sorted(order) != list(range(rank)) or old is None or old not in order:  # type: ignore[type-var]
            return replace(atom, width=None, axis=None, rank=rank)
        return _placed(atom, order.index(old), rank)
    if name in ("t", "T"):
        if rank is not None and rank < 2:
            return atom
        values = [0, 1] if name == "t" else ([0, -1] if rank == 2 else [])
        if not values:  # .T reverses every dim
            if rank is None:
                return replace(atom, width=None, axis=None)
            index = width_index(atom)
            return _placed(atom, rank - 1 - index if index is not None else None, rank)
    if name == "mT":
        values = [-2, -1]
    if len(values) != 2 or None in values:
        return replace(atom, width=None, axis=None, rank=rank if name != "movedim" else rank)
    first, second = values
    if name in ("movedim", "moveaxis"):
        return _moved(atom, first, second)  # type: ignore[arg-type]
    return _swapped(atom, first, second)  # type: ignore[arg-type]


def _swapped(atom: Tensor, first: int, second: int) -> Tensor:
    rank = atom.rank
    if atom.width is None:
        return atom
    if rank is not None:
        a, b, index = _norm(first, rank), _norm(second, rank), width_index(atom)
        if a is None or b is None or index is None:
            return replace(atom, width=None, axis=None)
        new = b if index == a else a if index == b else index
        return _placed(atom, new, rank)
    # rank unknown: only dims the code pins to the known axis can be followed
    if atom.axis is Axis.LAST:
        if first == -1 or second == -1:
            other = second if first == -1 else first
            return replace(atom, axis=Axis.CHANNEL) if other == 1 else atom if other == -1 else replace(atom, width=None, axis=None)
        return atom if first < 0 and second < 0 else replace(atom, width=None, axis=None)
    if atom.axis is Axis.CHANNEL:
        if 1 in (first, second):
            other = second if first == 1 else first
            return replace(atom, axis=Axis.LAST) if other == -1 else atom if other == 1 else replace(atom, width=None, axis=None)
        return atom if first >= 2 and second >= 2 else replace(atom, width=None, axis=None)
    return atom


def _moved(atom: Tensor, source: int, destination: int) -> Tensor:
    rank = atom.rank
    if atom.width is None:
        return atom
    if rank is None:
        if atom.axis is Axis.LAST and source == -1 and destination == 1:
            return replace(atom, axis=Axis.CHANNEL)
        if atom.axis is Axis.CHANNEL and source == 1 and destination == -1:
            return replace(atom, axis=Axis.LAST)
        return replace(atom, width=None, axis=None)
    src, dst, index = _norm(source, rank), _norm(destination, rank), width_index(atom)
    if src is None or dst is None or index is None:
        return replace(atom, width=None, axis=None)
    order = list(range(rank))
    order.insert(dst, order.pop(src))
    return _placed(atom, order.index(index), rank)


def reduced(atom: Tensor, name: str, dims: Optional[List[Any]], keepdim: Any) -> Optional[Tensor]:
    """``x.mean(dim)`` / ``x.sum(dim)`` (``dims`` None: over every dim). A loss reduced is a
    loss. Otherwise only a reduction over dims the code shows are not the class axis keeps
    the kind: a mean keeps any kind in a range (probabilities averaged over a batch are
    probabilities), a sum only unbounded ones; the class axis keeps its width and moves
    left past removed dims. ``p.sum(class_dim, keepdim=True)`` of non-negative values is
    the normaliser of ``p / p.sum(...)``. None: not modelled."""
    if atom.kind is Kind.LOSS:
        return replace(atom, width=None, axis=None, rank=None, origin=None)
    keep = keepdim
    if keep not in (True, False) or dims is None or not dims:
        return None
    values = [_int(d) for d in dims]
    if None in values:
        return None
    rank = atom.rank
    index = width_index(atom)
    positions = [_norm(v, rank) if rank is not None else v for v in values]
    if None in positions or len(set(positions)) != len(positions):
        return None
    covers_class = index is not None and index in positions
    if rank is None and atom.axis is Axis.LAST and atom.width is not None and -1 in values:
        covers_class = True
    if name in ("sum", "nansum") and atom.kind in NON_NEGATIVE and keep is True and len(positions) == 1:
        if covers_class or index is None:  # over the class axis, or an axis that may be it
            width = 1 if covers_class else None
            return replace(atom, kind=None, width=width, axis=atom.axis if width else None, origin=None, selected=False, floored=False, source=NORMALISER)
    if covers_class:
        return None
    if index is None and not (rank is not None and rank >= 2 and positions == [0]):
        if not (atom.axis is Axis.CHANNEL and positions == [0]):
            return None  # the class axis is not known: it may be the one reduced
    kinds = MEAN_KEEPS if name in ("mean", "nanmean") else SUM_KEEPS
    if atom.kind not in kinds:
        return None
    out = replace(atom, origin=None, selected=False, averaged=atom.averaged or atom.kind in PROBABILITIES)
    if keep is True:
        return out
    new_rank = rank - len(positions) if rank is not None else None
    if index is None:
        return replace(out, width=None, axis=None, rank=new_rank)
    new_index = index - sum(1 for p in positions if p < index)  # type: ignore[operator]
    return _placed(out, new_index, new_rank)


def selected_along(atom: Tensor, name: str, dim: Any) -> Tensor:
    """``index_select(dim, i)`` / ``gather(dim, i)``: units picked along ``dim``: the kind
    stays; the width stays when ``dim`` is another axis than the class axis.
    ``masked_select(mask)``: a 1-D selection of units."""
    if name == "masked_select" or atom.kind is Kind.LOSS:
        return replace(atom, width=None, axis=None, rank=1 if name == "masked_select" else atom.rank, selected=True)
    position = _norm(_int(dim), atom.rank) if atom.rank is not None else _int(dim)
    index = width_index(atom)
    if name == "index_select" and position is not None and index is not None and position != index:
        return atom  # whole class vectors picked (rows of a batch)
    return replace(atom, width=None, axis=None, selected=True)


def same_kind(values: Seq[AbsVal]) -> Optional[List[Tensor]]:
    """The tensors of ``values`` when every alternative of each is a tensor of one same
    known kind; None otherwise."""
    found: List[Tensor] = []
    kinds = set()
    for value in values:
        if not value:
            return None
        for atom in value:
            if not isinstance(atom, Tensor) or atom.kind is None or atom.source in (SHIFTED_TANH, NORMALISER):
                return None
            kinds.add(atom.kind)
            found.append(atom)
    return found if len(kinds) == 1 and found else None


def joined(items: Seq[AbsVal], dim: Any, stack: bool) -> Optional[Tensor]:
    """``torch.cat(items, dim)`` / ``torch.stack(items, dim)`` of values of one kind: that
    kind; the width stays when every item has it and ``dim`` is another axis (cat), or
    when a new dim is inserted before it (stack)."""
    tensors = same_kind(items)
    if tensors is None:
        return None
    first = tensors[0]
    shapes = {(t.width, t.axis, t.rank) for t in tensors}
    kind = first.kind
    base = Tensor(kind, act=first.act if len({t.act for t in tensors}) == 1 else None,
                  layer=first.layer if len({t.layer for t in tensors}) == 1 else None,
                  dtype=first.dtype if len({t.dtype for t in tensors}) == 1 else None)  # fmt: skip
    if kind is Kind.LOSS:
        return replace(base, act=first.act)
    if len(shapes) != 1:
        return base
    width, axis, rank = shapes.pop()
    shaped = replace(base, width=width, axis=axis, rank=rank)
    position = _int(dim)
    if position is None:
        return replace(shaped, width=None, axis=None, rank=rank + 1 if stack and rank is not None else rank)
    if stack:
        new_rank = rank + 1 if rank is not None else None
        if new_rank is not None and position < 0:
            position %= new_rank
        index = width_index(shaped)
        if index is None:
            if axis is Axis.LAST and rank is None and position >= 0:
                return replace(shaped, rank=None)  # a dim inserted before the last one
            return replace(shaped, width=None, axis=None, rank=new_rank)
        return _placed(shaped, index + 1 if position <= index else index, new_rank)
    index = width_index(shaped)
    place = _norm(position, rank) if rank is not None else position
    if index is None:
        if axis is Axis.LAST and rank is None and position >= 0 and position == 0:
            return shaped  # along the batch dim
        return replace(shaped, width=None, axis=None)
    if place is None or place == index:
        return replace(shaped, width=None, axis=None)
    return shaped


def where(branches: Seq[AbsVal]) -> Optional[Tensor]:
    """``torch.where(cond, a, b)`` with both branches of one kind: that kind."""
    tensors = same_kind(branches)
    if tensors is None:
        return None
    first = tensors[0]
    shapes = {(t.width, t.axis, t.rank) for t in tensors}
    width, axis, rank = shapes.pop() if len(shapes) == 1 else (None, None, None)
    return Tensor(first.kind, width, axis, rank, act=first.act if len({t.act for t in tensors}) == 1 else None,
                  layer=first.layer if len({t.layer for t in tensors}) == 1 else None)  # fmt: skip


def resized(atom: Tensor) -> Tensor:
    """``F.interpolate(x, ...)`` of (N, C, ...): the channel axis and its width stay, the
    spatial dims change (a width on the last axis is one of them)."""
    if atom.axis is Axis.CHANNEL:
        return replace(atom, selected=False)
    return replace(atom, width=None, axis=None)


# --- arithmetic -------------------------------------------------------------------------


def _all(value: AbsVal, test: Any) -> bool:
    return bool(value) and all(test(a) for a in value)


def _is_loss(value: AbsVal) -> bool:
    return _all(value, lambda a: isinstance(a, Tensor) and a.kind is Kind.LOSS)


def _number(value: AbsVal) -> Optional[float]:
    found = const_value(value, None)
    return found if isinstance(found, (int, float)) and not isinstance(found, bool) else None


def _scalar(value: AbsVal) -> bool:
    """A number, or a value the analysis does not know (a temperature, a weight)."""
    return _number(value) is not None or _all(value, lambda a: isinstance(a, Unknown))


def _positive_scalar(value: AbsVal) -> bool:
    number = _number(value)
    return number > 0 if number is not None else _all(value, lambda a: isinstance(a, Unknown))


def arithmetic(op: str, left: AbsVal, right: AbsVal) -> Optional[AbsVal]:
    """What the tensor rules need of arithmetic; None: not a tensor operation modelled.

    - sums and differences of loss tensors, and loss tensors weighted by a number or an
      unknown scalar, are loss tensors (still on the graph);
    - raw logits (or unbounded values) scaled by a positive number or an unknown scalar
      (``logits / temperature``) are still logits; probabilities scaled are not known;
    - ``tanh(x) + 1`` halved is ``sigmoid(2x)``: values in [0, 1];
    - ``p / p.sum(dim, keepdim=True)`` of non-negative ``p`` is normalised probabilities.
    """
    if op in ("+", "-") and _is_loss(left) and _is_loss(right):
        return join((left, right))
    if op in ("+", "-") and (_is_loss(left) and _number(right) is not None or _number(left) is not None and _is_loss(right)):
        return left if _is_loss(left) else right
    if op in ("*", "/") and _is_loss(left) and _scalar(right):
        return left
    if op == "*" and _scalar(left) and _is_loss(right):
        return right
    if op == "+":
        for own, other in ((left, right), (right, left)):
            if _number(other) == 1 and _all(own, lambda a: isinstance(a, Tensor) and a.kind is Kind.TANH):
                return of(*(replace(a, kind=None, origin=None, selected=False, source=SHIFTED_TANH) for a in own))
    if op in ("+", "-"):
        combined = _logits_combined(left, right)
        if combined is not None:
            return combined
    if op in ("*", "/"):
        scaled = _scaled(op, left, right)
        if scaled is not None:
            return scaled
    if op == "/" and _all(left, lambda a: isinstance(a, Tensor) and a.kind in NON_NEGATIVE) and len(right) == 1:
        (normaliser,) = right
        if isinstance(normaliser, Tensor) and normaliser.source == NORMALISER:
            if all(a.act == normaliser.act and a.rank == normaliser.rank and not a.selected for a in left):  # type: ignore[union-attr]
                return of(*(replace(a, kind=Kind.SOFTMAX, origin=None, source=None) for a in left))  # type: ignore[misc]
    return None


def _logits_combined(left: AbsVal, right: AbsVal) -> Optional[AbsVal]:
    """Sums and differences of raw scores are raw scores (a relativistic GAN's
    ``real - fake.mean(0, keepdim=True)``); the shape is kept only where both agree."""
    def scores(value: AbsVal) -> bool:
        return _all(value, lambda a: isinstance(a, Tensor) and a.kind is Kind.LOGITS and not a.selected)

    if not (scores(left) and scores(right)):
        return None
    shapes = {(a.width, a.axis, a.rank) for a in left | right}  # type: ignore[union-attr]
    same = len(shapes) == 1
    return of(*(a if same else replace(a, width=None, axis=None, rank=None) for a in left))  # type: ignore[misc]


def _scaled(op: str, left: AbsVal, right: AbsVal) -> Optional[AbsVal]:
    pairs = [(left, right)] + ([(right, left)] if op == "*" else [])
    for own, factor in pairs:
        if not _all(own, lambda a: isinstance(a, Tensor)):
            continue
        atoms: List[Tensor] = list(own)  # type: ignore[arg-type]
        if all(a.source == SHIFTED_TANH for a in atoms) and _number(factor) == (2 if op == "/" else 0.5):
            return of(*(replace(a, kind=Kind.SIGMOID, source=None) for a in atoms))
        if all(a.kind in SCALE_KEEPS and a.source is None for a in atoms) and _positive_scalar(factor):
            return of(*(replace(a, origin=None) for a in atoms))
    return None

