"""The interpreter's state: abstract call arguments, contexts, loop exits, and the environment helpers."""


from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.values import (
    AbsVal,
    Class,
    Const,
    join,
    of,
)

MAX_CALL_DEPTH = 16

# A function running this many times at once (a recursion over fresh receivers, such as
# a tree's nodes, whose arguments cannot be widened) is not followed deeper: nested
# modules of one class (a U-Net's blocks) stay within it, a binary recursion costs 2**8.
MAX_REENTRIES = 8


LOOP_PASSES = 2


Env = Dict[str, AbsVal]


class BudgetExhausted(Exception):
    """The analysis of a module, or of a call made from its top level, took more steps
    than it is allowed; ``stack`` is the functions running then, outermost first."""

    def __init__(self, stack: Tuple[Any, ...] = ()) -> None:
        super().__init__()
        self.stack = stack


@dataclass(frozen=True)
class Args:
    """Abstract call arguments; ``open`` when ``*args`` / ``**kwargs`` of unknown content
    were passed, so any parameter may have been given."""

    positional: Tuple[AbsVal, ...] = ()
    keywords: Tuple[Tuple[str, AbsVal], ...] = ()
    open: bool = False
    only_keywords_open: bool = False  # open through ``**kwargs`` alone: the positions are sure

    def get(self, index: Optional[int], names: Iterable[str] = ()) -> Optional[AbsVal]:
        if index is not None and index < len(self.positional) and (not self.open or self.only_keywords_open):
            return self.positional[index]
        for key, value in self.keywords:
            if key in names:
                return value
        return None


@dataclass
class ClassInfo:
    definition: ir.ClassDef
    module: str
    bases: Tuple[AbsVal, ...]
    namespace: Env
    reassigned: frozenset  # attributes assigned outside construction


@dataclass
class Context:
    """Where code runs: the module, the enclosing frames, the receiver and class."""

    module: str
    closure: int = 0
    cls: Optional[Class] = None
    receiver: Optional[str] = None  # name of the ``self`` parameter
    returns: List[Tuple[AbsVal, Env]] = field(default_factory=list)
    loops: List["LoopExits"] = field(default_factory=list)
    depth: int = 0
    in_function: bool = False
    modes: frozenset = frozenset()  # "no_grad", "autocast": how the code runs
    sinks: "Sinks" = field(default_factory=lambda: Sinks())  # where this body's names end up


@dataclass
class LoopExits:
    entry: frozenset = frozenset()  # names bound before the loop
    backward: bool = False  # the loop's body calls a backward
    breaks: List[Env] = field(default_factory=list)
    continues: List[Env] = field(default_factory=list)


@dataclass
class _LossAcc:
    families: set
    input: AbsVal
    target: AbsVal
    complete: bool
    autocast: bool
    created: set  # where the loss modules were constructed
    names: set  # what messages call the losses


def accumulate_loss(
    table: Dict[Any, _LossAcc], site: Any, families: set, name: str, value: AbsVal, target: AbsVal,
    complete: bool, autocast: bool, created: Optional[Any] = None,
) -> _LossAcc:
    """Record one context of the loss call at ``site`` in ``table``: a call reached in
    several contexts joins their inputs and targets, and is complete (or under autocast)
    only if every context is."""
    acc = table.get(site)
    if acc is None:
        acc = table[site] = _LossAcc(set(families), value, target, complete, autocast, set(), {name})
    else:
        acc.names.add(name)
        acc.families.update(families)
        acc.input = join((acc.input, value))
        acc.target = join((acc.target, target))
        acc.complete = acc.complete and complete
        acc.autocast = acc.autocast and autocast
    if created is not None:
        acc.created.add(created)
    return acc


class _ClassScope(dict):
    """A class body's namespace: writes stay in the class, reads fall back to the
    enclosing scope (methods are looked up through the class, not this scope)."""

    def __init__(self, namespace: Env, outer: Env) -> None:
        super().__init__()
        self.namespace = namespace
        self.outer = outer

    def __setitem__(self, key: str, value: AbsVal) -> None:
        self.namespace[key] = value

    def __getitem__(self, key: str) -> AbsVal:
        if key in self.namespace:
            return self.namespace[key]
        return self.outer[key]

    def __contains__(self, key: object) -> bool:
        return key in self.namespace or key in self.outer

    def pop(self, key: str, default: Any = None) -> Any:
        return self.namespace.pop(key, default)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


ModeSwitch = Tuple[frozenset, frozenset]


def _switched(modes: frozenset, switch: ModeSwitch) -> frozenset:
    on, off = switch
    return (modes - off) | on


def _join_envs(envs: Iterable[Optional[Env]]) -> Optional[Env]:
    live = [e for e in envs if e is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    if len(live) == 2 and type(live[0]) is dict and type(live[1]) is dict:
        # the two branches of an ``if``: most of a module's names are the very same in
        # both. (A class body's ``_ClassScope`` holds its names elsewhere: the general
        # way below reads them through its methods.)
        joined: Env = dict(live[0])
        for key, value in live[1].items():
            mine = joined.get(key, value)
            if mine is not value:
                joined[key] = join((mine, value))
            elif key not in joined:
                joined[key] = value
        return joined
    joined = {}  # three or more: one join of all, as ``join`` collapses a union that grows too large
    for key in set().union(*live):
        values = [e[key] for e in live if key in e]
        first = values[0]
        # most names are untouched by either branch: the very same value, nothing to join
        joined[key] = first if all(v is first for v in values) else join(values)
    return joined


def _args_key(args: Args) -> Tuple[Tuple[str, AbsVal], ...]:
    key = tuple((str(i), v) for i, v in enumerate(args.positional)) + args.keywords
    return key + (("*", of(Const("open"))),) if args.open else key


@dataclass(frozen=True)
class Sinks:
    """Where the names of one body (a function's, or a module's top level) end up: in a
    backward call, or out of the body (returned, stored in an attribute, an item or a
    container). A name assigned from another carries it along (``loss = total / n``
    then ``loss.backward()``: ``total`` feeds the backward)."""

    backward: frozenset = frozenset()
    escaping: frozenset = frozenset()
    calls_backward: bool = False  # the body (its nested blocks too) calls a backward
    returned: frozenset = frozenset()  # the escaping names that leave only through a return

