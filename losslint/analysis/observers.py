"""Facts some rules need beyond loss calls, observed as the interpreter runs statements: loss tensors accumulated across iterations (LL403) and hand-written binary cross-entropy (LL402)."""


from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis import tables as T
from losslint.analysis.engine.state import Args, Context, Env, Sinks
from losslint.analysis.engine.walk import (
    _callee_name,
    _is_name_chain,
    _names,
    _shape,
    _statement_exprs,
    _subexpressions,
    _walk_statements,
)
from losslint.analysis.facts import (
    Accumulation,
    HandWrittenBCE,
    Use,
)
from losslint.analysis.values import (
    AbsVal,
    Bound,
    Function,
    Kind,
    Layer,
    Mapping,
    QualRef,
    Sequence,
    Site,
    Tensor,
    const_value,
    join,
    of,
)


OPTIONAL_FACTS = frozenset({"hand_written_bce"})
"""Facts observed only when a selected rule reads them (``Rule.reads``): looking for a
hand-written binary cross-entropy walks every expression of every statement run in a
file that calls ``log``, for one opt-in rule."""


class Observers:
    """Facts some rules need beyond loss calls, observed as the interpreter runs statements, as methods of the interpreter."""

    def start_observers(self, optional: FrozenSet[str] = OPTIONAL_FACTS) -> None:
        """The facts observed so far, none; of the ``OPTIONAL_FACTS``, ``optional`` are observed."""
        self.optional_facts = optional
        self.accumulations: Dict[Site, Accumulation] = {}
        self.uses: Dict[Site, set] = {}  # activation origin -> its Uses
        self._sinks: Dict[int, Sinks] = {}  # by the body's id (the IR is held for the whole run)
        self._distinct_sinks: Dict[Sinks, Sinks] = {}  # most bodies' are alike (diffusers: 3,665 of 9,462)
        self._hand_written_votes: Dict[Site, bool] = {}  # every context must see sigmoid probabilities
        self._returned_by: Dict[Site, set] = {}  # accumulation -> functions returning the total
        self._callers_pass_on: Dict[Tuple[str, str], bool] = {}  # function -> a caller may backpropagate its result
        self._observed_calls: Dict[Tuple[str, str], int] = {}  # function -> calls observed in the code
        self._runs: Dict[Tuple[str, str], int] = {}  # function -> runs asked for, by anyone

    def observed_facts(self, key: Callable[[Any], Any]) -> Dict[str, Any]:
        return {
            "accumulations": sorted((self._decided(a) for a in self.accumulations.values()), key=key),
            "hand_written_bce": sorted((HandWrittenBCE(s) for s, sure in self._hand_written_votes.items() if sure), key=key),
            "uses": {origin: frozenset(uses) for origin, uses in self.uses.items()},
        }

    def observe_analysed_call(self, function: Function, func: ir.Expr, ctx: Context) -> None:
        """A function of the analysed code called from ``ctx`` as ``func(...)``: whether
        that caller may backpropagate what it returns (the callee's name, or the object
        it is called on, flows into a backward call or out of the caller)."""
        key = (function.module, function.qualname)
        root = func
        while isinstance(root, ir.Attr):
            root = root.value
        class_body = ctx.cls is not None and not ctx.in_function  # no sinks computed there
        passes_on = class_body or not isinstance(root, ir.Name) or root.id in ctx.sinks.backward | ctx.sinks.escaping
        self._callers_pass_on[key] = self._callers_pass_on.get(key, False) or passes_on
        self._observed_calls[key] = self._observed_calls.get(key, 0) + 1

    def observe_function_run(self, function: Function) -> None:
        """Every run of an analysed function, whoever asks (a call in the code, a model's
        forward, an entry point): one not observed as a call leaves its caller unknown."""
        key = (function.module, function.qualname)
        self._runs[key] = self._runs.get(key, 0) + 1

    def _only_statistic_callers(self, function: Tuple[str, str]) -> bool:
        """Every run of ``function`` was a call the code makes, none of whose callers may
        backpropagate its result."""
        seen = self._observed_calls.get(function, 0)
        return 0 < seen == self._runs.get(function, 0) and not self._callers_pass_on.get(function, True)

    def _decided(self, acc: Accumulation) -> Accumulation:
        """A total that leaves its function only by ``return`` is a running statistic when
        every function returning it is called by analysed code and no caller may
        backpropagate it; otherwise it may be the loss being built."""
        functions = self._returned_by.get(acc.site)
        if not functions or not all(self._only_statistic_callers(f) for f in functions):
            return acc
        return replace(acc, returned_unused=True)

    def observe_call(self, expr: ir.Call, callee: AbsVal, args: "Args", result: AbsVal, site: Site) -> None:
        """A call of code the interpreter does not run: the activation outputs among its
        arguments (or its receiver) are used there."""
        inputs = [v for _, v in args.keywords] + list(args.positional) + [of(a) for a in callee]
        what = _callee_display(expr.func, callee)
        short = what.rsplit(".", 1)[-1]
        along = _along(args, method=what.startswith("Tensor.")) if short in T.ORDER_PRESERVING_ALONG else None
        preserving = short in T.ORDER_PRESERVING
        self.observe_use(join(inputs), result, site, what, preserving, site in self.loss_calls, along)

    def observe_use(
        self,
        inputs: AbsVal,
        result: AbsVal,
        site: Optional[Site],
        what: str,
        preserving: bool = False,
        loss: bool = False,
        along: Any = None,
    ) -> None:
        """Note that the activation outputs among ``inputs`` are consumed at ``site``,
        unless they flow on unchanged into ``result`` (a reshape, an item of a tuple)."""
        used = _origins(inputs)
        if used:
            self._used(used - _origins(result), Use(site, what, preserving, loss, along))

    def observe_passing(self, value: AbsVal, site: Site, what: str) -> None:
        """The activation outputs in ``value`` flow on, and also to a place a fix that
        changes the activation would alter: bounds chosen for probabilities
        (``p.clamp(1e-6, 1 - 1e-6)`` means something else for logits), an attribute or an
        item that keeps them (``self.last_probs = p``) for code the analysis may not follow."""
        self._used(_origins(value), Use(site, what, False))

    def _used(self, origins: Iterable[Site], use: Use) -> None:
        for origin in origins:
            self.uses.setdefault(origin, set()).add(use)

    def sinks(self, body: Tuple[ir.Stmt, ...]) -> "Sinks":
        """Where the names of a body end up (``Sinks``), read once per body."""
        key = id(body)
        if key not in self._sinks:
            found = _sinks(body)
            self._sinks[key] = self._distinct_sinks.setdefault(found, found)
        return self._sinks[key]

    def observe_statement(self, stmt: ir.Stmt, env: Env, ctx: Context) -> None:
        """Before a statement that may hold an expression runs."""
        if "hand_written_bce" in self.optional_facts:
            self._check_hand_written_bce(stmt, env, ctx)

    def observe_assignment(self, stmt: ir.Assign, env: Env, ctx: Context) -> None:
        """After an assignment's value is evaluated (``total = total + loss``)."""
        self._check_accumulation_assign(stmt, env, ctx)

    def observe_accumulation(self, ordinal: int, name: str, value: AbsVal, ctx: Context) -> None:
        """``name += value``."""
        self._record_accumulation(ordinal, name, value, ctx)

    def observe_attribute(self, owner: AbsVal, result: AbsVal, attribute: str) -> None:
        """``owner.attribute`` was read: a use, unless it only asks the shape or dtype."""
        if attribute not in T.SHAPE_ATTRIBUTES:
            self.observe_use(owner, result, None, f"read through its attribute .{attribute}")

    def observe_subscript(self, container: AbsVal, result: AbsVal) -> None:
        values = frozenset(a for a in container if not (isinstance(a, Bound) and a.name in T.SHAPE_ATTRIBUTES))
        self.observe_use(values, result, None, "subscripted")
        for atom in container:  # ``net[1]``: removing a layer of the nn.Sequential would shift it
            if isinstance(atom, Sequence) and atom.container == "sequential":
                layers = {a.site for item in atom.items for a in item if isinstance(a, Layer) and a.site is not None}
                self._used(layers, Use(None, "held by an nn.Sequential the code indexes", False))

    def _check_accumulation_assign(self, stmt: ir.Assign, env: Env, ctx: Context) -> None:
        """``total = total + loss``: the same as ``total += loss``."""
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ir.Name) or not isinstance(stmt.value, ir.BinOp):
            return
        name, expr = stmt.targets[0].id, stmt.value
        if expr.op != "+":
            return
        for own, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if isinstance(own, ir.Name) and own.id == name:
                self._record_accumulation(stmt.site, name, self.eval(other, env, ctx), ctx)
                return

    def _record_accumulation(self, ordinal: int, name: str, value: AbsVal, ctx: Context) -> None:
        """Recorded in every context that reaches it; the rule needs all of them to agree."""
        if not ctx.loops:
            return
        site = Site(ctx.module, ordinal)
        fact = Accumulation(
            site,
            name,
            frozenset(a.act for a in value if isinstance(a, Tensor) and a.kind is Kind.LOSS and a.act is not None),
            bool(value) and all(isinstance(a, Tensor) and a.kind is Kind.LOSS for a in value),
            name in ctx.loops[-1].entry,
            "no_grad" in ctx.modes,
            name in ctx.sinks.backward,
            ctx.loops[-1].backward,
            name in ctx.sinks.escaping,
        )
        if name in ctx.sinks.returned and self.call_stack:  # returned: its callers decide
            function = self.call_stack[-1]
            self._returned_by.setdefault(site, set()).add((function.module, function.qualname))
        previous = self.accumulations.get(site)
        if previous is not None:
            fact = replace(
                fact,
                losses=fact.losses | previous.losses,
                only_losses=fact.only_losses and previous.only_losses,
                outlives_iteration=fact.outlives_iteration and previous.outlives_iteration,
                under_no_grad=fact.under_no_grad or previous.under_no_grad,
                loop_backward=fact.loop_backward and previous.loop_backward,
            )
        self.accumulations[site] = fact

    def _check_hand_written_bce(self, stmt: ir.Stmt, env: Env, ctx: Context) -> None:
        """``y * log(p) + (1 - y) * log(1 - p)``: the logs of ``p`` and of ``1 - p`` in one
        statement, ``log(p)`` weighted by something other than ``p`` or a number (the
        target: an entropy or a log-odds has none), and ``p`` sigmoid probabilities in
        every context that runs it (noise or smoothed values are not)."""
        module = self._ir(ctx.module)
        if module is None or "log" not in module.called_names:
            return  # no ``log(...)`` or ``.log()`` anywhere in the file
        logged: Dict[Any, Tuple[int, ir.Expr]] = {}
        weights: Dict[Any, set] = {}
        for expr in _statement_exprs(stmt):
            for node in _subexpressions(expr):
                argument = self._log_argument(node, env, ctx)
                if argument is not None:
                    logged.setdefault(_shape(argument), (node.site, argument))  # type: ignore[union-attr]
                if isinstance(node, ir.BinOp) and node.op == "*":
                    for own, other in ((node.left, node.right), (node.right, node.left)):
                        argument = self._log_argument(own, env, ctx)
                        while isinstance(other, ir.Negative):
                            other = other.operand
                        if argument is not None:
                            weights.setdefault(_shape(argument), set()).add(_shape(other))
        for shape, (ordinal, argument) in logged.items():
            if ("BinOp", "-", ("Literal", 1), shape) not in logged and ("BinOp", "-", ("Literal", 1.0), shape) not in logged:
                continue
            targets = {w for w in weights.get(shape, ()) if w != shape and w[0] != "Literal"}
            if not targets:
                continue
            site = Site(ctx.module, ordinal)
            value = self.eval(argument, env, ctx)
            sigmoid = bool(value) and all(
                isinstance(a, Tensor) and a.kind is Kind.SIGMOID and not a.floored and not a.selected for a in value
            )
            self._hand_written_votes[site] = self._hand_written_votes.get(site, True) and sigmoid

    def _log_argument(self, node: ir.Expr, env: Env, ctx: Context) -> Optional[ir.Expr]:
        if not isinstance(node, ir.Call):
            return None
        func = node.func
        if isinstance(func, ir.Attr) and func.attr == "log" and not node.args:
            return func.value
        if isinstance(func, (ir.Name, ir.Attr)) and len(node.args) == 1 and _is_name_chain(func):
            if any(isinstance(a, QualRef) and T.canonical(a.name) in T.LOG_FUNCTIONS for a in self.eval(func, env, ctx)):
                return node.args[0].value
        return None



