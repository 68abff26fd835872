"""Containers: what a dict's methods return and how they change it."""


from __future__ import annotations

from typing import Any, List, Optional, Tuple

from losslint.analysis.engine.expressions import _splice
from losslint.analysis.engine.state import Args
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Cause,
    Const,
    Mapping,
    Sequence,
    const_value,
    join,
    of,
    unknown,
)


def _mapping_method(receiver: Mapping, name: str, args: Args) -> Tuple[AbsVal, Optional[AbsVal]]:  # noqa: C901
    """A dict's methods: what they return and, for those that change it, the dict after."""
    none = of(Const(None))
    items = dict(receiver.items)
    changed = unknown(f"dict changed by .{name}() with values the analysis does not know", Cause.LOOP_OR_CONTAINER)
    key = const_value(args.positional[0], MISSING) if args.positional and not args.open else MISSING
    if name == "update":
        if args.open or len(args.positional) > 1:
            return none, changed
        for value in args.positional:
            pairs = _pairs(value)
            if pairs is None:
                return none, changed
            items.update(pairs)
        items.update(args.keywords)
        return none, of(Mapping(tuple(items.items())))
    if name in ("get", "setdefault", "pop") and not args.open and 1 <= len(args.positional) <= 2:
        default = args.positional[1] if len(args.positional) == 2 else (none if name != "pop" else None)
        if key is MISSING:
            return unknown("item of a dict at an unknown key", Cause.LOOP_OR_CONTAINER), (changed if name != "get" else None)
        if key in items:
            rest = of(Mapping(tuple((k, v) for k, v in items.items() if k != key)))
            return items[key], (rest if name == "pop" else None)
        absent = unknown("key not known to be in the dict", Cause.LOOP_OR_CONTAINER)
        if name == "setdefault":  # the key may have been added where the analysis does not see
            assert default is not None
            return join((default, absent)), of(Mapping(tuple(items.items()) + ((key, default),)))
        return (join((default, absent)) if default is not None else absent), None
    if name == "items":
        return of(Sequence(tuple(of(Sequence((of(Const(k)), v), "tuple")) for k, v in receiver.items), "list")), None
    if name == "keys":
        return of(Sequence(tuple(of(Const(k)) for k, _ in receiver.items), "list")), None
    if name == "values":
        return of(Sequence(tuple(v for _, v in receiver.items), "list")), None
    if name == "copy":
        return of(receiver), None
    if name == "clear":
        return none, of(Mapping(()))
    if name in ("popitem", "__setitem__", "__delitem__", "__ior__"):
        return unknown(f"result of .{name}()", Cause.LOOP_OR_CONTAINER), changed
    return unknown(f".{name}() of a dict", Cause.LOOP_OR_CONTAINER), None


def _pairs(value: AbsVal) -> Optional[List[Tuple[Any, AbsVal]]]:
    """The (key, value) pairs of a dict, or of a list of (constant, value) pairs."""
    if len(value) != 1:
        return None
    (atom,) = value
    if isinstance(atom, Mapping):
        return list(atom.items)
    if isinstance(atom, Sequence) and not atom.open_start:
        pairs = []
        for item in atom.items:
            spliced = _splice(item)
            if spliced is None or spliced[1] or len(spliced[0]) != 2:
                return None
            key = const_value(spliced[0][0], MISSING)
            if key is MISSING:
                return None
            pairs.append((key, spliced[0][1]))
        return pairs
    return None
