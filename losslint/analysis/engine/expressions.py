"""Expressions: names by scope, literals and containers, subscripts, operators."""


from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.engine.conditions import _hashable, _truth, compare
from losslint.analysis.engine.state import Args, Context, Env
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Atom,
    Cause,
    Const,
    Mapping,
    QualRef,
    Sequence,
    Site,
    SliceConst,
    Unknown,
    const_value,
    constant,
    join,
    of,
    ordered,
    unknown,
)


class Expressions:
    """Expressions, as methods of the interpreter."""

    def eval(self, expr: ir.Expr, env: Env, ctx: Context) -> AbsVal:  # noqa: C901
        if isinstance(expr, ir.Name):
            return self.lookup(expr.id, env, ctx)
        if isinstance(expr, ir.Literal):
            return constant(expr.value)
        if isinstance(expr, ir.Call):
            return self._eval_call(expr, env, ctx)
        if isinstance(expr, ir.Attr):
            owner = self.eval(expr.value, env, ctx)
            result = join(self.getattr(a, expr.attr) for a in ordered(owner))
            self.observe_attribute(owner, result, expr.attr)
            return result
        if isinstance(expr, ir.Collection):
            return self._collection(expr, env, ctx)
        if isinstance(expr, ir.DictDisplay):
            pairs = []
            for key, value in expr.items:
                v = self.eval(value, env, ctx)
                k = const_value(self.eval(key, env, ctx), MISSING) if key is not None else MISSING
                pairs.append((k, v))
            if any(k is MISSING for k, _ in pairs):
                return unknown("dict with computed keys", Cause.DYNAMIC_DISPATCH)
            return of(Mapping(tuple(pairs)))
        if isinstance(expr, ir.Subscript):
            container = self.eval(expr.value, env, ctx)
            index = self.eval(expr.index, env, ctx)
            result = join(self.subscript(a, index) for a in container)
            self.observe_subscript(container, result)
            return result
        if isinstance(expr, ir.Slice):
            parts = [self.eval(p, env, ctx) if p is not None else of(Const(None)) for p in (expr.lower, expr.upper, expr.step)]
            values = [const_value(p, MISSING) for p in parts]
            if any(v is MISSING for v in values):
                return unknown("slice", Cause.EXPRESSION)
            return of(SliceConst(*values))
        if isinstance(expr, ir.BinOp):
            left, right = self.eval(expr.left, env, ctx), self.eval(expr.right, env, ctx)
            result = self.binary_operation(expr.op, left, right)
            self.observe_use(left | right, result, Site(ctx.module, expr.site), f"'{expr.op}'")
            return result
        if isinstance(expr, ir.Negative):
            value = const_value(self.eval(expr.operand, env, ctx), MISSING)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return of(Const(-value))
            return unknown("result of arithmetic", Cause.EXPRESSION)
        if isinstance(expr, ir.IfExp):
            _, truth = self.condition(expr.test, env, ctx)
            if truth is not None:  # the other branch cannot run
                return self.eval(expr.body if truth else expr.orelse, env, ctx)
            return join((self.eval(expr.body, env, ctx), self.eval(expr.orelse, env, ctx)))
        if isinstance(expr, ir.Walrus):
            value = self.eval(expr.value, env, ctx)
            env[expr.target] = value
            return value
        if isinstance(expr, ir.Starred):
            return self.eval(expr.value, env, ctx)
        if isinstance(expr, ir.Opaque) and expr.ops:
            return self.condition(expr, env, ctx)[0]
        if isinstance(expr, ir.Opaque):
            inner = dict(env)
            for name in expr.binds:
                inner[name] = unknown("comprehension variable", Cause.LOOP_OR_CONTAINER)
            values = [self.eval(part, inner, ctx) for part in expr.parts]
            if expr.site >= 0:
                self.observe_use(join(values), frozenset(), Site(ctx.module, expr.site), "expression")
            return unknown("expression the analysis does not model", Cause.EXPRESSION)
        return unknown("expression the analysis does not model", Cause.EXPRESSION)

    def condition(self, expr: ir.Expr, env: Env, ctx: Context) -> Tuple[AbsVal, Optional[bool]]:
        """A test's value, and its truth when every alternative decides it the same way
        (comparisons of known constants, ``is None`` of known objects, ``not``, ``and``,
        ``or``); None when it may go either way."""
        if not isinstance(expr, ir.Opaque) or not expr.ops:
            value = self.eval(expr, env, ctx)
            return value, _truth(value)
        op = expr.ops[0]
        if op in ("not", "and", "or"):
            outcomes = [self.condition(part, env, ctx) for part in expr.parts]
            values = [v for v, _ in outcomes]
            truths = [t for _, t in outcomes]
            if op == "not":
                truth = None if truths[0] is None else not truths[0]
            elif op == "and":
                truth = False if False in truths else (True if all(truths) else None)
            else:
                truth = True if True in truths else (False if all(t is False for t in truths) else None)
        else:
            values = [self.eval(part, env, ctx) for part in expr.parts]
            pairs = [compare(o, values[i], values[i + 1]) for i, o in enumerate(expr.ops)]
            truth = False if False in pairs else (True if all(p is True for p in pairs) else None)
        if expr.site >= 0:
            self.observe_use(join(values), frozenset(), Site(ctx.module, expr.site), "expression")
        if truth is not None and op != "and" and op != "or":  # and/or give an operand, not a bool
            return of(Const(truth)), truth
        return unknown("expression the analysis does not model", Cause.EXPRESSION), truth

    def _collection(self, expr: ir.Collection, env: Env, ctx: Context) -> AbsVal:
        items: List[AbsVal] = []
        open_start = False
        for item in expr.items:
            value = self.eval(item, env, ctx)
            if isinstance(item, ir.Starred):
                spliced = _splice(value)
                if spliced is None:
                    open_start, items = True, []
                else:
                    open_start = open_start or spliced[1]
                    items = [] if spliced[1] else items
                    items.extend(spliced[0])
            else:
                items.append(value)
        if expr.kind == "set":
            return unknown("set", Cause.LOOP_OR_CONTAINER)
        return of(Sequence(tuple(items), expr.kind, open_start))

    def lookup(self, name: str, env: Env, ctx: Context) -> AbsVal:
        if name in env:
            return self._resolved(env[name])
        closure = ctx.closure
        while closure:
            frame, closure = self.closures[closure]
            if name in frame:
                return self._resolved(frame[name])
        module_env = self.globals.get(ctx.module, {})
        if name in module_env:
            value = self._resolved(module_env[name])
            if ctx.in_function and name in self._ir(ctx.module).declared_global:  # type: ignore[union-attr]
                value = join((value, unknown(f"'{name}' is rebound through 'global'", Cause.UNFOLLOWED_STATE)))
            return value
        if name in _BUILTINS:  # before star imports: looking there loads modules
            return of(QualRef(f"builtins.{name}"))
        for source in self.star_sources.get(ctx.module, ()):
            found = self.exported(source, name, through_star=True)
            if found is not None:
                return found
        return unknown(f"name '{name}' is not defined in the analysed code", Cause.FROM_OUTSIDE)

    def iter_element(self, value: AbsVal) -> AbsVal:
        parts: List[AbsVal] = []
        for atom in value:
            if isinstance(atom, Sequence):
                parts.extend(atom.items)
                if atom.open_start or not atom.items:
                    parts.append(unknown("loop variable", Cause.LOOP_OR_CONTAINER))
            elif isinstance(atom, Mapping) and atom.items:
                parts.extend(of(Const(k)) for k, _ in atom.items)
            else:
                parts.append(unknown("loop variable", Cause.LOOP_OR_CONTAINER))
        return join(parts) if parts else unknown("loop variable", Cause.LOOP_OR_CONTAINER)

    def subscript(self, atom: Atom, index: AbsVal) -> AbsVal:
        key = const_value(index, MISSING)
        if len(index) == 1 and isinstance(next(iter(index)), SliceConst):
            key = next(iter(index)).to_slice()
        if isinstance(atom, Sequence):
            if isinstance(key, slice):
                if atom.open_start and (key.start is None or (isinstance(key.start, int) and key.start >= 0)):
                    if key.start not in (None, 0):
                        return unknown("slice of a sequence of unknown length", Cause.EXPRESSION)
                try:
                    items = atom.items[key]
                except (TypeError, ValueError):
                    return unknown("slice", Cause.EXPRESSION)
                return of(replace(atom, items=tuple(items), open_start=atom.open_start and key.start in (None, 0)))
            if isinstance(key, int) and not isinstance(key, bool):
                if atom.open_start and key >= 0:
                    return unknown("item of a sequence of unknown length", Cause.LOOP_OR_CONTAINER)
                if -len(atom.items) <= key < len(atom.items):
                    return atom.items[key]
                return unknown("index out of the known items", Cause.LOOP_OR_CONTAINER)
            if atom.open_start or not atom.items:
                return unknown("item at an unknown index", Cause.LOOP_OR_CONTAINER)
            return join(atom.items)  # any index that does not raise picks one of them
        if isinstance(atom, Mapping):
            keys = [key] if key is not MISSING else [a.value for a in index if isinstance(a, Const)]
            if len(keys) != len(index) and key is MISSING:  # a key that does not raise picks a value
                return join(v for _, v in atom.items) if atom.items else unknown("key of a dict", Cause.LOOP_OR_CONTAINER)
            found = dict(atom.items)
            values = [found[k] if _hashable(k) and k in found else unknown("key of a dict", Cause.LOOP_OR_CONTAINER) for k in keys]
            return join(values)
        library = self.library_subscript(atom, index)
        if library is not None:
            return library
        if isinstance(atom, Unknown):
            return of(atom)  # keep the root cause
        return unknown("subscript of a value the analysis does not model", Cause.EXPRESSION)



