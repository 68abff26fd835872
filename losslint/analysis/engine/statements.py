"""Statements: blocks, assignments, branches joined, loops run twice, try, with, definitions."""


from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.engine.conditions import compare
from losslint.analysis.engine.expressions import _extend
from losslint.analysis.engine.state import (
    LOOP_PASSES,
    BudgetExhausted,
    ClassInfo,
    Context,
    Env,
    LoopExits,
    _ClassScope,
    _join_envs,
    _switched,
)
from losslint.analysis.engine.objects import _set_item
from losslint.analysis.engine.walk import _decorator_name, _reassigned_attributes
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Atom,
    Bound,
    Cause,
    Class,
    Const,
    Function,
    Instance,
    Mapping,
    Sequence,
    Site,
    Unknown,
    const_value,
    join,
    of,
    ordered,
    unknown,
)


class Statements:
    """Statements, as methods of the interpreter."""

    def exec_block(self, body: Iterable[ir.Stmt], env: Optional[Env], ctx: Context) -> Optional[Env]:
        for stmt in body:
            if env is None:
                return None
            env = self.exec_stmt(stmt, env, ctx)
        return env

    def exec_stmt(self, stmt: ir.Stmt, env: Env, ctx: Context) -> Optional[Env]:  # noqa: C901
        self.steps += 1
        if self.steps > self.limit:
            raise BudgetExhausted(tuple(self.call_stack))
        if not ctx.in_function and ctx.cls is None:
            self.globals[ctx.module] = env  # functions called from here see these names
        if isinstance(stmt, (ir.Assign, ir.AugAssign, ir.ExprStmt, ir.Return)):
            self.observe_statement(stmt, env, ctx)
        if isinstance(stmt, ir.Assign):
            value = self.eval(stmt.value, env, ctx)
            self.observe_assignment(stmt, env, ctx)
            if any(isinstance(t, (ir.Attr, ir.Subscript)) for t in stmt.targets):
                self.observe_passing(value, Site(ctx.module, stmt.site), "stored")
            for target in stmt.targets:
                self.assign(target, value, env, ctx)
            return env
        if isinstance(stmt, ir.ExprStmt):
            self.eval(stmt.value, env, ctx)
            return env
        if isinstance(stmt, ir.AugAssign):
            return self._aug_assign(stmt, env, ctx)
        if isinstance(stmt, ir.Return):
            value = self.eval(stmt.value, env, ctx) if stmt.value is not None else of(Const(None))
            ctx.returns.append((value, env))
            return None
        if isinstance(stmt, ir.Jump):
            if stmt.value is not None:
                self.eval(stmt.value, env, ctx)
            if stmt.kind != "raise" and ctx.loops:
                exits = ctx.loops[-1]
                (exits.breaks if stmt.kind == "break" else exits.continues).append(env)
            return None
        if isinstance(stmt, ir.If):
            return self._if(stmt, env, ctx)
        if isinstance(stmt, ir.Branches):
            self.eval(stmt.subject, env, ctx)
            outs = [self.exec_block(case, dict(env), ctx) for case in stmt.cases]
            return _join_envs(outs + [env])
        if isinstance(stmt, ir.Loop):
            return self._loop(stmt, env, ctx)
        if isinstance(stmt, ir.With):
            modes = ctx.modes
            for expr, target in stmt.items:
                self.eval(expr, env, ctx)
                modes = _switched(modes, self._context_modes(expr, env, ctx))
                if target is not None:
                    self.assign(target, unknown("context manager value", Cause.NOT_MODELLED), env, ctx)
            outer, ctx.modes = ctx.modes, modes
            try:
                return self.exec_block(stmt.body, env, ctx)
            finally:
                ctx.modes = outer
        if isinstance(stmt, ir.Try):
            return self._try(stmt, env, ctx)
        if isinstance(stmt, ir.FunctionDef):
            self._define_function(stmt, env, ctx)
            return env
        if isinstance(stmt, ir.ClassDef):
            self._define_class(stmt, env, ctx)
            return env
        if isinstance(stmt, ir.Import):
            self._import(stmt, env, ctx)
            return env
        if isinstance(stmt, ir.ImportFrom):
            self._import_from(stmt, env, ctx)
            return env
        if isinstance(stmt, ir.Delete):
            for target in stmt.targets:
                if isinstance(target, ir.Name):
                    env.pop(target.id, None)
            return env
        return env

    def _if(self, stmt: ir.If, env: Env, ctx: Context) -> Optional[Env]:
        """Only the branch a test decided over known constants can take runs; otherwise
        each branch runs with the names the test compares narrowed to the alternatives
        that take it (``if x == "a": ... elif x == "b": ...`` never mixes them)."""
        _, truth = self.condition(stmt.test, env, ctx)
        if truth is not None:
            return self.exec_block(stmt.body if truth else stmt.orelse, dict(env), ctx)
        body = self.narrow(stmt.test, True, env, ctx)
        orelse = self.narrow(stmt.test, False, env, ctx)
        return _join_envs(
            [
                self.exec_block(stmt.body, body, ctx) if body is not None else None,
                self.exec_block(stmt.orelse, orelse, ctx) if orelse is not None else None,
            ]
        )

    def narrow(self, test: ir.Expr, outcome: bool, env: Env, ctx: Context) -> Optional[Env]:
        """A copy of ``env`` where ``test`` has the truth ``outcome``: a name (or a name's
        attribute) compared with a constant keeps the alternatives that can give it.
        None when none can."""
        if isinstance(test, ir.Opaque) and test.ops == ("not",):
            return self.narrow(test.parts[0], not outcome, env, ctx)
        if isinstance(test, ir.Opaque) and test.ops in (("and",), ("or",)) and outcome == (test.ops[0] == "and"):
            current: Optional[Env] = env
            for part in test.parts:  # every part has that truth
                current = self.narrow(part, outcome, current, ctx) if current is not None else None
            return current
        narrowed = dict(env)
        if not isinstance(test, ir.Opaque) or len(test.ops) != 1 or test.ops[0] in ("not", "and", "or"):
            return narrowed
        for side in (0, 1):
            subject, other = test.parts[side], test.parts[1 - side]
            name = subject.id if isinstance(subject, ir.Name) else None
            attribute = None
            if isinstance(subject, ir.Attr) and isinstance(subject.value, ir.Name):
                name, attribute = subject.value.id, subject.attr
            if name is None or name not in env or not _pure(other):
                continue
            known = self.eval(other, env, ctx)
            kept = []
            for atom in ordered(env[name]):
                value = of(atom) if attribute is None else self.getattr(atom, attribute)
                pair = (value, known) if side == 0 else (known, value)
                if compare(test.ops[0], *pair) is not (not outcome):
                    kept.append(atom)
            if not kept:
                return None
            narrowed[name] = frozenset(kept)
            break
        return narrowed

    def _aug_assign(self, stmt: ir.AugAssign, env: Env, ctx: Context) -> Env:
        current = self.eval(stmt.target, env, ctx)
        value = self.eval(stmt.value, env, ctx)
        if stmt.op == "AddAssign" and isinstance(stmt.target, ir.Name):
            self.observe_accumulation(stmt.site, stmt.target.id, value, ctx)
        result = unknown("result of arithmetic", Cause.EXPRESSION)
        if stmt.op == "AddAssign":
            extended = [_extend(a, value) for a in current]
            if extended and all(e is not None for e in extended):
                result = join(extended)  # type: ignore[arg-type]
        self.assign(stmt.target, result, env, ctx)
        return env

    def _loop(self, stmt: ir.Loop, env: Env, ctx: Context) -> Optional[Env]:
        """A loop over values of unknown number runs twice on the joined element (the
        second pass sees what the first changed); a loop over a list, tuple, dict or
        ``nn.Sequential``-like container whose items are known runs once per item, in
        order (``for layer in self.layers: x = layer(x)`` ends with the last layer's
        output); over one whose last items only are known, twice on unknown items, then
        once per known item."""
        element = unknown("loop variable", Cause.LOOP_OR_CONTAINER)
        items: List[AbsVal] = []
        passes = LOOP_PASSES
        if stmt.iter is not None:
            iterated = self.eval(stmt.iter, env, ctx)
            element = self.iter_element(iterated)
            self.observe_use(iterated, element, None, "iterated by a for loop")
            known = _known_items(iterated)
            if known is not None and 0 < len(known[1]) <= MAX_UNROLLED:
                open_start, items = known
                passes = LOOP_PASSES if open_start else 0
                element = unknown("loop variable", Cause.LOOP_OR_CONTAINER) if open_start else element
        state = env
        breaks: List[Env] = []
        entry = frozenset(env)
        elements = [element] * passes + items
        for i, value in enumerate(elements):
            body_env = dict(state)
            if stmt.target is not None:
                self.assign(stmt.target, value, body_env, ctx)
            exits = LoopExits(entry, self.sinks(stmt.body).calls_backward)
            ctx.loops.append(exits)
            try:
                out = self.exec_block(stmt.body, body_env, ctx)
            finally:
                ctx.loops.pop()
            breaks.extend(exits.breaks)
            if i < passes:
                state = _join_envs([state, out, *exits.continues]) or state
            else:  # an item that is surely iterated: what follows starts where it ended
                following = _join_envs([out, *exits.continues])
                if following is None:
                    return _join_envs(breaks)
                state = following
        after = self.exec_block(stmt.orelse, dict(state), ctx)
        return _join_envs([after, *breaks])

    def _try(self, stmt: ir.Try, env: Env, ctx: Context) -> Optional[Env]:
        body = self.exec_block(stmt.body, dict(env), ctx)
        failed = _join_envs([env, body]) or env
        outs = []
        for name, handler in stmt.handlers:
            handler_env = dict(failed)
            if name:
                handler_env[name] = unknown("exception", Cause.NOT_MODELLED)
            outs.append(self.exec_block(handler, handler_env, ctx))
        outs.append(self.exec_block(stmt.orelse, body, ctx) if body is not None else None)
        merged = _join_envs(outs)
        if not stmt.finalbody:
            return merged
        final = self.exec_block(stmt.finalbody, merged if merged is not None else dict(failed), ctx)
        return final if merged is not None else None

    def _define_function(self, stmt: ir.FunctionDef, env: Env, ctx: Context) -> None:
        closure = 0
        if ctx.in_function and not isinstance(env, _ClassScope):
            closure = id(env)
            self.closures[closure] = (env, ctx.closure)
            self.closure_of[(ctx.module, stmt.qualname)] = closure
        function = Function(ctx.module, stmt.qualname, closure)
        defaults: List[Optional[AbsVal]] = []
        for param in stmt.params:
            defaults.append(self.eval(param.default, env, ctx) if param.default is not None else None)
        self.defaults[function] = tuple(defaults)
        switches = []
        for decorator in stmt.decorators:
            self.eval(decorator, env, ctx)
            switches.append(self._context_modes(decorator, env, ctx))
        if any(on or off for on, off in switches):
            self.function_modes[function] = tuple(switches)
        if any(_decorator_name(d) == "property" for d in stmt.decorators):
            env[stmt.name] = of(Bound(Const("property"), stmt.name, function))
        else:
            env[stmt.name] = of(function)

    def _define_class(self, stmt: ir.ClassDef, env: Env, ctx: Context) -> None:
        cls = Class(ctx.module, stmt.qualname)
        bases = tuple(self.eval(b.value, env, ctx) for b in stmt.bases if b.keyword is None and not b.star)
        namespace: Env = {}
        body_ctx = Context(ctx.module, ctx.closure, cls, ctx.receiver, depth=ctx.depth, in_function=ctx.in_function)
        self.exec_block(stmt.body, _ClassScope(namespace, env), body_ctx)
        self.classes[cls] = ClassInfo(stmt, ctx.module, bases, namespace, _reassigned_attributes(stmt))
        env[stmt.name] = of(cls)

    def assign(self, target: ir.Expr, value: AbsVal, env: Env, ctx: Context) -> None:
        if isinstance(target, ir.Name):
            env[target.id] = value
        elif isinstance(target, ir.Collection):
            self._unpack(target.items, value, env, ctx)
        elif isinstance(target, ir.Subscript) and isinstance(target.value, ir.Name):
            owner = self.lookup(target.value.id, env, ctx)
            index = const_value(self.eval(target.index, env, ctx), MISSING)
            env[target.value.id] = join(_set_item(a, index, value) for a in owner)
        elif isinstance(target, (ir.Attr, ir.Subscript)):
            self._assign_path(target, value, env, ctx)
        elif isinstance(target, ir.Starred):
            self.assign(target.value, unknown("starred assignment", Cause.LOOP_OR_CONTAINER), env, ctx)

    def _assign_path(self, target: ir.Expr, value: AbsVal, env: Env, ctx: Context) -> None:
        """``a.b[0].c = value``: the object bound to ``a`` changes along the path
        (attribute names and literal integer indices); other targets change nothing."""
        path: List[Any] = []
        while isinstance(target, (ir.Attr, ir.Subscript)):
            if isinstance(target, ir.Attr):
                path.insert(0, target.attr)
            else:
                index = const_value(self.eval(target.index, env, ctx), MISSING)
                if not isinstance(index, int) or isinstance(index, bool):
                    return
                path.insert(0, index)
            target = target.value
        if not isinstance(target, ir.Name):
            return
        owner = self.lookup(target.id, env, ctx)
        changed = join(self.set_path(a, tuple(path), value) for a in ordered(owner))
        if changed != owner:
            env[target.id] = changed

    def _unpack(self, targets: Tuple[ir.Expr, ...], value: AbsVal, env: Env, ctx: Context) -> None:
        has_star = any(isinstance(t, ir.Starred) for t in targets)
        per_target: List[List[AbsVal]] = [[] for _ in targets]
        for atom in value:
            items = atom.items if isinstance(atom, Sequence) and not atom.open_start else self.library_items(atom)
            if items is not None and len(items) == len(targets) and not has_star:
                for i, item in enumerate(items):
                    per_target[i].append(item)
            else:
                cause = of(atom) if isinstance(atom, Unknown) else unknown("unpacked from a value of unknown shape", Cause.LOOP_OR_CONTAINER)
                for slot in per_target:
                    slot.append(cause)
        for target, parts in zip(targets, per_target):
            self.assign(target, join(parts) if parts else unknown("unpacking", Cause.LOOP_OR_CONTAINER), env, ctx)



