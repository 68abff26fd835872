"""Lower a module parsed by CPython's ``ast`` into the IR of ``ir.py``.

The analysis reads CPython's own tree, not libcst's: every file is parsed by ``ast``
anyway (it checks the syntax and refuses pathological nesting cleanly), so lowering
from it costs no second parse, and a run that reports no fix never imports libcst
(0.3 s to import, ~5x slower to parse). libcst is used where its concrete tree is
needed: ``--fix`` rewrites code keeping its formatting (``losslint.fixer``), finding
the node of each site by the position recorded here.

One recursive walk over statements and expressions (``if``/``elif`` chains and the
left spine of ``a + b + ...`` are walked in loops; other valid code can nest deeper
than Python's default recursion limit, and is lowered again with room to recurse:
``summary.deep``). Every call, assignment and
operation gets a site ordinal and its position (line, column in UTF-8 bytes, end
line, end column), so a report can name the place without parsing the file again.
"""

from __future__ import annotations

import ast
from array import array
from typing import List, Optional, Sequence, Tuple

from losslint.analysis import ir
from losslint.analysis import tables as T

_BINARY_OPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
}

_COMPARE_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

_AUGMENTED_OPS = {
    ast.Add: "AddAssign",
    ast.Sub: "SubtractAssign",
    ast.Mult: "MultiplyAssign",
    ast.Div: "DivideAssign",
    ast.FloorDiv: "FloorDivideAssign",
    ast.Mod: "ModuloAssign",
    ast.Pow: "PowerAssign",
    ast.MatMult: "MatrixMultiplyAssign",
}

MAX_MODELLED_OPERANDS = 16  # longer chains are evaluated only for the calls inside them

Position = Tuple[int, int, int, int]
"""(line, column, end line, end column): lines 1-based, columns 0-based UTF-8 offsets."""


IMPLICIT_DIM = {
    name.rsplit(".", 1)[1]: spec.dim_param
    for table in (T.ACTIVATION_LAYERS, T.ACTIVATION_FUNCTIONS)
    for name, spec in table.items()
    if spec.implicit_dim
}
"""Softmax-like callees torch lets go without ``dim``, by short name: where ``dim`` goes."""
SOFTMAX_NAMES = frozenset(
    name.rsplit(".", 1)[-1]
    for table in (T.ACTIVATION_LAYERS, T.ACTIVATION_FUNCTIONS, T.ACTIVATION_METHODS)
    for name, spec in table.items()
    if spec.kind in (T.Kind.SOFTMAX, T.Kind.LOG_SOFTMAX)
)
WIDTH_PARAMS = {name.rsplit(".", 1)[1]: spec.width_param for name, spec in T.WIDTH_LAYERS.items()}
"""Layers whose output width is an argument, by short name: where the width goes."""


