"""Which code can reach a loss, by the names it mentions: the files (and in them the
functions and classes) worth running as entry points.

Importing a file that (transitively) imports a loss file does not make a file's code
reach that loss: in a large package every file imports every other one through the
package's ``__init__`` (diffusers: 1,567 of its 2,092 files), while the code that calls
into a loss is a few training scripts and tests. Code reaches a function or class only
by naming it, or through a value that code which names it made and handed on, so names
lead there:

- a *unit* is a function (with the functions nested in it), a class's own body (its
  bases, decorators and class-level statements) or a module's top level;
- a unit whose own code names a loss (``seed``, from the knowledge files) reaches one;
  so does a unit that reads a name a reaching unit provides: a function's name, a
  class's name (a method's too: a method is reached through an instance, which code
  made by naming the class or a subclass), a name a reaching statement binds at a
  module's top level or through ``global`` (``net = Net()``, ``REGISTRY[key] = Net``,
  ``MODELS.register(Net)``, ``attach_criterion(cfg)``, ``for name, fn in ...``), the
  registry of ``@MODELS.register()`` on a reaching definition, the new name of an
  import renamed (``from m import Net as Model``, ``from torch.nn import
  CrossEntropyLoss as CE``), any name of a module used as a value
  (``getattr(losses, name)``, ``engine = train_single``);
- a bare name a module defines itself (``def main``) means its own definition, unless
  the module also imports that name or star-imports; a function's local name means
  nothing; an imported one means any module's definition of that name. Attribute names
  count only on a name imported from the project (``utils.train``, not
  ``image.convert``). A name a module-level statement binds is known to other modules
  only if one imports it, reads it as an attribute or star-imports its module.

A class that reaching code names runs as well, though nothing reaches through it: its
methods run as entry points on the instances that code made (an event handler a
library calls, holding the model and the loss; a metric thresholding the model's output,
which a fix must see).

It over-approximates what the interpreter can follow (a name in common keeps a unit),
from the IR alone: a walk of the IR the entry points need anyway. It knows Python, not
libraries: what names a loss is the ``seed`` the caller derives from the knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import AbstractSet, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from losslint.analysis import ir
from losslint.analysis.engine.walk import _assigned, _imported_name, _nested_blocks, _statement_targets, _target_names, _walk_statements


Key = Union[str, Tuple[str, str]]
"""A name any module's code may mean (an imported name), (path, name): a module's own
top-level definition, or ("", path): any name of that module."""

MODULE, CLASS, FUNCTION = "module", "class", "function"
"""Where a statement runs: a definition there is a unit of its own, except in a function."""


@dataclass(frozen=True)
class Reach:
    """What reaches a loss: the files; those holding code that names one itself
    (``seeded``); and in each file the module-level functions and classes (by name)
    whose code reaches one (a class's methods all run on its instances)."""

    files: FrozenSet[str]
    seeded: FrozenSet[str]
    definitions: Dict[str, FrozenSet[str]]


Seed = Callable[[Set[str], Set[str], Set[Tuple[str, Tuple[str, ...]]]], bool]
"""Whether code with these names (and attribute names), strings and method calls (name,
keywords) names a loss."""


@dataclass(frozen=True)
class _Export:
    """A statement that binds ``bound`` (``REGISTRY[key] = Net``, ``CE = nn.CrossEntropyLoss``):
    in a reaching unit, those names reach a loss if the statement names one itself
    (``seeded``) or reads a reaching name."""

    bare: FrozenSet[str]
    attributes: FrozenSet[str]
    modules: FrozenSet[str]  # project modules it reads as values (``engine = train_single``)
    bound: FrozenSet[str]
    seeded: bool


@dataclass(slots=True)
class _Unit:
    path: str
    provides: FrozenSet[str]  # names other code reaches it by
    bare: AbstractSet[str] = field(default_factory=set)  # bare names it reads
    attributes: AbstractSet[str] = field(default_factory=set)  # attribute names it reads
    modules: AbstractSet[str] = field(default_factory=set)  # project modules it uses as values (``getattr(losses, name)``)
    words: AbstractSet[str] = field(default_factory=set)  # every name and attribute name it holds
    strings: AbstractSet[str] = field(default_factory=set)  # the strings it holds, but those it compares (``getattr(nn, "MSELoss")``)
    calls: AbstractSet[Tuple[str, Tuple[str, ...]]] = field(default_factory=set)  # methods it calls, with the keywords given
    exports: List["_Export"] = field(default_factory=list)  # statements binding names for other code
    decorator_roots: FrozenSet[str] = frozenset()  # registries a reaching definition is handed to
    renames: List[Tuple[str, str]] = field(default_factory=list)  # ``from m import Net as Model``: (Net, Model)
    owner: Optional["_Unit"] = None  # a method's class body: reaching a method reaches its class
    top: str = ""  # the module-level function or class it belongs to ("": the module's top level)
    is_class: bool = False  # a class's own body
    reached: bool = False

    def settle(self) -> None:
        """Once seeded: what propagation reads, frozen, and the rest let go (the empty
        frozenset is shared). A large package has 30,000 units; as built, their 200,000
        sets, most of them empty, held 70 MB through the run."""
        self.bare, self.attributes, self.modules = frozenset(self.bare), frozenset(self.attributes), frozenset(self.modules)
        self.words = self.strings = self.calls = frozenset()


class _Scope:
    """A function's body being collected: the bare names it reads and the names it binds
    (its locals, which hide any module's name of the same spelling)."""

    __slots__ = ("reads", "binds")

    def __init__(self, binds: Iterable[str] = ()) -> None:
        self.reads: Set[str] = set()
        self.binds: Set[str] = set(binds)


class _Collector:
    """Splits a module into units and collects what each one mentions, in one walk."""

    def __init__(self, path: str, module: ir.Module, resolve: Callable[[str, int], Optional[str]], seed: Seed) -> None:
        self.path = path
        self.seed = seed
        self.renamed: Dict[str, str] = {}  # ``from m import Net as Model``: Model -> Net
        self.aliases: Dict[str, str] = {}  # names its imports bind to the project's modules -> their paths
        self.imported: Set[str] = set()  # names its import statements take from the project's modules
        self.starred: Set[str] = set()  # project modules it star-imports
        self.roots: Set[str] = set()  # names whose attributes may be a project module's (``utils.train``)
        imports: Set[str] = set()  # names an import binds, anywhere in the module
        for stmt in _walk_all(module.body):
            if isinstance(stmt, (ir.Import, ir.ImportFrom)):
                imports.add(_imported_name(stmt))
            if isinstance(stmt, ir.ImportFrom):
                if stmt.asname:
                    self.renamed[stmt.asname] = stmt.name
                source = resolve(stmt.module, stmt.level)
                if source is not None and stmt.name == "*":
                    self.starred.add(source)
                elif source is not None:
                    self.imported.add(stmt.name)
                    self.roots.add(stmt.asname or stmt.name)  # may be a module its source imports
                target = resolve(f"{stmt.module}.{stmt.name}" if stmt.module else stmt.name, stmt.level) if stmt.name != "*" else None
                if target is not None:
                    self.aliases[stmt.asname or stmt.name] = target
            elif isinstance(stmt, ir.Import):
                target = resolve(stmt.module if stmt.asname else stmt.module.split(".")[0], 0)
                if target is not None:
                    self.aliases[_imported_name(stmt)] = target
        self.roots |= set(self.aliases)
        defined, own = set(), set()
        for stmt in _walk_statements(module.body):
            if isinstance(stmt, (ir.FunctionDef, ir.ClassDef)):
                defined.add(stmt.name)
            elif isinstance(stmt, ir.ImportFrom) and resolve(stmt.module, stmt.level) is not None:
                own.add(stmt.asname or stmt.name)
            defined.update(_statement_targets(stmt))  # assignments, loop and ``with`` targets, ``except`` names
        # names it defines itself and does not also import (``try: from train import
        # train`` / ``except ImportError: def train(...)`` may be either; so may a
        # function's ``from engine import train`` in a module defining ``train``; after
        # ``from trainer import *``, ``train = profiled(train)`` reads the imported one)
        self.defined: FrozenSet[str] = frozenset() if "*" in imports else frozenset(defined - imports)
        self.own: FrozenSet[str] = frozenset(defined | own)  # the names a statement may bind for other code
        self.declared_global = module.declared_global
        self.units: List[_Unit] = [_Unit(path, frozenset())]
        top = _Scope()
        self._block(module.body, self.units[0], MODULE, (), top)
        self.units[0].bare |= top.reads

    def loss_words(self, words: Set[str]) -> Set[str]:
        """``words`` and what the names among them were imported as: ``CE`` is
        ``CrossEntropyLoss`` after ``from torch.nn import CrossEntropyLoss as CE``."""
        return words | {self.renamed[w] for w in words if w in self.renamed}

    def _block(self, body: Iterable[ir.Stmt], unit: _Unit, where: str, classes: Tuple[str, ...], scope: _Scope) -> None:
        for stmt in body:
            if isinstance(stmt, (ir.FunctionDef, ir.ClassDef)):
                self._definition(stmt, unit, where, classes, scope)
            else:
                self._statement(stmt, unit, where, classes, scope)

    def _definition(
        self, stmt: Union[ir.FunctionDef, ir.ClassDef], unit: _Unit, where: str, classes: Tuple[str, ...], scope: _Scope
    ) -> None:
        inner = unit  # a definition inside a function runs with it
        if where == FUNCTION:
            scope.binds.add(stmt.name)
        else:
            method = isinstance(stmt, ir.FunctionDef) and where == CLASS
            inner = _Unit(self.path, frozenset(classes) if method else frozenset((*classes, stmt.name)))
            inner.is_class = isinstance(stmt, ir.ClassDef)
            inner.owner = unit if method else None
            inner.top = stmt.qualname.split(".", 1)[0]
            if where == MODULE:  # ``@MODELS.register()``: the registry holds the definition
                roots = (_root(d) for d in stmt.decorators if isinstance(d.func if isinstance(d, ir.Call) else d, ir.Attr))
                inner.decorator_roots = frozenset(r for r in roots if r is not None and r in self.own)
            self.units.append(inner)
        outer = scope if where == FUNCTION else _Scope()  # decorators, defaults and bases run where the definition is
        for decorator in stmt.decorators:
            self._mention(decorator, inner, outer)
        if isinstance(stmt, ir.FunctionDef):
            for param in stmt.params:
                if param.default is not None:
                    self._mention(param.default, inner, outer)
            body = _Scope(p.name for p in stmt.params)
            first_export = len(inner.exports)
            self._block(stmt.body, inner, FUNCTION, (), body)
            hidden = body.binds - self.declared_global
            outer.reads |= body.reads - hidden
            inner.exports[first_export:] = [replace(e, bare=e.bare - hidden) for e in inner.exports[first_export:]]
        else:
            for base in stmt.bases:
                self._mention(base.value, inner, outer)
            if inner is unit:  # a class inside a function: its body's names are attributes, not the function's
                body = _Scope()
                self._block(stmt.body, inner, FUNCTION, (), body)
                outer.reads |= body.reads
            else:
                self._block(stmt.body, inner, CLASS, classes + (stmt.name,), outer)
        if outer is not scope:
            inner.bare |= outer.reads

    def _statement(self, stmt: ir.Stmt, unit: _Unit, where: str, classes: Tuple[str, ...], scope: _Scope) -> None:
        if isinstance(stmt, (ir.Import, ir.ImportFrom)):
            if isinstance(stmt, ir.ImportFrom) and stmt.asname and stmt.asname != stmt.name:
                unit.renames.append((stmt.name, stmt.asname))
                if where == MODULE and self.seed({stmt.name}, set(), set()):  # ``from torch.nn import CrossEntropyLoss as CE``
                    unit.words.add(stmt.asname)
                    unit.exports.append(_Export(frozenset(), frozenset(), frozenset(), frozenset({stmt.asname}), True))
            return  # an import in a function binds the module's name, which reads as any other import does
        for block in _nested_blocks(stmt):
            self._block(block, unit, where, classes, scope)
        bound = set()
        for target in _assigned(stmt):
            if isinstance(target, (ir.Name, ir.Collection, ir.Starred)):
                bound.update(n for n in _target_names(target) if n in self.declared_global)  # at module level: below
            else:
                bound.add(_root(target) or "")  # ``REGISTRY[key] = Net``
        if where == MODULE and isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call):
            # ``MODELS.register(Net)``, ``models.append(net)``, ``attach_criterion(cfg)``: the
            # receiver and the arguments may be changed
            bound.update(_root(e) or "" for e in (stmt.value.func, *(a.value for a in stmt.value.args)))
        if where == MODULE:
            bound.update(_statement_targets(stmt))  # also ``for name, fn in ...:``, ``with ... as m:``
        if where == FUNCTION:
            scope.binds.update(n for n in _statement_targets(stmt) if n not in self.declared_global)
        bound = {name for name in bound if name in self.own and name not in scope.binds}
        if not bound:
            for expr in _expressions(stmt):
                self._mention(expr, unit, scope)
            return
        mentioned, reads = _Unit(self.path, frozenset()), _Scope()
        for expr in _expressions(stmt):
            self._mention(expr, mentioned, reads)
        scope.reads |= reads.reads
        unit.attributes |= mentioned.attributes
        unit.modules |= mentioned.modules
        unit.words |= mentioned.words
        unit.strings |= mentioned.strings
        unit.calls |= mentioned.calls
        seeded = self.seed(self.loss_words(mentioned.words), mentioned.strings, mentioned.calls)
        unit.exports.append(
            _Export(frozenset(reads.reads), frozenset(mentioned.attributes), frozenset(mentioned.modules), frozenset(bound), seeded)
        )

    def _mention(self, expr: object, unit: _Unit, scope: _Scope) -> None:
        """Add what ``expr`` reads: bare names to ``scope``; attribute names to ``unit``
        only where they are a project module's (a name an import binds to one:
        ``utils.train``, ``models.resnet.ResNet``), not any value's (``image.convert`` is
        not a module's ``convert``: a method is reached through its class's name); a
        project module used as a value (``getattr(losses, name)``) as every name of it.
        Iterative: no depth limit."""
        stack = [expr]
        words, reads, aliases = unit.words, scope.reads, self.aliases
        roots: Set[int] = set()  # module names read as the root of an attribute
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ir.Name:
                reads.add(node.id)
                words.add(node.id)
                if node.id in aliases and id(node) not in roots:
                    unit.modules.add(aliases[node.id])
            elif kind is ir.Attr:
                words.add(node.attr)
                root = node.value
                while type(root) is ir.Attr:
                    root = root.value
                if type(root) is ir.Name and root.id in self.roots:
                    unit.attributes.add(node.attr)
                    roots.add(id(root))
                stack.append(node.value)
            elif kind is ir.Call:
                if type(node.func) is ir.Attr:  # ``.backward()``, ``.compile(loss=...)``
                    unit.calls.add((node.func.attr, tuple(a.keyword for a in node.args if a.keyword)))
                stack.append(node.func)
                stack.extend(arg.value for arg in node.args)
            elif kind is ir.Literal:
                if isinstance(node.value, str):
                    unit.strings.add(node.value)
            elif kind is tuple:
                stack.extend(node)
            elif kind is ir.Walrus:
                scope.binds.add(node.target)
                stack.append(node.value)
            elif kind is ir.Opaque and node.ops and node.ops[0] not in ("and", "or", "not"):
                # a comparison reads its strings, it passes none (``kind == "mae"``)
                stack.extend(part for part in node.parts if not (type(part) is ir.Literal and isinstance(part.value, str)))
            elif kind is ir.Opaque and node.binds:  # a comprehension: its variables are its own
                inner = _Scope()
                for part in node.parts:
                    self._mention(part, unit, inner)
                scope.reads |= inner.reads - set(node.binds)
                scope.binds |= inner.binds - set(node.binds)  # ``(y := ...)`` binds in the function
            elif isinstance(node, (ir.Expr, ir.Arg)):
                stack.extend([getattr(node, name) for name in node.__slots__])


