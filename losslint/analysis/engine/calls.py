"""Calls: arguments evaluated, callees dispatched (functions: ``functions.py``), classes instantiated, methods bound; what a call's result is used for (a fix needs every use)."""


from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis import tables as T
from losslint.analysis.engine.containers import _mapping_method
from losslint.analysis.engine.expressions import (
    _sequence_method,
    _splice,
)
from losslint.analysis.engine.state import (
    Args,
    Context,
    Env,
    _args_key,
)
from losslint.analysis.engine.statements import _mark_reassigned
from losslint.analysis.engine.walk import _is_super_call
from losslint.analysis.values import (
    AbsVal,
    Atom,
    Bound,
    Cause,
    Class,
    Function,
    Instance,
    Mapping,
    Sequence,
    Site,
    Super,
    Unknown,
    join,
    of,
    ordered,
    unknown,
    with_source,
)


class Calls:
    """Calls, as methods of the interpreter."""

    def _eval_call(self, expr: ir.Call, env: Env, ctx: Context) -> AbsVal:
        if _is_super_call(expr):
            if ctx.cls is None or ctx.receiver is None or ctx.receiver not in env:
                return unknown("super() outside a method", Cause.UNFOLLOWED_STATE)
            return of(*(Super(a, ctx.cls) for a in env[ctx.receiver]))
        callee = self._callee(expr.func, env, ctx)
        args = self._eval_args(expr.args, env, ctx)
        site = Site(ctx.module, expr.site)
        results, receivers, changed = [], [], False
        complete = not any(self.is_loss(a) for a in callee) or all(self.is_loss(a) for a in callee)
        for atom in ordered(callee):
            self.last_argument_changes = {}
            value, new_receiver = self.call(atom, args, site, ctx, complete)
            function = atom if isinstance(atom, Function) else atom.function if isinstance(atom, Bound) else None
            if function is not None:
                self.observe_analysed_call(function, expr.func, ctx)
            if len(callee) == 1 and self.last_argument_changes:
                self._pass_back(expr, self.last_argument_changes, env, ctx)
            results.append(value)
            if new_receiver is not None:
                changed = True
                receivers.append(new_receiver)
            elif isinstance(atom, Bound):
                receivers.append(of(atom.receiver))
        if changed and isinstance(expr.func, ir.Attr):
            target = expr.func.value
            if _is_super_call(target) and ctx.receiver is not None:
                target = ir.Name(ctx.receiver)
            self.assign(target, join(receivers), env, ctx)
        result = join(results) if results else unknown("call", Cause.EXPRESSION)
        if not all(_is_analysed_callable(a) for a in callee):  # analysed code records its own uses
            self.observe_call(expr, callee, args, result, site)
        return result

    def _callee(self, func: ir.Expr, env: Env, ctx: Context) -> AbsVal:
        """What a call calls. ``x.__call__(...)`` and, for a module, ``x.forward(...)``
        (the knowledge's call methods) call ``x`` itself: the same as ``x(...)`` (a loss
        called so is a loss call)."""
        if not isinstance(func, ir.Attr) or func.attr not in (*T.CALL_METHODS, "__call__") or _is_super_call(func.value):
            return self.eval(func, env, ctx)
        owner = self.eval(func.value, env, ctx)
        result = join(of(a) if self._called_as_itself(a, func.attr) else self.getattr(a, func.attr) for a in ordered(owner))
        self.observe_attribute(owner, result, func.attr)
        return result

    def _called_as_itself(self, atom: Atom, method: str) -> bool:
        """``x.__call__`` is ``x`` for anything callable; ``x.forward`` for an instance of
        a model class whose ``forward`` the analysed code defines (library values: see
        ``call_bound``)."""
        if isinstance(atom, Instance):
            if method == "__call__":
                return True
            if not self.is_model_class(atom.cls):
                return False
            for name in T.CALL_METHODS:  # the first call method the class has is the one a call runs
                found = self.class_attribute(atom.cls, name)
                if found is not None:
                    return name == method and all(isinstance(a, Function) for a in found)
            return False
        return method == "__call__" and isinstance(atom, (Function, Bound))

    def _pass_back(self, expr: ir.Call, changes: Dict[Any, AbsVal], env: Env, ctx: Context) -> None:
        """A called function assigned into objects it was passed (``model.fc = ...`` on
        its parameter): the caller's names for them change too."""
        if any(arg.star for arg in expr.args):
            return
        positional = [arg.value for arg in expr.args if arg.keyword is None]
        keywords = {arg.keyword: arg.value for arg in expr.args if arg.keyword is not None}
        for where, value in changes.items():
            target = positional[where] if isinstance(where, int) and where < len(positional) else keywords.get(where)
            if isinstance(target, (ir.Name, ir.Attr)):
                self.assign(target, value, env, ctx)

    def _eval_args(self, args: Tuple[ir.Arg, ...], env: Env, ctx: Context) -> Args:
        positional: List[AbsVal] = []
        keywords: List[Tuple[str, AbsVal]] = []
        is_open = positions_open = False
        for arg in args:
            value = self.eval(arg.value, env, ctx)
            if arg.star == "*":
                spliced = _splice(value)
                if spliced is None:
                    is_open, positions_open, positional = True, True, []
                elif spliced[1]:  # unknown head, known tail: keep the tail
                    is_open, positions_open, positional = True, True, list(spliced[0])
                else:
                    positional.extend(spliced[0])
            elif arg.star == "**":
                mapping = [a for a in value if isinstance(a, Mapping)]
                if len(mapping) == 1 and len(value) == 1:
                    keywords.extend((str(k), v) for k, v in mapping[0].items)
                else:
                    is_open = True
            elif arg.keyword is not None:
                keywords.append((arg.keyword, value))
            else:
                positional.append(value)
        return Args(tuple(positional), tuple(keywords), is_open, is_open and not positions_open)

    def call(
        self, atom: Atom, args: Args, site: Site, ctx: Context, complete: bool = True
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        """Call one alternative of a callee; returns the result and, for calls that
        change their receiver (``layers.append``, a method setting attributes), the
        receiver's new value."""
        library = self.library_call(atom, args, site, ctx, complete)
        if library is not None:  # a library callee, loss, layer or container of layers
            return library, None
        if isinstance(atom, Sequence):
            return unknown("call of a list", Cause.EXPRESSION), None
        if isinstance(atom, Function):
            value, _ = self.call_function_full(atom, args, depth=ctx.depth, modes=ctx.modes)
            return value, None
        if isinstance(atom, Class):
            return self.instantiate(atom, args, depth=ctx.depth, modes=ctx.modes), None
        if isinstance(atom, Instance):
            return self.call_instance(atom, args, ctx), None
        if isinstance(atom, Bound):
            return self.call_bound(atom, args, site, ctx, complete)
        if isinstance(atom, Unknown):
            return of(atom), None
        return unknown("call of a value that is not callable", Cause.UNFOLLOWED_STATE), None

    def call_instance(self, atom: Instance, args: Args, ctx: Context) -> AbsVal:
        for name in (*T.CALL_METHODS, "__call__") if self.is_model_class(atom.cls) else ("__call__",):
            found = self.class_attribute(atom.cls, name)
            if found is None:
                continue
            results = []
            for method in ordered(found):
                if isinstance(method, Function):
                    value, _ = self.call_function_full(method, args, receiver=atom, depth=ctx.depth, modes=ctx.modes)
                    results.append(value)
                else:
                    results.append(unknown(f"{name} of {atom.cls.qualname} is not known", Cause.UNFOLLOWED_STATE))
            return with_source(join(results), atom.cls.qualname.rsplit(".", 1)[-1])
        return unknown(f"{atom.cls.qualname} is not callable as far as the analysis sees", Cause.UNFOLLOWED_STATE)

    def call_bound(
        self, atom: Bound, args: Args, site: Site, ctx: Context, complete: bool = True
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        receiver, name = atom.receiver, atom.name
        if atom.function is not None:
            value, exit_receiver = self.call_function_full(
                atom.function, args, receiver=receiver, depth=ctx.depth, modes=ctx.modes
            )
            changed = exit_receiver is not None and exit_receiver != of(receiver)
            if isinstance(receiver, Super):
                return value, None
            return value, exit_receiver if changed else None
        library = self.library_method(receiver, name, args, site, ctx)
        if library is not None:  # a tensor's method, a module's .to() / .eval() / add_module
            return library
        if name in T.CALL_METHODS or name == "__call__":  # a library module's forward: a call of the module
            called = self.library_call(receiver, args, site, ctx, complete)
            if called is not None:
                return called, None
        if isinstance(receiver, Sequence):
            return _sequence_method(receiver, name, args)
        if isinstance(receiver, Mapping):
            return _mapping_method(receiver, name, args)
        return unknown(f".{name}() is not modelled", Cause.NOT_MODELLED), None

    def instantiate(
        self,
        cls: Class,
        args: Args,
        depth: int = 0,
        record: bool = True,
        modes: frozenset = frozenset(),
    ) -> AbsVal:
        info = self.classes.get(cls)
        if info is None:
            return unknown("class not known", Cause.UNFOLLOWED_STATE)
        inherited = self.library_subclass(cls, args)
        if inherited is not None:  # class Stack(nn.ModuleList): pass
            return inherited
        initial = Instance(cls, _args_key(args))
        init = self.class_attribute(cls, "__init__")
        if init is None:
            constructed = self.construct_fields(cls, initial, args, depth, modes)
        elif all(isinstance(a, Function) for a in init):
            parts = []
            for method in ordered(init):
                _, exit_receiver = self.call_function_full(method, args, receiver=initial, depth=depth, modes=modes)
                parts.append(exit_receiver if exit_receiver is not None else of(initial))
            constructed = join(parts)
        else:
            return unknown(f"{cls.qualname}.__init__ comes from outside the analysed code", Cause.FROM_OUTSIDE)
        constructed = join(_mark_reassigned(a, info.reassigned) for a in constructed)
        if record:
            known = self.instances.setdefault(cls, {})
            for atom in ordered(constructed):
                if isinstance(atom, Instance):
                    known[atom] = None
        return constructed



def _is_analysed_callable(atom: Atom) -> bool:
    """Calls whose body the interpreter runs: the uses inside are recorded there."""
    return isinstance(atom, (Function, Class, Instance, Super)) or (isinstance(atom, Bound) and atom.function is not None)





