"""The per-file summary: a small, picklable intermediate form of a module's code.

Syntax trees are large and tied to one process; the link step only needs what values
flow where. ``lower.py`` turns a parsed module into these nodes once per file, so the
summaries can be cached, shipped between processes and interpreted together across
files. Reportable nodes carry ``site``: an ordinal into ``Module.positions``.

The nodes are built once, by the lowering, and never changed. They are plain
dataclasses compared by identity: ``frozen=True`` made the lowering of timm 23% slower
(1.21 s -> 0.93 s), and generated ``__eq__``/``__hash__``/``__repr__`` doubled the
start-up cost of this module (47 -> 24 ms) for comparisons nothing makes. They have
``__slots__``: a large repository's IR is held while it is analysed, and without an
instance dictionary per node it takes 27% less memory (600 files of diffusers: 140 ->
102 MB).
"""

from __future__ import annotations

import operator
from array import array
from dataclasses import dataclass, is_dataclass
from typing import Any, Callable, Optional, Sequence, Tuple, Union, overload


class Expr:
    __slots__ = ()


class Stmt:
    __slots__ = ()


# --- expressions -----------------------------------------------------------------


@dataclass(eq=False, repr=False, slots=True)
class Name(Expr):
    id: str


@dataclass(eq=False, repr=False, slots=True)
class Attr(Expr):
    value: Expr
    attr: str


@dataclass(eq=False, repr=False, slots=True)
class Arg:
    value: Expr
    keyword: Optional[str] = None
    star: str = ""  # "", "*" or "**"


@dataclass(eq=False, repr=False, slots=True)
class Call(Expr):
    func: Expr
    args: Tuple[Arg, ...]
    site: int


@dataclass(eq=False, repr=False, slots=True)
class Literal(Expr):
    value: Any


@dataclass(eq=False, repr=False, slots=True)
class Collection(Expr):
    """Tuple, list or set display; starred items are ``Starred``."""

    kind: str  # "tuple", "list" or "set"
    items: Tuple[Expr, ...]


@dataclass(eq=False, repr=False, slots=True)
class Starred(Expr):
    value: Expr


@dataclass(eq=False, repr=False, slots=True)
class DictDisplay(Expr):
    items: Tuple[Tuple[Optional[Expr], Expr], ...]  # key None: ``**value``


@dataclass(eq=False, repr=False, slots=True)
class Subscript(Expr):
    value: Expr
    index: Expr


@dataclass(eq=False, repr=False, slots=True)
class Slice(Expr):
    lower: Optional[Expr]
    upper: Optional[Expr]
    step: Optional[Expr]


@dataclass(eq=False, repr=False, slots=True)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr
    site: int = -1  # where an activation's output may be consumed (-1: not recorded)


@dataclass(eq=False, repr=False, slots=True)
class Negative(Expr):
    operand: Expr


@dataclass(eq=False, repr=False, slots=True)
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(eq=False, repr=False, slots=True)
class Walrus(Expr):
    target: str
    value: Expr


@dataclass(eq=False, repr=False, slots=True)
class Opaque(Expr):
    """An expression the analysis does not model; its parts are still evaluated, so
    that loss calls inside a comparison, a comprehension or an f-string are seen."""

    parts: Tuple[Expr, ...]
    binds: Tuple[str, ...] = ()  # names bound inside (comprehension targets)
    site: int = -1  # comparisons, f-strings, comprehensions: where a value is consumed
    ops: Tuple[str, ...] = ()  # a comparison's operators ("==", "in"...), ("and",), ("or",) or ("not",)


# --- statements ------------------------------------------------------------------


@dataclass(eq=False, repr=False, slots=True)
class Assign(Stmt):
    targets: Tuple[Expr, ...]
    value: Expr
    site: int


@dataclass(eq=False, repr=False, slots=True)
class AugAssign(Stmt):
    target: Expr
    op: str
    value: Expr
    site: int


@dataclass(eq=False, repr=False, slots=True)
class ExprStmt(Stmt):
    value: Expr


@dataclass(eq=False, repr=False, slots=True)
class Return(Stmt):
    value: Optional[Expr]


@dataclass(eq=False, repr=False, slots=True)
class Jump(Stmt):
    """``raise``, ``break`` or ``continue``: the path ends here."""

    kind: str
    value: Optional[Expr] = None


@dataclass(eq=False, repr=False, slots=True)
class Delete(Stmt):
    targets: Tuple[Expr, ...]


@dataclass(eq=False, repr=False, slots=True)
class If(Stmt):
    test: Expr
    body: Tuple[Stmt, ...]
    orelse: Tuple[Stmt, ...]