def _expressions(stmt: ir.Stmt) -> List[object]:
    """The expressions a statement evaluates itself (not those of its blocks)."""
    if isinstance(stmt, ir.Assign):
        return [*stmt.targets, stmt.value]
    if isinstance(stmt, ir.AugAssign):
        return [stmt.target, stmt.value]
    if isinstance(stmt, (ir.ExprStmt, ir.Return, ir.Jump)):
        return [stmt.value]
    if isinstance(stmt, ir.Delete):
        return list(stmt.targets)
    if isinstance(stmt, ir.If):
        return [stmt.test]
    if isinstance(stmt, ir.Loop):
        return [stmt.target, stmt.iter]
    if isinstance(stmt, ir.With):
        return [part for item in stmt.items for part in item]
    if isinstance(stmt, ir.Branches):
        return [stmt.subject]
    return []


def _root(expr: ir.Expr) -> Optional[str]:
    while isinstance(expr, (ir.Attr, ir.Subscript, ir.Call)):
        expr = expr.func if isinstance(expr, ir.Call) else expr.value
    return expr.id if isinstance(expr, ir.Name) else None


def _walk_all(body: Iterable[ir.Stmt]) -> Iterable[ir.Stmt]:
    """Every statement, inside definitions too."""
    for stmt in _walk_statements(body):
        yield stmt
        if isinstance(stmt, (ir.FunctionDef, ir.ClassDef)):
            yield from _walk_all(stmt.body)


