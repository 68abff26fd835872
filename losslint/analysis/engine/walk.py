"""Walks over the IR that need no abstract values: statements inside blocks, sub-expressions, names."""


from __future__ import annotations

import functools
from typing import Any, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.engine.state import Env
from losslint.analysis.values import (
    Sequence,
    const_value,
)


def _nested_blocks(stmt: ir.Stmt) -> Iterable[Tuple[ir.Stmt, ...]]:
    """The blocks a compound statement runs, in source order (not function or class bodies)."""
    if isinstance(stmt, (ir.If, ir.Loop)):
        yield stmt.body
        yield stmt.orelse
    elif isinstance(stmt, ir.With):
        yield stmt.body
    elif isinstance(stmt, ir.Try):
        yield stmt.body
        yield from (handler for _, handler in stmt.handlers)
        yield stmt.orelse
        yield stmt.finalbody
    elif isinstance(stmt, ir.Branches):
        yield from stmt.cases


def _walk_defs(body: Iterable[ir.Stmt]) -> Iterable[ir.Stmt]:
    """Every function and class definition, nested ones included."""
    for stmt in body:
        if isinstance(stmt, (ir.FunctionDef, ir.ClassDef)):
            yield stmt
            yield from _walk_defs(stmt.body)
        else:
            for block in _nested_blocks(stmt):
                yield from _walk_defs(block)


def _walk_statements(body: Iterable[ir.Stmt]) -> Iterable[ir.Stmt]:
    """Every statement of a body, inside its compound statements but not its definitions."""
    for stmt in body:
        yield stmt
        for block in _nested_blocks(stmt):
            yield from _walk_statements(block)


def _statement_exprs(stmt: ir.Stmt) -> Iterable[ir.Expr]:
    if isinstance(stmt, ir.Assign):
        yield stmt.value
    elif isinstance(stmt, (ir.ExprStmt,)):
        yield stmt.value
    elif isinstance(stmt, ir.Return) and stmt.value is not None:
        yield stmt.value


def _calls(expr: ir.Expr) -> Iterable[ir.Call]:
    if isinstance(expr, ir.Call):
        yield expr
        yield from _calls(expr.func)
        for arg in expr.args:
            yield from _calls(arg.value)
    elif isinstance(expr, ir.Attr):
        yield from _calls(expr.value)


