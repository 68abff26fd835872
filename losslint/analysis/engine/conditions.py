"""Conditions: comparisons of known constants, ``is None`` of known objects, membership,
and the truth of a value, decided only when every alternative agrees."""


from __future__ import annotations

from typing import Any, Optional

from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Atom,
    Bound,
    Class,
    Const,
    Function,
    Instance,
    Mapping,
    Sequence,
    SliceConst,
    Super,
    const_value,
)


_NEVER_NONE = (Instance, Class, Function, Mapping, Sequence, SliceConst, Super)


def _truth(value: AbsVal) -> Optional[bool]:
    """The truth of a value whose every alternative is a constant with the same truth."""
    truths = {bool(a.value) if isinstance(a, Const) else None for a in value}
    return truths.pop() if len(truths) == 1 else None


def compare(op: str, left: AbsVal, right: AbsVal) -> Optional[bool]:
    """``left <op> right`` when every pair of alternatives gives the same answer."""
    outcomes = set()
    for a in left:
        for b in right:
            outcome = _compare_atoms(op, a, b)
            if outcome is None:
                return None
            outcomes.add(outcome)
    return outcomes.pop() if len(outcomes) == 1 else None


_ORDER = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare_atoms(op: str, a: Atom, b: Atom) -> Optional[bool]:
    if op in ("is", "is not"):
        if b == Const(None):
            a, b = b, a
        if a != Const(None):
            return None  # only ``is None`` is decided
        is_none = b == Const(None) if isinstance(b, Const) else (False if _never_none(b) else None)
        return None if is_none is None else is_none == (op == "is")
    if op in ("in", "not in"):
        found = _contains(b, a)
        return None if found is None else found == (op == "in")
    if not isinstance(a, Const) or not isinstance(b, Const) or op not in _ORDER:
        return None
    if not isinstance(a.value, _PLAIN) or not isinstance(b.value, _PLAIN):
        return None
    try:
        return bool(_ORDER[op](a.value, b.value))
    except TypeError:
        return None


_PLAIN = (int, float, str, bool, type(None))


def _never_none(atom: Atom) -> bool:
    """Objects that are certainly not None: the engine's objects, and methods of them."""
    if isinstance(atom, _NEVER_NONE):
        return True
    return isinstance(atom, Bound) and atom.function is not None


def _contains(container: Atom, key: Atom) -> Optional[bool]:
    """``key in container`` for a constant key: a dict or list holding it says True; only
    a tuple or a string, which nothing changes, says False."""
    if not isinstance(key, Const) or not isinstance(key.value, _PLAIN):
        return None
    if isinstance(container, Mapping):
        return True if any(k == key.value for k, _ in container.items) else None
    if isinstance(container, Sequence) and container.container in ("list", "tuple") and not container.open_start:
        items = [const_value(item, MISSING) for item in container.items]
        if key.value in items:
            return True
        if container.container == "tuple" and all(isinstance(i, _PLAIN) for i in items):
            return False
        return None
    if isinstance(container, Const) and isinstance(container.value, str) and isinstance(key.value, str):
        return key.value in container.value
    return None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