class Lowerer:
    """Turns one module into IR; ``positions[i]`` is where site ordinal ``i`` is."""

    def __init__(self) -> None:
        self.positions = array("i")  # four ints a site (``ir.Positions``)
        self.called_names: set = set()
        self._qualnames: set = set()
        self._scope: List[str] = []
        self._dimless: List[Optional[str]] = []  # softmax-like calls without dim: their receiver's root name
        self._softmax = False  # a softmax-like name
        self._width_one = False  # a layer of output width 1, by literal
        self._imported: set = set()  # names import statements bind, anywhere in the file
        self._imports: List[Tuple[str, int, Tuple[str, ...]]] = []
        self._globals: set = set()  # names ``global`` statements declare

    def module(self, module: ast.Module) -> ir.Module:
        body = self.block(module.body)
        implicit_dim = any(root is None or root in self._imported for root in self._dimless)
        standalone = implicit_dim or (self._softmax and self._width_one)
        defines = frozenset(_bindings(module.body) | self._globals)
        outline = ir.Outline(standalone, tuple(self._imports))
        return ir.Module(body, frozenset(self.called_names), ir.Positions(self.positions), outline, defines, frozenset(self._globals))

    def _scan_call(self, name: str, node: ast.Call) -> None:
        """What can make a file hold a finding without any loss in it: a softmax without
        ``dim`` (LL205), or one next to a layer of width 1 (LL202)."""
        if name in IMPLICIT_DIM:
            position, keyword = IMPLICIT_DIM[name]
            starred = any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
            if starred or (len(node.args) <= position and all(k.arg != keyword for k in node.keywords)):
                # ``F.softmax(x)`` lacks dim; ``x.softmax(1)`` and ``self.softmax(x)`` (a
                # method, a layer) do not: a receiver that is no imported module is not torch
                self._dimless.append(_root(node.func.value) if isinstance(node.func, ast.Attribute) else None)
        if name in WIDTH_PARAMS and not self._width_one:
            position, keyword = WIDTH_PARAMS[name]
            width = node.args[position] if position < len(node.args) else None
            width = next((k.value for k in node.keywords if k.arg == keyword), width)
            self._width_one = isinstance(width, ast.Constant) and width.value == 1

    def _site(self, node: ast.AST) -> int:
        self.positions.extend((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]
        return len(self.positions) // 4 - 1

    # --- statements --------------------------------------------------------------

    def block(self, statements: Sequence[ast.stmt]) -> Tuple[ir.Stmt, ...]:
        out: List[ir.Stmt] = []
        for statement in statements:
            out.extend(self.statement(statement))
        return tuple(out)

    def statement(self, node: ast.stmt) -> List[ir.Stmt]:  # noqa: C901 - one dispatch
        if isinstance(node, ast.Assign):
            targets = tuple(self.expr(t) for t in node.targets)
            return [ir.Assign(targets, self.expr(node.value), self._site(node))]
        if isinstance(node, ast.AnnAssign):
            if node.value is None:
                return []
            return [ir.Assign((self.expr(node.target),), self.expr(node.value), self._site(node))]
        if isinstance(node, ast.AugAssign):
            op = _AUGMENTED_OPS.get(type(node.op), type(node.op).__name__ + "Assign")
            site = self._site(node)
            return [ir.AugAssign(self.expr(node.target), op, self.expr(node.value), site)]
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, (str, bytes)):
                return []  # a docstring
            return [ir.ExprStmt(self.expr(node.value))]
        if isinstance(node, ast.Return):
            return [ir.Return(self.expr(node.value) if node.value is not None else None)]
        if isinstance(node, ast.Raise):
            return [ir.Jump("raise", self.expr(node.exc) if node.exc is not None else None)]
        if isinstance(node, ast.Break):
            return [ir.Jump("break")]
        if isinstance(node, ast.Continue):
            return [ir.Jump("continue")]
        if isinstance(node, ast.Import):
            self._imported.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
            self._imports.extend((alias.name, 0, ()) for alias in node.names)
            return [ir.Import(alias.name, alias.asname) for alias in node.names]
        if isinstance(node, ast.ImportFrom):
            self._imported.update(alias.asname or alias.name for alias in node.names)
            self._imports.append((node.module or "", node.level or 0, tuple(alias.name for alias in node.names)))
            return [ir.ImportFrom(node.module or "", node.level or 0, a.name, a.asname) for a in node.names]
        if isinstance(node, ast.Delete):
            return [ir.Delete(tuple(self.expr(t) for t in node.targets))]
        if isinstance(node, ast.Assert):
            return [ir.ExprStmt(self.expr(node.test))]
        if isinstance(node, ast.If):
            return self._if_chain(node)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            target, iterable = self.expr(node.target), self.expr(node.iter)
            return [ir.Loop(target, iterable, self.block(node.body), self.block(node.orelse))]
        if isinstance(node, ast.While):
            test = self.expr(node.test)
            return [ir.ExprStmt(test), ir.Loop(None, None, self.block(node.body), self.block(node.orelse))]
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = tuple(
                (self.expr(item.context_expr), self.expr(item.optional_vars) if item.optional_vars else None)
                for item in node.items
            )
            return [ir.With(items, self.block(node.body))]
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            handlers = tuple((h.name, self.block(h.body)) for h in node.handlers)
            return [ir.Try(self.block(node.body), handlers, self.block(node.orelse), self.block(node.finalbody))]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [self.function(node)]
        if isinstance(node, ast.ClassDef):
            return [self.class_(node)]
        if isinstance(node, ast.Match):
            cases = tuple(self.block(case.body) for case in node.cases)
            return [ir.Branches(self.expr(node.subject), cases)]
        if isinstance(node, ast.Global):
            self._globals.update(node.names)
        return []  # pass, global, nonlocal, type aliases

    def _if_chain(self, node: ast.If) -> List[ir.Stmt]:
        """``if``/``elif``/.../``else`` without recursion: each ``elif`` is an ``If``
        alone in the previous one's ``orelse``, and generated code chains thousands.
        Sites are numbered in source order, as a recursive walk would."""
        branches: List[Tuple[ir.Expr, Tuple[ir.Stmt, ...]]] = []
        current = node
        while True:
            branches.append((self.expr(current.test), self.block(current.body)))
            orelse = current.orelse
            if len(orelse) != 1 or not isinstance(orelse[0], ast.If):
                break
            current = orelse[0]
        tail = self.block(orelse)
        for test, body in reversed(branches):
            tail = (ir.If(test, body, tail),)
        return list(tail)

    def _qualname(self, name: str) -> str:
        qualname = ".".join(self._scope + [name])
        unique, n = qualname, 1
        while unique in self._qualnames:
            n += 1
            unique = f"{qualname}#{n}"
        self._qualnames.add(unique)
        return unique

    def function(self, node: "ast.FunctionDef | ast.AsyncFunctionDef") -> ir.FunctionDef:
        qualname = self._qualname(node.name)
        params = self._params(node.args)
        decorators = tuple(self.expr(d) for d in node.decorator_list)
        self._scope.append(qualname.rsplit(".", 1)[-1] + ".<locals>")
        try:
            body = self.block(node.body)
        finally:
            self._scope.pop()
        return ir.FunctionDef(node.name, qualname, params, body, decorators)

    def _params(self, args: ast.arguments) -> Tuple[ir.Param, ...]:
        positional = [*args.posonlyargs, *args.args]
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        out = [ir.Param(p.arg, self._default(d)) for p, d in zip(positional, defaults)]
        if args.vararg is not None:
            out.append(ir.Param(args.vararg.arg, None, "varargs"))
        for p, d in zip(args.kwonlyargs, args.kw_defaults):
            out.append(ir.Param(p.arg, self._default(d), "keyword"))
        if args.kwarg is not None:
            out.append(ir.Param(args.kwarg.arg, None, "varkw"))
        return tuple(out)

    def _default(self, default: Optional[ast.expr]) -> Optional[ir.Expr]:
        return self.expr(default) if default is not None else None

    def class_(self, node: ast.ClassDef) -> ir.ClassDef:
        qualname = self._qualname(node.name)
        bases = tuple(self._positional(b) for b in node.bases) + tuple(self._keyword(k) for k in node.keywords)
        decorators = tuple(self.expr(d) for d in node.decorator_list)
        self._scope.append(qualname)
        try:
            body = self.block(node.body)
        finally:
            self._scope.pop()
        return ir.ClassDef(node.name, qualname, bases, body, decorators)

    # --- expressions -------------------------------------------------------------

    def _positional(self, value: ast.expr) -> ir.Arg:
        if isinstance(value, ast.Starred):
            return ir.Arg(self.expr(value.value), None, "*")
        return ir.Arg(self.expr(value))

    def _keyword(self, keyword: ast.keyword) -> ir.Arg:
        if keyword.arg is None:
            return ir.Arg(self.expr(keyword.value), None, "**")
        return ir.Arg(self.expr(keyword.value), keyword.arg)

    def expr(self, node: ast.expr) -> ir.Expr:  # noqa: C901 - one dispatch
        if isinstance(node, ast.Name):
            self._softmax = self._softmax or node.id in SOFTMAX_NAMES
            return ir.Name(node.id)
        if isinstance(node, ast.Attribute):
            self._softmax = self._softmax or node.attr in SOFTMAX_NAMES
            return ir.Attr(self.expr(node.value), node.attr)
        if isinstance(node, ast.Call):
            func = self.expr(node.func)
            if isinstance(func, (ir.Name, ir.Attr)):
                name = func.id if isinstance(func, ir.Name) else func.attr
                self.called_names.add(name)
                self._scan_call(name, node)
            site = self._site(node)
            args = tuple(self._positional(a) for a in node.args) + tuple(self._keyword(k) for k in node.keywords)
            return ir.Call(func, args, site)
        if isinstance(node, ast.Constant):
            return ir.Opaque(()) if node.value is Ellipsis else ir.Literal(node.value)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
            items = tuple(ir.Starred(self.expr(e.value)) if isinstance(e, ast.Starred) else self.expr(e) for e in node.elts)
            return ir.Collection(kind, items)
        if isinstance(node, ast.Dict):
            return ir.DictDisplay(
                tuple((self.expr(k) if k is not None else None, self.expr(v)) for k, v in zip(node.keys, node.values))
            )
        if isinstance(node, ast.Subscript):
            return ir.Subscript(self.expr(node.value), self.expr(node.slice))
        if isinstance(node, ast.Slice):
            parts = (node.lower, node.upper, node.step)
            return ir.Slice(*(self.expr(p) if p is not None else None for p in parts))
        if isinstance(node, (ast.BinOp, ast.BoolOp)):
            return self._operation(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return ir.Negative(self.expr(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            site = self._site(node)
            ops = ("not",) if isinstance(node.op, ast.Not) else ()
            return ir.Opaque((self.expr(node.operand),), site=site, ops=ops)
        if isinstance(node, ast.IfExp):
            return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        if isinstance(node, ast.Compare):
            site = self._site(node)
            ops = tuple(_COMPARE_OPS.get(type(op), "?") for op in node.ops)
            return ir.Opaque(tuple(self.expr(e) for e in (node.left, *node.comparators)), site=site, ops=ops)
        if isinstance(node, ast.NamedExpr):
            if isinstance(node.target, ast.Name):
                return ir.Walrus(node.target.id, self.expr(node.value))
            return self.expr(node.value)
        if isinstance(node, ast.Await):
            return self.expr(node.value)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node)
        if isinstance(node, ast.JoinedStr):
            site = self._site(node)
            parts = tuple(self.expr(p.value) for p in node.values if isinstance(p, ast.FormattedValue))
            return ir.Opaque(parts, site=site)
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return ir.Opaque((self.expr(node.value),) if node.value is not None else ())
        if isinstance(node, ast.Starred):
            return ir.Starred(self.expr(node.value))
        return ir.Opaque(())  # lambda, and anything newer than this code

    def _operation(self, node: "ast.BinOp | ast.BoolOp") -> ir.Expr:
        """Binary and boolean operations. The left spine of one operator (``a + b + ... + z``,
        thousands deep in generated code) is walked without recursion; long spines and
        boolean chains, whose value the analysis does not model, become Opaque."""
        site = self._site(node)
        if isinstance(node, ast.BoolOp):
            ops = ("and",) if isinstance(node.op, ast.And) else ("or",)
            return ir.Opaque(tuple(self.expr(v) for v in node.values), site=site, ops=ops)
        operator = type(node.op)
        operands: List[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and type(current.op) is operator:
            operands.append(current.right)
            current = current.left
        operands.append(current)
        operands.reverse()
        op = _BINARY_OPS.get(operator)
        if op is None or len(operands) > MAX_MODELLED_OPERANDS:
            return ir.Opaque(tuple(self.expr(o) for o in operands), site=site)
        result = self.expr(operands[0])
        for operand in operands[1:]:
            result = ir.BinOp(op, result, self.expr(operand), site)
        return result

    def _comprehension(self, node: "ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp") -> ir.Expr:
        site = self._site(node)
        parts: List[ir.Expr] = []
        binds: List[str] = []
        for generator in node.generators:
            parts.append(self.expr(generator.iter))
            binds.extend(_bound_names(generator.target))
            parts.extend(self.expr(test) for test in generator.ifs)
        if isinstance(node, ast.DictComp):
            parts.extend((self.expr(node.key), self.expr(node.value)))
        else:
            parts.append(self.expr(node.elt))
        return ir.Opaque(tuple(parts), tuple(binds), site)


def _root(node: ast.expr) -> str:
    """The name an attribute chain starts from (``""`` when it is not a name)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _bindings(body: Sequence[ast.stmt]) -> set:
    """The names a module's top level binds (``*`` for a star import): statements
    inside ``if``/``try``/``for``/``with`` included, function and class bodies not."""
    names: set = set()
    stack: List[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            stack.extend(node.decorator_list)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
            stack.extend(ast.iter_child_nodes(node))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
            stack.extend(ast.iter_child_nodes(node))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
            stack.extend(ast.iter_child_nodes(node))
        else:
            stack.extend(ast.iter_child_nodes(node))
    return names


def _bound_names(target: ast.expr) -> List[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        names: List[str] = []
        for element in target.elts:
            names.extend(_bound_names(element))
        return names
    return []


def lower(module: ast.Module) -> ir.Module:
    """Lower a module parsed by ``ast.parse``."""
    return Lowerer().module(module)