def _subexpressions(expr: Any) -> Iterable[ir.Expr]:
    """Every expression inside ``expr``, itself included (iterative: no depth limit)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Expr):
            yield node
        if isinstance(node, ir.Call):
            stack.append(node.func)
            stack.extend(arg.value for arg in node.args)
        elif isinstance(node, (ir.Attr, ir.Starred, ir.Negative)):
            stack.append(getattr(node, "value", None) or getattr(node, "operand", None))
        elif isinstance(node, ir.BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, ir.Subscript):
            stack.extend((node.value, node.index))
        elif isinstance(node, ir.IfExp):
            stack.extend((node.test, node.body, node.orelse))
        elif isinstance(node, (ir.Collection, ir.Opaque)):
            stack.extend(getattr(node, "items", None) or getattr(node, "parts", ()))
        elif isinstance(node, ir.DictDisplay):
            stack.extend(v for pair in node.items for v in pair if v is not None)
        elif isinstance(node, ir.Walrus):
            stack.append(node.value)


def _shape(expr: Any) -> Any:
    """A comparable form of an expression that ignores site ordinals."""
    if isinstance(expr, ir.Literal):
        return ("Literal", expr.value)
    if isinstance(expr, ir.Name):
        return ("Name", expr.id)
    if isinstance(expr, ir.Attr):
        return ("Attr", _shape(expr.value), expr.attr)
    if isinstance(expr, ir.Call):
        return ("Call", _shape(expr.func), tuple((a.keyword, a.star, _shape(a.value)) for a in expr.args))
    if isinstance(expr, ir.BinOp):
        return ("BinOp", expr.op, _shape(expr.left), _shape(expr.right))
    if isinstance(expr, ir.Subscript):
        return ("Subscript", _shape(expr.value), _shape(expr.index))
    return ("Other", id(expr))


def _callee_name(func: ir.Expr) -> str:
    if isinstance(func, ir.Attr):
        return func.attr
    if isinstance(func, ir.Name):
        return func.id
    return ""


def _is_name_chain(expr: ir.Expr) -> bool:
    while isinstance(expr, ir.Attr):
        expr = expr.value
    return isinstance(expr, ir.Name)


def _names(expr: ir.Expr) -> frozenset:
    return frozenset(node.id for node in _subexpressions(expr) if isinstance(node, ir.Name))


def _decorator_name(expr: ir.Expr) -> Optional[str]:
    if isinstance(expr, ir.Call):
        expr = expr.func
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        return expr.attr
    return None


def _is_static(definition: ir.FunctionDef) -> bool:
    return any(_decorator_name(d) == "staticmethod" for d in definition.decorators)


def _is_super_call(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Call) and isinstance(expr.func, ir.Name) and expr.func.id == "super"


def _reassigned_attributes(cls: ir.ClassDef) -> frozenset:
    """Attributes a method other than ``__init__`` (or a helper ``__init__`` calls)
    assigns on ``self``: their value after construction is not certain."""
    methods = [s for s in cls.body if isinstance(s, ir.FunctionDef)]
    init = next((m for m in methods if m.name == "__init__"), None)
    helpers = _self_calls(init) if init is not None else set()
    names = set()
    for method in methods:
        if method.name == "__init__" or method.name in helpers or not method.params:
            continue
        receiver = method.params[0].name
        for stmt in _walk_statements(method.body):
            for target in _assigned(stmt):
                while isinstance(target, (ir.Attr, ir.Subscript)) and not (
                    isinstance(target, ir.Attr) and isinstance(target.value, ir.Name)
                ):
                    target = target.value  # self.model.fc = ...: self.model changes
                if isinstance(target, ir.Attr) and isinstance(target.value, ir.Name) and target.value.id == receiver:
                    names.add(target.attr)
    return frozenset(names)


def _self_calls(method: ir.FunctionDef) -> set:
    receiver = method.params[0].name if method.params else "self"
    names = set()
    for stmt in _walk_statements(method.body):
        for expr in _statement_exprs(stmt):
            for call in _calls(expr):
                func = call.func
                if isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id == receiver:
                    names.add(func.attr)
    return names


def _declared_all(exported: Env, name: str) -> Iterable[str]:
    """The names ``from m import *`` may bring for a lookup of ``name``: m's literal
    ``__all__`` when it has one, else any name not starting with an underscore."""
    declared = exported.get("__all__")
    if declared is not None and len(declared) == 1:
        (atom,) = declared
        if isinstance(atom, Sequence) and not atom.open_start:
            names = [const_value(item) for item in atom.items]
            if all(isinstance(n, str) for n in names):
                return names
    return () if name.startswith("_") else (name,)


def _assigned(stmt: ir.Stmt) -> Tuple[ir.Expr, ...]:
    """The targets an assignment statement (``=`` or an augmented one) writes."""
    if isinstance(stmt, ir.Assign):
        return stmt.targets
    if isinstance(stmt, ir.AugAssign):
        return (stmt.target,)
    return ()


@functools.lru_cache(maxsize=4096)
def _bound_names(definition: ir.FunctionDef) -> frozenset:
    """Names a function's body binds anew (``d = {}``, a loop variable, an import): a
    parameter among them may no longer name the caller's object."""
    names: set = set()
    for stmt in _walk_statements(definition.body):
        names.update(_statement_targets(stmt))
        if isinstance(stmt, (ir.FunctionDef, ir.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ir.Import, ir.ImportFrom)):
            names.add(_imported_name(stmt))
    return frozenset(names)


def _statement_targets(stmt: ir.Stmt) -> List[str]:
    """The names a statement's targets bind: an assignment's, a loop variable, ``with
    ... as``, ``except ... as``."""
    if isinstance(stmt, ir.Loop) and stmt.target is not None:
        return _target_names(stmt.target)
    if isinstance(stmt, ir.With):
        return [n for _, target in stmt.items if target is not None for n in _target_names(target)]
    if isinstance(stmt, ir.Try):
        return [name for name, _ in stmt.handlers if name]
    return [n for target in _assigned(stmt) for n in _target_names(target)]


def _imported_name(stmt: Any) -> str:
    """The name an import statement binds: ``import a.b`` binds ``a``."""
    if isinstance(stmt, ir.Import):
        return stmt.asname or stmt.module.split(".")[0]
    return stmt.asname or stmt.name


def _target_names(target: ir.Expr) -> List[str]:
    if isinstance(target, ir.Name):
        return [target.id]
    if isinstance(target, ir.Collection):
        return [n for item in target.items for n in _target_names(item)]
    if isinstance(target, ir.Starred):
        return _target_names(target.value)
    return []