MAX_UNROLLED = 8  # a loop over more known items runs twice on their join


def _known_items(value: AbsVal) -> Optional[Tuple[bool, List[AbsVal]]]:
    """What a loop over ``value`` iterates, in order, when it is one container whose
    items (or last items: ``open_start``) are known; dicts give their keys."""
    if len(value) != 1:
        return None
    (atom,) = value
    if isinstance(atom, Sequence):
        return atom.open_start, list(atom.items)
    if isinstance(atom, Mapping):
        return False, [of(Const(k)) for k, _ in atom.items]
    return None


def _pure(expr: ir.Expr) -> bool:
    """An expression evaluated again without effects: literals, names, attributes of names."""
    while isinstance(expr, (ir.Attr, ir.Negative)):
        expr = expr.value if isinstance(expr, ir.Attr) else expr.operand
    return isinstance(expr, (ir.Literal, ir.Name))


def _mark_reassigned(atom: Atom, names: frozenset) -> AbsVal:
    if not isinstance(atom, Instance) or not names:
        return of(atom)
    current = dict(atom.overrides)
    for name in sorted(names):
        reason = unknown(f"'{name}' is also assigned outside __init__", Cause.UNFOLLOWED_STATE)
        current[name] = join((current[name], reason)) if name in current else reason
    return of(replace(atom, overrides=tuple(current.items())))