def _arith(op: str, left: AbsVal, right: AbsVal) -> AbsVal:
    """Constant folding of numbers; anything else is unknown."""
    a, b = const_value(left, MISSING), const_value(right, MISSING)
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        try:
            value = {
                "+": lambda: a + b,
                "-": lambda: a - b,
                "*": lambda: a * b,
                "//": lambda: a // b,
                "/": lambda: a / b,
                "%": lambda: a % b,
            }[op]()
            return of(Const(value))
        except (KeyError, ArithmeticError):
            pass
    return unknown("result of arithmetic", Cause.EXPRESSION)


def _splice(value: AbsVal) -> Optional[Tuple[List[AbsVal], bool]]:
    """The items of ``*value``: (items, open_start), or None when not a known sequence."""
    if len(value) == 1:
        (atom,) = value
        if isinstance(atom, Sequence):
            return list(atom.items), atom.open_start
        if isinstance(atom, Mapping):
            return [of(Const(k)) for k, _ in atom.items], False
        return None
    if not value or not all(isinstance(a, Sequence) for a in value):
        return None
    # Alternatives of different lengths (a list grown in a loop): what a model's output
    # depends on is the tail they all end with.
    tails = [a.items for a in value]
    common: List[AbsVal] = []
    for items in zip(*(reversed(t) for t in tails)):
        if any(item != items[0] for item in items):
            break
        common.append(items[0])
    return list(reversed(common)), True