@dataclass(frozen=True)
class FileUnits:
    """What reach reads of one module, collected from its IR alone (so a worker process
    that has just lowered the module can collect it): its units, settled, and which of
    them name a loss themselves; the names its top level defines, those its imports
    take from the project, and the project modules it star-imports."""

    path: str
    units: Tuple[_Unit, ...]
    seeded: Tuple[bool, ...]
    defined: FrozenSet[str]
    imported: FrozenSet[str]
    starred: FrozenSet[str]


def file_units(path: str, module: ir.Module, seed: Seed, resolve: Callable[[str, str, int], Optional[str]]) -> FileUnits:
    """The module at ``path`` split into units, each seeded and settled."""
    collector = _Collector(path, module, lambda module, level: resolve(path, module, level), seed)
    seeded = []
    for unit in collector.units:
        seeded.append(seed(collector.loss_words(unit.words), unit.strings, unit.calls))
        unit.settle()
    return FileUnits(path, tuple(collector.units), tuple(seeded), collector.defined, frozenset(collector.imported), frozenset(collector.starred))


def reaching_files(
    paths: Iterable[str],
    load: Callable[[str], Optional[ir.Module]],
    seed: Seed,
    resolve: Callable[[str, str, int], Optional[str]],
    collected: Callable[[str], Optional[FileUnits]] = lambda path: None,
) -> Reach:
    """The units of the modules at ``paths`` that reach a ``seed``: a unit whose names
    (and attribute names), strings and method calls (name, keywords) ``seed`` says name
    a loss. ``collected(path)``: the module's units collected already (``file_units``),
    or None; then ``load(path)``: the module's IR, or None (then it has no units). One
    module is walked at a time, and nothing of its IR is kept. ``resolve(path, module,
    level)``: the project file an import in ``path`` leads to."""
    units: List[_Unit] = []
    seeds: List[_Unit] = []
    defined: Dict[str, FrozenSet[str]] = {}
    known: Set[str] = set()  # names other modules may read a module-level binding by
    starred: Set[str] = set()
    for path in sorted(paths):
        found = collected(path)
        if found is None:
            module = load(path)
            if module is None:
                continue
            found = file_units(path, module, seed, resolve)
        units.extend(found.units)
        seeds.extend(unit for unit, seeded in zip(found.units, found.seeded) if seeded)
        defined[path] = found.defined
        known |= found.imported
        starred |= found.starred  # any of their module-level names may be read
    for unit in units:
        known |= unit.attributes  # ``losses.criterion``

    def key(unit: _Unit, name: str) -> Key:
        """A bare name its module defines means that definition; any other, every one."""
        return (unit.path, name) if name in defined[unit.path] else name

    readers: Dict[Key, List[_Unit]] = {}
    renamed: Dict[str, List[Tuple[_Unit, str]]] = {}
    for unit in units:
        for name, alias in unit.renames:
            renamed.setdefault(name, []).append((unit, alias))
        for name in unit.attributes:
            readers.setdefault(name, []).append(unit)
        for name in unit.bare:
            readers.setdefault(key(unit, name), []).append(unit)
        for path in unit.modules:
            readers.setdefault(("", path), []).append(unit)  # any of that module's names
    reached: Set[Key] = set()
    work: List[Key] = []

    def add(unit: _Unit, names: Iterable[str], bound: bool = False) -> None:
        """Reach ``names``; a name a statement binds is known elsewhere only if some
        module imports it or reads it as a module's attribute (``x = Net()`` in a
        script is not every ``x``)."""
        for name in names:
            for found in (name, key(unit, name)) if not bound or name in known or unit.path in starred else (key(unit, name),):
                if found not in reached:
                    reached.add(found)
                    work.append(found)
        if ("", unit.path) not in reached:
            reached.add(("", unit.path))
            work.append(("", unit.path))

    def export(unit: _Unit) -> None:
        for found in unit.exports:
            if (
                found.seeded
                or any(a in reached for a in found.attributes)
                or any(key(unit, n) in reached for n in found.bare)
                or any(("", m) in reached for m in found.modules)
            ):
                add(unit, found.bound, bound=True)

    def reach(unit: _Unit) -> None:
        unit.reached = True
        add(unit, unit.provides | unit.decorator_roots)
        export(unit)
        if unit.owner is not None and not unit.owner.reached:
            reach(unit.owner)

    for unit in seeds:
        if not unit.reached:
            reach(unit)
    while work:
        current = work.pop()
        if isinstance(current, str):
            for unit, alias in renamed.get(current, ()):
                add(unit, (alias,))
        for unit in readers.get(current, ()):
            if not unit.reached:
                reach(unit)
            elif unit.exports:
                export(unit)
    # A class that reaching code names runs too, though its own code names no loss: its
    # methods run as entry points on the instances that code made, which may hold the
    # model and the loss (an event handler a library calls, ``ValidationLoss(model,
    # criterion)``) or use the model's output (what a fix must see).
    classes: Dict[Key, List[_Unit]] = {}
    for unit in units:
        if unit.is_class:
            for name in unit.provides:
                for found in {key(unit, name), name}:  # named in its module, or imported
                    classes.setdefault(found, []).append(unit)
    named = [
        found
        for unit in units
        if unit.reached
        for name in (*unit.attributes, *(key(unit, n) for n in unit.bare))
        for found in classes.get(name, ())
    ]
    definitions: Dict[str, Set[str]] = {}
    for unit in [u for u in units if u.reached] + named:
        definitions.setdefault(unit.path, set()).update((unit.top,) if unit.top else ())
    return Reach(
        frozenset(definitions),
        frozenset(unit.path for unit in seeds),
        {path: frozenset(tops) for path, tops in definitions.items()},
    )