@dataclass(eq=False, repr=False, slots=True)
class Loop(Stmt):
    """``for`` (target and iter set) or ``while`` (test set)."""

    target: Optional[Expr]
    iter: Optional[Expr]
    body: Tuple[Stmt, ...]
    orelse: Tuple[Stmt, ...]


@dataclass(eq=False, repr=False, slots=True)
class With(Stmt):
    items: Tuple[Tuple[Expr, Optional[Expr]], ...]
    body: Tuple[Stmt, ...]


@dataclass(eq=False, repr=False, slots=True)
class Try(Stmt):
    body: Tuple[Stmt, ...]
    handlers: Tuple[Tuple[Optional[str], Tuple[Stmt, ...]], ...]
    orelse: Tuple[Stmt, ...]
    finalbody: Tuple[Stmt, ...]


@dataclass(eq=False, repr=False, slots=True)
class Branches(Stmt):
    """``match``: any one of the case bodies runs."""

    subject: Expr
    cases: Tuple[Tuple[Stmt, ...], ...]


@dataclass(eq=False, repr=False, slots=True)
class Param:
    name: str
    default: Optional[Expr] = None
    kind: str = "positional"  # "positional", "keyword", "varargs" or "varkw"


@dataclass(eq=False, repr=False, slots=True)
class FunctionDef(Stmt):
    name: str
    qualname: str
    params: Tuple[Param, ...]
    body: Tuple[Stmt, ...]
    decorators: Tuple[Expr, ...]


@dataclass(eq=False, repr=False, slots=True)
class ClassDef(Stmt):
    name: str
    qualname: str
    bases: Tuple[Arg, ...]
    body: Tuple[Stmt, ...]
    decorators: Tuple[Expr, ...]


@dataclass(eq=False, repr=False, slots=True)
class Import(Stmt):
    """``import a.b as c``: ``module`` "a.b", ``asname`` "c" (or None)."""

    module: str
    asname: Optional[str]


@dataclass(eq=False, repr=False, slots=True)
class ImportFrom(Stmt):
    """``from .m import x as y``; ``name`` "*" for a star import."""

    module: str
    level: int
    name: str
    asname: Optional[str]


@dataclass(eq=False, repr=False, slots=True)
class Outline:
    """What the link step needs to choose its entry points, without the IR."""

    standalone: bool = False  # may hold a finding with no loss in it (see ``Lowerer._scan_call``)
    imports: Tuple[Tuple[str, int, Tuple[str, ...]], ...] = ()  # (module, level, names) of every import


class Positions(Sequence[Tuple[int, int, int, int]]):
    """Where each site is, by ordinal: (line, column, end line, end column), four ints a
    site in one array. As a tuple of tuples they took 120 bytes a site, a sixth of the
    IR held while a large repository is analysed (diffusers' run holds 500,000 sites);
    here 16."""

    __slots__ = ("flat",)

    def __init__(self, flat: Optional["array[int]"] = None) -> None:
        self.flat = flat if flat is not None else array("i")

    def __len__(self) -> int:
        return len(self.flat) // 4

    @overload
    def __getitem__(self, index: int) -> Tuple[int, int, int, int]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Tuple[int, int, int, int]]: ...

    def __getitem__(self, index: Union[int, slice]) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("site ordinal out of range")
        row, column, end_row, end_column = self.flat[4 * index : 4 * index + 4]
        return row, column, end_row, end_column

    def __reduce__(self) -> Tuple[type, Tuple[Any, ...]]:
        return Positions, (self.flat,)


@dataclass(eq=False, repr=False, slots=True)
class Module:
    """A lowered module: its statements plus what the link step needs to plan its work."""

    body: Tuple[Stmt, ...]
    called_names: frozenset  # every name called anywhere, to find entry points
    positions: Positions = Positions()  # by site: line, byte column, end line, end column
    outline: Outline = Outline()
    defines: frozenset = frozenset()  # names its top level binds ("*": it star-imports)
    declared_global: frozenset = frozenset()  # names a function rebinds through ``global``


def _reducer(cls: type) -> Callable[[Any], Tuple[type, Tuple[Any, ...]]]:
    """How a node pickles: as its class and its fields, in order, read by one C-level
    ``attrgetter``. Smaller and faster to write and read back than the generic state of
    an object with ``__slots__``; writing the IR of timm for the cache took 0.46 s with
    the fields read one ``getattr`` at a time in Python, 0.30 s this way."""
    names = cls.__slots__
    if len(names) == 1:
        field = operator.attrgetter(names[0])
        return lambda node: (type(node), (field(node),))
    fields = operator.attrgetter(*names)
    return lambda node: (type(node), fields(node))


for _node in [value for value in list(globals().values()) if isinstance(value, type) and is_dataclass(value) and value.__module__ == __name__]:
    _node.__reduce__ = _reducer(_node)  # type: ignore[method-assign]
del _node