_STORING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "put"})


def _sinks(body: Iterable[ir.Stmt]) -> Sinks:
    backward: set = set()
    escaping: set = set()
    returned: set = set()
    flows: List[Tuple[str, frozenset]] = []
    calls_backward = False
    for stmt in _walk_statements(body):
        if isinstance(stmt, ir.Return) and stmt.value is not None:
            returned |= _names(stmt.value)
        elif isinstance(stmt, (ir.Assign, ir.AugAssign)):
            sources = _names(stmt.value)
            for target in stmt.targets if isinstance(stmt, ir.Assign) else (stmt.target,):
                for part in _subexpressions(target):
                    if isinstance(part, ir.Name):
                        flows.append((part.id, sources))
                if isinstance(target, (ir.Attr, ir.Subscript)):
                    escaping |= sources
        for expr in _statement_exprs(stmt):
            for node in _subexpressions(expr):
                if not isinstance(node, ir.Call):
                    continue
                if _callee_name(node.func).endswith("backward"):
                    calls_backward = True
                    backward |= _names(node)
                elif isinstance(node.func, ir.Attr) and node.func.attr in _STORING_METHODS:
                    for arg in node.args:
                        escaping |= _names(arg.value)
    for sink in (backward, escaping, returned):
        grown = True
        while grown:
            before = len(sink)
            for target, sources in flows:
                if target in sink:
                    sink |= sources
            grown = len(sink) > before
    return Sinks(frozenset(backward), frozenset(escaping | returned), calls_backward, frozenset(returned - escaping))

