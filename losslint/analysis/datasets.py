"""Datasets and loaders: a dataset is a sequence of its samples, a loader a sequence of
batches (the batch dim added), so ``for x, y in loader`` gives the targets' dtype and
shape where the code shows them (knowledge: ``[dataset]``)."""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional

from losslint.analysis import tables as T
from losslint.analysis.engine.state import Args
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Atom,
    Axis,
    Cause,
    Const,
    Mapping,
    Sequence,
    Site,
    Tensor,
    Unknown,
    const_value,
    join,
    of,
    unknown,
)

_DATASET, _LOADER = "dataset", "loader"  # Sequence containers: samples, batches
ITERATION_BUILTINS = frozenset({"builtins.enumerate", "builtins.iter", "builtins.next"})


def dataset(name: str, args: Args, site: Site) -> Optional[AbsVal]:
    """A dataset (a sequence of its samples) or a loader (a sequence of batches); None:
    what the call makes is not known."""
    if args.open:
        return None
    if name in T.CLASS_INDEX_DATASETS:
        position = T.CLASS_INDEX_DATASETS[name].target_transform
        given = args.get(position[0], (position[1],)) if position is not None else None
        if given is not None and const_value(given, MISSING) is not None:
            target = unknown(f"{name}() with a target_transform", Cause.NOT_MODELLED)
        else:
            target = of(Tensor(None, rank=0, act=site, dtype="int"))  # a class index, an int
        sample = Sequence((unknown(f"{name}() input (its transform)", Cause.NOT_MODELLED), target), "tuple")
        return of(Sequence((of(sample),), _DATASET))
    if name in T.TENSOR_DATASETS:
        if args.keywords or not args.positional:
            return None
        return of(Sequence((of(Sequence(tuple(batched(v, -1) for v in args.positional), "tuple")),), _DATASET))
    if name in T.LOADERS:
        dataset = args.get(0, ("dataset",))
        if dataset is None or any(key in ("collate_fn", "batch_sampler") for key, _ in args.keywords) or len(args.positional) > 2:
            return None
        sizes = [v for key, v in args.keywords if key == "batch_size"] + list(args.positional[1:2])
        if any(const_value(v, 1) is None for v in sizes):
            return None  # batch_size=None: samples, not batches
        batches = [of(Sequence(tuple(batched(item, 1) for item in a.items), _LOADER)) for a in dataset if is_dataset(a)]
        return join(batches) if len(batches) == len(dataset) else None
    value = args.get(0, ("iterable",))  # tqdm(loader): the loader's batches
    return value if value is not None and all(is_loader(a) for a in value) else None


def attribute_assigned(atom: Atom, name: str) -> Optional[AbsVal]:
    """``ds.<name> = value`` on a dataset: its samples' targets are no longer known
    (``ds.target_transform = ...``, ``ds.targets = ...``), unless the attribute changes
    the inputs only (``ds.transform``, knowledge: ``dataset.input_attributes``). None: not
    a dataset."""
    if not is_dataset(atom):
        return None
    if name in T.DATASET_INPUT_ATTRIBUTES:
        return of(atom)
    changed = unknown(f"the target of a dataset whose '{name}' the code assigns", Cause.UNFOLLOWED_STATE)
    samples = [
        of(replace(s, items=s.items[:1] + (changed,) * (len(s.items) - 1))) if isinstance(s, Sequence) and len(s.items) >= 2 else of(s)
        for s in atom.items[0]
    ]
    return of(replace(atom, items=(join(samples),)))


def is_dataset(atom: Atom) -> bool:
    return isinstance(atom, Sequence) and atom.container == _DATASET and len(atom.items) == 1 and not atom.open_start


def is_loader(atom: Atom) -> bool:
    return isinstance(atom, Sequence) and atom.container == _LOADER and len(atom.items) == 1 and not atom.open_start


def iterated(name: str, args: Args) -> Optional[AbsVal]:
    """``enumerate(loader)``, ``iter(loader)``, ``next(it)`` over a loader's batches;
    ``enumerate(items)`` of a list or tuple whose items are known: ``(index, item)`` pairs."""
    value = args.get(0)
    if name == "builtins.enumerate" and value is not None and len(value) == 1 and not args.open:
        (items,) = value
        start = const_value(args.get(1, ("start",)) or of(Const(0)), None)
        known = isinstance(items, Sequence) and items.container in ("list", "tuple") and not items.open_start
        if known and isinstance(start, int) and not isinstance(start, bool) and len(args.positional) + len(args.keywords) <= 2:
            pairs = tuple(of(Sequence((of(Const(start + i)), item), "tuple")) for i, item in enumerate(items.items))
            return of(Sequence(pairs, "list"))
    if value is None or args.open or not all(is_loader(a) for a in value):
        return None
    if name == "builtins.iter" and len(args.positional) == 1:
        return value
    if name == "builtins.next" and len(args.positional) == 1:
        return join(a.items[0] for a in value)  # type: ignore[attr-defined]
    if name == "builtins.enumerate" and len(args.positional) == 1 and not args.keywords:
        counter = unknown("enumerate() counter", Cause.LOOP_OR_CONTAINER)
        return join(of(Sequence((of(Sequence((counter, a.items[0]), "tuple")),), _LOADER)) for a in value)  # type: ignore[attr-defined]
    return None


def batched(value: AbsVal, change: int) -> AbsVal:
    """A sample's parts with a batch dim added (``change`` 1: a loader's batch) or a
    tensor's rows (-1: a TensorDataset's samples): the dtype stays, the rank changes, a
    width on the last axis stays; tuples and dicts of them alike."""
    out: List[AbsVal] = []
    for atom in value:
        if isinstance(atom, Tensor):
            rank = atom.rank + change if atom.rank is not None and atom.rank + change >= 0 else None
            keeps = atom.axis is Axis.LAST and (change > 0 or atom.rank is None or atom.rank >= 2)  # not the batch dim
            out.append(of(Tensor(None if atom.kind is None else atom.kind, atom.width if keeps else None, atom.axis if keeps else None,
                                 rank, act=atom.act, layer=atom.layer if keeps else None, dtype=atom.dtype)))  # fmt: skip
        elif isinstance(atom, Sequence) and atom.container == "tuple" and not atom.open_start:
            out.append(of(replace(atom, items=tuple(batched(item, change) for item in atom.items))))
        elif isinstance(atom, Mapping):
            out.append(of(Mapping(tuple((key, batched(item, change)) for key, item in atom.items))))
        elif isinstance(atom, Unknown):
            out.append(of(atom))
        else:
            out.append(unknown("a sample the analysis does not model", Cause.LOOP_OR_CONTAINER))
    return join(out)