def _extend(atom: Atom, value: AbsVal) -> Optional[AbsVal]:
    if isinstance(atom, Sequence):
        spliced = _splice(value)
        if spliced is None:
            return of(Sequence((), atom.container, True, atom.site))
        items, open_start = spliced
        if open_start:
            return of(Sequence(tuple(items), atom.container, True, atom.site))
        return of(replace(atom, items=atom.items + tuple(items)))
    return None


def _sequence_method(receiver: Sequence, name: str, args: Args) -> Tuple[AbsVal, Optional[AbsVal]]:
    none = of(Const(None))
    if name == "append" and len(args.positional) == 1:
        return none, of(replace(receiver, items=receiver.items + args.positional))
    if name == "add_module" and len(args.positional) == 2:
        return none, of(replace(receiver, items=receiver.items + args.positional[1:]))
    if name == "extend" and len(args.positional) == 1:
        return none, _extend(receiver, args.positional[0])
    if name in _RETURNS_SELF and receiver.container == "sequential":
        return of(receiver), None
    if name in ("insert", "pop", "remove", "reverse", "sort", "clear", "__setitem__"):
        return unknown(f"result of .{name}()", Cause.LOOP_OR_CONTAINER), of(Sequence((), receiver.container, True, receiver.site))
    if name in ("index", "count", "copy", "__len__"):
        return unknown(f"result of .{name}()", Cause.LOOP_OR_CONTAINER), None
    return unknown(f".{name}() of a sequence", Cause.LOOP_OR_CONTAINER), None


_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_", "apply", "to_empty"})


_BUILTINS = frozenset(
    {"super", "getattr", "list", "tuple", "dict", "len", "range", "int", "float", "str", "bool", "print",
     "isinstance", "enumerate", "zip", "sum", "min", "max", "abs", "round", "sorted", "map", "iter", "next",
     "hasattr", "setattr", "type", "open", "repr", "format", "any", "all", "vars", "id", "object"}
)  # fmt: skip