def _callee_display(func: ir.Expr, callee: AbsVal) -> str:
    """``F.softmax``, ``Tensor.argmax``, or the callee's name in the code."""
    names = {T.display_name(T.canonical(a.name)) for a in callee if isinstance(a, QualRef)}
    names |= {f"Tensor.{a.name}" for a in callee if isinstance(a, Bound) and isinstance(a.receiver, Tensor)}
    if len(names) == 1:
        return names.pop()
    return _callee_name(func) or "a call"

def _origins(value: AbsVal, depth: int = 3) -> frozenset:
    """The activation origins of the tensors in ``value``, also inside tuples, lists,
    dicts and bound methods (``probs.argmax``)."""
    found: set = set()
    for atom in value:
        if isinstance(atom, Tensor):
            if atom.origin is not None:
                found.add(atom.origin)
        elif depth and isinstance(atom, Bound) and isinstance(atom.receiver, Tensor):
            found |= _origins(of(atom.receiver), depth - 1)
        elif depth and isinstance(atom, Sequence) and atom.container != "sequential":
            for item in atom.items:
                found |= _origins(item, depth - 1)
        elif depth and isinstance(atom, Mapping):
            for _, item in atom.items:
                found |= _origins(item, depth - 1)
    return frozenset(found)

def _along(args: Args, method: bool) -> Any:
    """The dim of ``x.argmax(dim)`` / ``torch.argmax(x, dim)``: "all" without one."""
    value = args.get(0 if method else 1, ("dim",))
    if value is None:
        return "?" if args.open else "all"
    dim = const_value(value, None)
    return dim if isinstance(dim, int) and not isinstance(dim, bool) else "?"
