"""Functions of the analysed code, evaluated per context: arguments bound to
parameters, results memoised, recursion widened, budgets per top-level call, and the
objects a function assigns into handed back to its caller."""


from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.engine.state import (
    MAX_CALL_DEPTH,
    MAX_REENTRIES,
    Args,
    BudgetExhausted,
    Context,
    Env,
    _switched,
)
from losslint.analysis.engine.walk import _bound_names
from losslint.analysis.values import (
    AbsVal,
    Atom,
    Cause,
    Const,
    Function,
    Mapping,
    Sequence,
    identity,
    join,
    of,
    unknown,
)


class Functions:
    """Functions of the analysed code, as methods of the interpreter."""

    def call_function_full(
        self,
        function: Function,
        args: Args,
        receiver: Optional[Atom] = None,
        depth: int = 0,
        modes: frozenset = frozenset(),
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        """Evaluate a function defined in the analysed code. Returns its value and, for
        methods, the receiver as it is when the method returns."""
        self.last_argument_changes = {}
        self.observe_function_run(function)
        definition = self.definitions.get((function.module, function.qualname))
        if definition is None:
            return unknown(f"{function.qualname} is not known", Cause.UNFOLLOWED_STATE), None
        if depth or not self._starting_entry:
            self.called_by_code.add((function.module, function.qualname))
        for switch in self.function_modes.get(function, ()):
            modes = _switched(modes, switch)
        key = (function, receiver, args, modes)
        if key in self.memo:
            self.last_argument_changes = self.argument_changes.get(key, {})
            return self.memo[key]
        active = self.active_calls.setdefault(function, [])
        first = next((a for r, a in active if r == receiver), None)
        if first is not None:  # recursion: what changes from the first call on is not followed
            args = _widen(first, args)
            key = (function, receiver, args, modes)
            if key in self.memo:
                return self.memo[key]
        if key in self.in_progress or depth >= MAX_CALL_DEPTH or len(active) >= MAX_REENTRIES:
            return unknown("recursion or calls nested too deep", Cause.LIMITS), None
        self.in_progress.add(key)
        active.append((receiver, args))
        self.call_stack.append(function)
        try:
            if self.budget_owner is None:
                result = self._evaluate_on_budget(function, definition, args, receiver, depth, modes)
            else:
                result = self._evaluate(function, definition, args, receiver, depth, modes)
        finally:
            self.in_progress.discard(key)
            active.pop()
            self.call_stack.pop()
        self.evaluated.add((function.module, function.qualname))
        self.memo[key] = result
        self.last_argument_changes = self.argument_changes.get(key, {})
        return result

    def _evaluate_on_budget(
        self,
        function: Function,
        definition: ir.FunctionDef,
        args: Args,
        receiver: Optional[Atom],
        depth: int,
        modes: frozenset,
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        """A call made from a module's top level (or an entry point) gets half the steps
        its module has left: a runaway call stops alone, its module and the later cells
        of a notebook go on, and the loss calls it touched count as unresolved."""
        outer = self.limit
        self.limit = self.steps + max(outer - self.steps, 0) // 2
        self.budget_owner = function
        mark = self.facts_mark()
        try:
            return self._evaluate(function, definition, args, receiver, depth, modes)
        except BudgetExhausted as stop:
            name = _runaway(stop.stack, function)
            self.budget_notes.append((function.module, name))
            reason = f"the analysis of {name}() stopped at its step budget"
            self.facts_abandoned(mark, reason)
            return unknown(reason, Cause.LIMITS), None
        finally:
            self.limit = outer
            self.budget_owner = None

    def _evaluate(
        self,
        function: Function,
        definition: ir.FunctionDef,
        args: Args,
        receiver: Optional[Atom],
        depth: int,
        modes: frozenset,
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        env: Env = {}
        params = list(definition.params)
        receiver_name = None
        owner = self._owner_class(function.module, function.qualname)
        if receiver is not None and params and params[0].kind == "positional":
            receiver_name = params[0].name
            env[receiver_name] = of(receiver)
            params = params[1:]
            offset = 1
        else:
            offset = 0
        defaults = self.defaults.get(function, ())
        positional = list(args.positional)
        keywords = dict(args.keywords)
        passed_as: Dict[str, Any] = {}  # parameter -> its argument's position or keyword
        for i, param in enumerate(params):
            default = defaults[i + offset] if i + offset < len(defaults) else None
            if args.open and param.name not in keywords:
                passed = unknown("argument passed through *args / **kwargs", Cause.DYNAMIC_DISPATCH)
                env[param.name] = join((default, passed)) if default is not None else passed
            elif param.kind == "varargs":
                env[param.name] = of(Sequence(tuple(positional), "tuple", args.open))
                positional = []
            elif param.kind == "varkw":
                env[param.name] = of(Mapping(tuple(keywords.items()))) if not args.open else unknown("**kwargs", Cause.DYNAMIC_DISPATCH)
                keywords = {}
            elif param.kind == "positional" and positional:
                passed_as[param.name] = len(args.positional) - len(positional)
                env[param.name] = positional.pop(0)
            elif param.name in keywords:
                passed_as[param.name] = param.name
                env[param.name] = keywords.pop(param.name)
            elif default is not None:
                env[param.name] = default
            else:
                env[param.name] = unknown(f"missing argument '{param.name}'", Cause.FROM_OUTSIDE)
        ctx = Context(
            function.module,
            function.closure,
            owner,
            receiver_name,
            depth=depth + 1,
            in_function=True,
            modes=modes,
            sinks=self.sinks(definition.body),
        )
        out = self.exec_block(definition.body, env, ctx)
        exits = ctx.returns + ([(of(Const(None)), out)] if out is not None else [])
        value = join(v for v, _ in exits) if exits else unknown("function never returns", Cause.EXPRESSION)
        exit_receiver = None
        if receiver_name is not None:
            exit_receiver = join(e.get(receiver_name, of(receiver)) for _, e in exits) if exits else None
        changes = {}
        for name, where in passed_as.items():
            passed = args.get(where) if isinstance(where, int) else dict(args.keywords)[where]
            after = join(e.get(name, passed) for _, e in exits) if exits else passed
            if passed is not None and (
                _assigned_into(passed, after) or (_filled(passed, after) and name not in _bound_names(definition))
            ):
                changes[where] = after
        if changes:
            self.argument_changes[(function, receiver, args, modes)] = changes
        return value, exit_receiver


def _widen(first: Args, args: Args) -> Args:
    """The arguments of a recursive call: those equal to the first call's stay, the others
    (a fresh node, a shorter list, a counter) become unknown, so the recursion ends at
    the next level instead of unfolding every call of the real run."""
    changed = unknown("argument of a recursive call", Cause.LIMITS)
    same_shape = (
        len(first.positional) == len(args.positional)
        and [k for k, _ in first.keywords] == [k for k, _ in args.keywords]
        and first.open == args.open
    )
    if not same_shape:
        return Args(tuple(changed for _ in args.positional), tuple((k, changed) for k, _ in args.keywords), args.open)
    positional = tuple(a if a == b else changed for a, b in zip(first.positional, args.positional))
    keywords = tuple((k, a if a == b else changed) for (k, a), (_, b) in zip(first.keywords, args.keywords))
    return Args(positional, keywords, args.open)


def _runaway(stack: Tuple[Function, ...], owner: Function) -> str:
    """Which function ran away: the one the stack holds most often (a recursion), else the
    call that owned the budget."""
    if not stack:
        return owner.qualname
    counts = {f: stack.count(f) for f in stack}
    most = max(counts.values())
    name = next(f for f in stack if counts[f] == most).qualname if most > 1 else owner.qualname
    return name


def _filled(before: AbsVal, after: AbsVal) -> bool:
    """A dict or list the function changed in place (``heads["cls"] = ...``,
    ``layers.append(...)``): the caller's is the same object."""
    return after != before and all(isinstance(a, Mapping) or (isinstance(a, Sequence) and a.container != "tuple") for a in before)


def _assigned_into(before: AbsVal, after: AbsVal) -> bool:
    """``after`` is ``before`` with attributes assigned: the same objects, changed (a
    parameter bound to another object is not a change of the caller's)."""
    if after == before:
        return False
    identities = {identity(a) for a in before}
    return None not in identities and all(identity(a) in identities for a in after)
