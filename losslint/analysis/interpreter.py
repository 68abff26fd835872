"""The link step: abstract interpretation of lowered modules.

Statements run in order over abstract values. Branches run both ways and join; loops
run twice and join with the state before them; calls of functions, classes and models
defined in the linted code are evaluated in the caller's context (memoised on the
abstract arguments). Every function that no analysed code calls is then run as an
entry point with unknown parameters, so a loss call is seen in every context the code
shows and only there. Calls of losses, softmax-like activations and dim-less softmaxes
are recorded as facts for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis import torch_api as T
from losslint.analysis.modules import ModuleIndex
from losslint.analysis.facts import (
    Accumulation,
    ActivationUse,
    Facts,
    HandWrittenBCE,
    ImplicitDim,
    LogOf,
    LossCall,
    Form,
    Use,
)
from losslint.analysis.values import (
    MISSING,
    AbsVal,
    Atom,
    Axis,
    Bound,
    Cause,
    Class,
    Const,
    Function,
    Instance,
    Kind,
    Layer,
    Loss,
    LazyImport,
    Mapping,
    ModuleRef,
    QualRef,
    Sequence,
    Site,
    SliceConst,
    Super,
    Tensor,
    Unknown,
    const_value,
    join,
    of,
    ordered,
    unknown,
    with_source,
)

MAX_CALL_DEPTH = 16
LOOP_PASSES = 2
Env = Dict[str, AbsVal]


class BudgetExhausted(Exception):
    """The analysis of a module took more steps than it is allowed."""


@dataclass(frozen=True)
class Args:
    """Abstract call arguments; ``open`` when ``*args`` / ``**kwargs`` of unknown content
    were passed, so any parameter may have been given."""

    positional: Tuple[AbsVal, ...] = ()
    keywords: Tuple[Tuple[str, AbsVal], ...] = ()
    open: bool = False

    def get(self, index: Optional[int], names: Iterable[str] = ()) -> Optional[AbsVal]:
        if index is not None and index < len(self.positional) and not self.open:
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


class Interpreter:
    """Runs lowered modules and collects facts. One instance per analysis run."""

    def __init__(
        self,
        modules: Dict[str, ir.Module],
        budget: int = 400_000,
        local_names: frozenset = frozenset(),
        index: Optional[ModuleIndex] = None,
        loader: Optional[Callable[[str], Optional[ir.Module]]] = None,
    ) -> None:
        self.modules = modules  # path -> IR of the files that can hold findings
        self.local_names = local_names  # top-level module names of the linted tree
        self.index = index or ModuleIndex(modules)
        self.loader = loader  # IR of other linted files, parsed when first imported
        self.imported: Dict[str, ir.Module] = {}
        self.star_sources: Dict[str, List[str]] = {}  # module -> modules it star-imports
        self._importing: set = set()  # lazy imports being looked up
        self.budget = budget
        self.steps = 0
        self.globals: Dict[str, Env] = {}
        self.definitions: Dict[Tuple[str, str], ir.FunctionDef] = {}
        self.defaults: Dict[Function, Tuple[Optional[AbsVal], ...]] = {}
        self.closures: Dict[int, Tuple[Env, int]] = {}
        self.closure_of: Dict[Tuple[str, str], int] = {}  # nested function -> its latest frame
        self.classes: Dict[Class, ClassInfo] = {}
        self.instances: Dict[Class, Dict[Instance, None]] = {}  # insertion-ordered
        self.memo: Dict[Any, Tuple[AbsVal, Optional[AbsVal]]] = {}
        self.in_progress: set = set()
        self.evaluated: set = set()
        self.loss_calls: Dict[Site, _LossAcc] = {}
        self.activations: Dict[Site, ActivationUse] = {}
        self.implicit_dims: Dict[Site, ImplicitDim] = {}
        self.accumulations: Dict[Site, Accumulation] = {}
        self.logs: Dict[Site, LogOf] = {}
        self.uses: Dict[Site, set] = {}  # activation origin -> its Uses
        self.entry_returns: List[Tuple[Function, str, AbsVal]] = []
        self.called_by_code: set = set()  # (module, qualname) of functions analysed code calls
        self._starting_entry = False
        self.forms: Dict[Site, Tuple[str, Site]] = {}  # activation origin -> (Form, activation site)
        self.function_modes: Dict[Function, Tuple[ModeSwitch, ...]] = {}
        self._sinks: Dict[int, Sinks] = {}
        self._hand_written_votes: Dict[Site, bool] = {}  # every context must see sigmoid probabilities
        self.exhausted: set = set()  # paths whose analysis ran out of budget or failed
        self.internal_errors: List[Tuple[str, str]] = []  # (path, error) for the user to report

    # --- driver ------------------------------------------------------------------

    def run(self, names: Optional[Iterable[str]] = None) -> Facts:
        """Run the modules (on a later call: the ``names`` added, after the others) and
        return every fact so far."""
        names = sorted(self.modules if names is None else names)
        for name in names:
            if name not in self.modules:
                module = self._ir(name)
                if module is None:
                    continue
                self.modules[name] = module
        for phase in (self._run_module, self._run_entries):
            for name in names:
                if name not in self.modules:
                    continue
                self.steps = 0
                try:
                    phase(name)
                except BudgetExhausted:
                    self.exhausted.add(name)
                except (RecursionError, MemoryError) as error:
                    self.exhausted.add(name)
                    self.internal_errors.append((name, type(error).__name__))
                except Exception as error:  # a bug in losslint must not end the run
                    self.exhausted.add(name)
                    self.internal_errors.append((name, f"{type(error).__name__}: {error}"))
        return self._facts()

    def _facts(self) -> Facts:
        self._record_escapes()
        calls = [
            LossCall(
                site,
                frozenset(acc.families),
                acc.input,
                acc.target,
                acc.complete and site.path not in self.exhausted,
                acc.autocast,
                frozenset(acc.created),
                frozenset(acc.names),
            )
            for site, acc in self.loss_calls.items()
        ]
        key = lambda fact: (fact.site.path, fact.site.ordinal)  # noqa: E731
        return Facts(
            sorted(calls, key=key),
            sorted(self.activations.values(), key=key),
            sorted(self.implicit_dims.values(), key=key),
            sorted(self.accumulations.values(), key=key),
            sorted(self.logs.values(), key=key),
            sorted((HandWrittenBCE(site) for site, sure in self._hand_written_votes.items() if sure), key=key),
            {origin: frozenset(uses) for origin, uses in self.uses.items()},
            dict(self.forms),
        )

    def _ir(self, path: str) -> Optional[ir.Module]:
        if path in self.modules:
            return self.modules[path]
        if path not in self.imported and self.loader is not None:
            loaded = self.loader(path)
            if loaded is None:
                return None
            self.imported[path] = loaded
        return self.imported.get(path)

    def module_globals(self, path: str) -> Optional[Env]:
        """The globals of a linted module, running it first if needed (a module being
        run already, in an import cycle, gives what it has defined so far)."""
        if path not in self.globals:
            if self._ir(path) is None:
                return None
            self._run_module(path)
        return self.globals.get(path)

    def _run_module(self, name: str) -> None:
        if name in self.globals:
            return
        module = self._ir(name)
        if module is None:
            return
        env: Env = {"__name__": unknown("__name__", Cause.FROM_OUTSIDE)}
        self.globals[name] = env
        for stmt in _walk_defs(module.body):
            if isinstance(stmt, ir.FunctionDef):
                self.definitions[(name, stmt.qualname)] = stmt
        final = self.exec_block(module.body, env, Context(name, sinks=self.sinks(module.body)))
        if final is not None:
            self.globals[name] = final

    def _run_entries(self, name: str) -> None:
        """Run, with unknown arguments, every function the analysed code never called:
        first those whose name no code calls (roots such as ``main``), then the rest."""
        module = self.modules[name]
        functions = [d for (m, _), d in self.definitions.items() if m == name]
        roots = [d for d in functions if d.name not in module.called_names]
        for definition in roots + functions:
            if (name, definition.qualname) not in self.evaluated:
                self._run_entry(name, definition)

    def _run_entry(self, module: str, definition: ir.FunctionDef) -> None:
        owner = self._owner_class(module, definition.qualname)
        function = Function(module, definition.qualname, self.closure_of.get((module, definition.qualname), 0))
        params = definition.params
        is_method = owner is not None and bool(params) and not _is_static(definition)
        defaults = self.defaults.get(function, ())
        keywords: List[Tuple[str, AbsVal]] = []
        for i, param in enumerate(params):
            if param.kind in ("varargs", "varkw") or (is_method and i == 0):
                continue
            value = unknown(f"parameter '{param.name}' of {definition.name}() (called from outside the analysed code)", Cause.FROM_OUTSIDE)
            if i < len(defaults) and defaults[i] is not None:
                value = join((value, defaults[i]))
            keywords.append((param.name, value))
        args = Args(keywords=tuple(keywords))
        if is_method:
            assert owner is not None
            receivers = list(self.instances.get(owner, ()))
            if not receivers:
                receivers = ordered(self.instantiate(owner, Args(open=True), record=False))
            modes = frozenset({"no_grad"}) if definition.name in T.NO_GRAD_HOOKS and self.is_model_class(owner) else frozenset()
            results = [self._call_entry(function, args, r, modes) for r in receivers[:4]]
        else:
            results = [self._call_entry(function, args, None)]
        self.entry_returns.append((function, definition.name, join(results)))

    def _call_entry(self, function: Function, args: Args, receiver: Optional[Atom], modes: frozenset = frozenset()) -> AbsVal:
        self._starting_entry = True
        try:
            return self.call_function_full(function, args, receiver=receiver, modes=modes)[0]
        finally:
            self._starting_entry = False

    def _record_escapes(self) -> None:
        """What entry functions return goes to callers the analysis does not see, unless
        analysed code calls them too (a model's forward runs as an entry before the
        training function that calls it)."""
        for function, name, value in self.entry_returns:
            if (function.module, function.qualname) not in self.called_by_code:
                self._record_uses(value, frozenset(), None, f"returned by {name}() to callers the analysis does not see")

    def _owner_class(self, module: str, qualname: str) -> Optional[Class]:
        if "." not in qualname:
            return None
        owner = Class(module, qualname.rsplit(".", 1)[0])
        return owner if owner in self.classes else None

    # --- statements ----------------------------------------------------------------

    def exec_block(self, body: Iterable[ir.Stmt], env: Optional[Env], ctx: Context) -> Optional[Env]:
        for stmt in body:
            if env is None:
                return None
            env = self.exec_stmt(stmt, env, ctx)
        return env

    def exec_stmt(self, stmt: ir.Stmt, env: Env, ctx: Context) -> Optional[Env]:  # noqa: C901
        self.steps += 1
        if self.steps > self.budget:
            raise BudgetExhausted
        if not ctx.in_function and ctx.cls is None:
            self.globals[ctx.module] = env  # functions called from here see these names
        if isinstance(stmt, (ir.Assign, ir.AugAssign, ir.ExprStmt, ir.Return)):
            self._check_hand_written_bce(stmt, env, ctx)
        if isinstance(stmt, ir.Assign):
            value = self.eval(stmt.value, env, ctx)
            self._check_accumulation_assign(stmt, env, ctx)
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
            self.eval(stmt.test, env, ctx)
            return _join_envs([self.exec_block(stmt.body, dict(env), ctx), self.exec_block(stmt.orelse, dict(env), ctx)])
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

    def _import(self, stmt: ir.Import, env: Env, ctx: Context) -> None:
        """``import a.b`` binds ``a``; ``import a.b as c`` binds ``c`` to ``a.b``; each
        to the linted module when there is one, else to the library's name."""
        if stmt.asname:
            path = self.index.resolve(ctx.module, stmt.module)
            env[stmt.asname] = of(ModuleRef(path)) if path else of(QualRef(T.canonical(stmt.module)))
            return
        top = stmt.module.split(".", 1)[0]
        path = self.index.resolve(ctx.module, top)
        env[top] = of(ModuleRef(path)) if path else of(QualRef(top))

    def _import_from(self, stmt: ir.ImportFrom, env: Env, ctx: Context) -> None:
        path = self.index.resolve(ctx.module, stmt.module, stmt.level)
        if path is None:
            if stmt.name == "*":
                return
            bound = stmt.asname or stmt.name
            if stmt.level:
                env[bound] = unknown(f"'{stmt.name}' is imported from a module the analysis cannot find", Cause.UNKNOWN_LIBRARY)
            else:
                env[bound] = of(QualRef(T.canonical(f"{stmt.module}.{stmt.name}")))
            return
        if stmt.name == "*":  # looked up lazily: loading every module of a package costs minutes
            self.star_sources.setdefault(ctx.module, []).append(path)
            return
        env[stmt.asname or stmt.name] = of(LazyImport(path, stmt.name))

    def _resolved(self, value: AbsVal) -> AbsVal:
        """The value with its lazy imports looked up."""
        if not any(isinstance(a, LazyImport) for a in value):
            return value
        return join([self._look_up(a) if isinstance(a, LazyImport) else of(a) for a in ordered(value)])

    def _look_up(self, lazy: LazyImport) -> AbsVal:
        """What a ``from module import name`` binds; a name that leads back to itself
        through other modules' imports (a cycle Python would refuse) is unknown."""
        if lazy in self._importing:
            return unknown(f"'{lazy.name}' is imported in a cycle", Cause.LIMITS)
        self._importing.add(lazy)
        try:
            return self.getattr(ModuleRef(lazy.path), lazy.name)
        finally:
            self._importing.discard(lazy)

    def exported(
        self, path: str, name: str, through_star: bool = False, seen: Optional[set] = None
    ) -> Optional[AbsVal]:
        """``name`` as module ``path`` provides it: its own globals, then what it
        star-imports. Through ``*``, a literal ``__all__`` limits what is provided."""
        seen = seen if seen is not None else set()
        if path in seen:
            return None
        seen.add(path)
        if path not in self.globals:
            module = self._ir(path)
            if module is None or not ({name, "*"} & module.defines):
                return None  # not there: a package's star import runs none of the modules without it
        own = self.module_globals(path)
        if own is None:
            return None
        if name in own and (not through_star or name in _declared_all(own, name)):
            return self._resolved(own[name])
        for source in self.star_sources.get(path, ()):
            found = self.exported(source, name, True, seen)
            if found is not None:
                return found
        return None

    def _aug_assign(self, stmt: ir.AugAssign, env: Env, ctx: Context) -> Env:
        current = self.eval(stmt.target, env, ctx)
        value = self.eval(stmt.value, env, ctx)
        if stmt.op == "AddAssign" and isinstance(stmt.target, ir.Name):
            self._record_accumulation(stmt.site, stmt.target.id, value, ctx)
        result = unknown("result of arithmetic", Cause.EXPRESSION)
        if stmt.op == "AddAssign":
            extended = [_extend(a, value) for a in current]
            if extended and all(e is not None for e in extended):
                result = join(extended)  # type: ignore[arg-type]
        self.assign(stmt.target, result, env, ctx)
        return env

    def _loop(self, stmt: ir.Loop, env: Env, ctx: Context) -> Optional[Env]:
        element = unknown("loop variable", Cause.LOOP_OR_CONTAINER)
        if stmt.iter is not None:
            iterated = self.eval(stmt.iter, env, ctx)
            element = self.iter_element(iterated)
            self._record_uses(iterated, element, None, "a for loop over it")
        state = env
        breaks: List[Env] = []
        entry = frozenset(env)
        for _ in range(LOOP_PASSES):
            body_env = dict(state)
            if stmt.target is not None:
                self.assign(stmt.target, element, body_env, ctx)
            exits = LoopExits(entry, self.sinks(stmt.body).calls_backward)
            ctx.loops.append(exits)
            try:
                out = self.exec_block(stmt.body, body_env, ctx)
            finally:
                ctx.loops.pop()
            breaks.extend(exits.breaks)
            state = _join_envs([state, out, *exits.continues]) or state
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

    # --- assignment ----------------------------------------------------------------

    def assign(self, target: ir.Expr, value: AbsVal, env: Env, ctx: Context) -> None:
        if isinstance(target, ir.Name):
            env[target.id] = value
        elif isinstance(target, ir.Collection):
            self._unpack(target.items, value, env, ctx)
        elif isinstance(target, ir.Attr) and isinstance(target.value, ir.Name):
            owner = self.lookup(target.value.id, env, ctx)
            if any(isinstance(a, Instance) for a in owner):
                updated = [_set_attr(a, target.attr, value) for a in owner]
                env[target.value.id] = join(updated)
        elif isinstance(target, ir.Subscript) and isinstance(target.value, ir.Name):
            owner = self.lookup(target.value.id, env, ctx)
            index = const_value(self.eval(target.index, env, ctx), MISSING)
            env[target.value.id] = join(_set_item(a, index, value) for a in owner)
        elif isinstance(target, ir.Starred):
            self.assign(target.value, unknown("starred assignment", Cause.LOOP_OR_CONTAINER), env, ctx)

    def _unpack(self, targets: Tuple[ir.Expr, ...], value: AbsVal, env: Env, ctx: Context) -> None:
        has_star = any(isinstance(t, ir.Starred) for t in targets)
        per_target: List[List[AbsVal]] = [[] for _ in targets]
        for atom in value:
            items = atom.items if isinstance(atom, Sequence) and not atom.open_start else None
            if items is not None and len(items) == len(targets) and not has_star:
                for i, item in enumerate(items):
                    per_target[i].append(item)
            else:
                cause = of(atom) if isinstance(atom, Unknown) else unknown("unpacked from a value of unknown shape", Cause.LOOP_OR_CONTAINER)
                for slot in per_target:
                    slot.append(cause)
        for target, parts in zip(targets, per_target):
            self.assign(target, join(parts) if parts else unknown("unpacking", Cause.LOOP_OR_CONTAINER), env, ctx)

    # --- expressions ---------------------------------------------------------------

    def eval(self, expr: ir.Expr, env: Env, ctx: Context) -> AbsVal:  # noqa: C901
        if isinstance(expr, ir.Name):
            return self.lookup(expr.id, env, ctx)
        if isinstance(expr, ir.Literal):
            return of(Const(expr.value))
        if isinstance(expr, ir.Call):
            return self._eval_call(expr, env, ctx)
        if isinstance(expr, ir.Attr):
            owner = self.eval(expr.value, env, ctx)
            result = join(self.getattr(a, expr.attr) for a in ordered(owner))
            if expr.attr not in T.SHAPE_ATTRIBUTES:
                self._record_uses(owner, result, None, f"its attribute .{expr.attr}")
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
            values = frozenset(a for a in container if not (isinstance(a, Bound) and a.name in T.SHAPE_ATTRIBUTES))
            self._record_uses(values, result, None, "a subscript of it")
            return result
        if isinstance(expr, ir.Slice):
            parts = [self.eval(p, env, ctx) if p is not None else of(Const(None)) for p in (expr.lower, expr.upper, expr.step)]
            values = [const_value(p, MISSING) for p in parts]
            if any(v is MISSING for v in values):
                return unknown("slice", Cause.EXPRESSION)
            return of(SliceConst(*values))
        if isinstance(expr, ir.BinOp):
            left, right = self.eval(expr.left, env, ctx), self.eval(expr.right, env, ctx)
            result = _arith(expr.op, left, right)
            self._record_uses(left | right, result, Site(ctx.module, expr.site), f"'{expr.op}'")
            return result
        if isinstance(expr, ir.Negative):
            value = const_value(self.eval(expr.operand, env, ctx), MISSING)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return of(Const(-value))
            return unknown("result of arithmetic", Cause.EXPRESSION)
        if isinstance(expr, ir.IfExp):
            self.eval(expr.test, env, ctx)
            return join((self.eval(expr.body, env, ctx), self.eval(expr.orelse, env, ctx)))
        if isinstance(expr, ir.Walrus):
            value = self.eval(expr.value, env, ctx)
            env[expr.target] = value
            return value
        if isinstance(expr, ir.Starred):
            return self.eval(expr.value, env, ctx)
        if isinstance(expr, ir.Opaque):
            inner = dict(env)
            for name in expr.binds:
                inner[name] = unknown("comprehension variable", Cause.LOOP_OR_CONTAINER)
            values = [self.eval(part, inner, ctx) for part in expr.parts]
            if expr.site >= 0:
                self._record_uses(join(values), frozenset(), Site(ctx.module, expr.site), "expression")
            return unknown("expression the analysis does not model", Cause.EXPRESSION)
        return unknown("expression the analysis does not model", Cause.EXPRESSION)

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
            return self._resolved(module_env[name])
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
            else:
                parts.append(unknown("loop variable", Cause.LOOP_OR_CONTAINER))
        return join(parts) if parts else unknown("loop variable", Cause.LOOP_OR_CONTAINER)

    # --- attributes and subscripts -------------------------------------------------

    def getattr(self, atom: Atom, name: str) -> AbsVal:  # noqa: C901
        if isinstance(atom, QualRef):
            return of(QualRef(T.canonical(f"{atom.name}.{name}")))
        if isinstance(atom, ModuleRef):
            found = self.exported(atom.path, name)
            if found is not None:
                return found
            submodule = self.index.submodule(atom.path, name)
            if submodule is not None:
                return of(ModuleRef(submodule))
            return unknown(f"'{name}' is not defined in {atom.path}", Cause.FROM_OUTSIDE)
        if isinstance(atom, Instance):
            for key, value in reversed(atom.overrides):
                if key == name:
                    return value
            found = self.class_attribute(atom.cls, name)
            if found is None:
                if name in _RETURNS_SELF or name == "add_module":
                    return of(Bound(atom, name))
                if name in T.DEVICE_ATTRIBUTES:  # nn.Module / LightningModule .device
                    return of(QualRef(T.DEVICE))
                return unknown(f"attribute '{name}' of {atom.cls.qualname} is not known", Cause.UNFOLLOWED_STATE)
            return join(self._bind(atom, a, name) for a in ordered(found))
        if isinstance(atom, Super):
            found = self.class_attribute(atom.cls, name, skip_self=True)
            if found is None:
                return unknown(f"super().{name} is not known", Cause.UNFOLLOWED_STATE)
            return join(self._bind(atom.instance, a, name) for a in ordered(found))
        if isinstance(atom, Class):
            found = self.class_attribute(atom, name)
            return found if found is not None else unknown(f"attribute '{name}' of {atom.qualname}", Cause.UNFOLLOWED_STATE)
        if isinstance(atom, Tensor) and name == "data":  # the same values, without autograd
            return unknown("a detached loss value", Cause.NOT_MODELLED) if atom.kind is Kind.LOSS else of(atom)
        if isinstance(atom, Tensor) and name == "dtype":
            return of(QualRef(T.DTYPE_NAMES.get(atom.dtype or "", T.UNKNOWN_DTYPE)))
        if isinstance(atom, (Tensor, Unknown)) and name in T.DEVICE_ATTRIBUTES:
            return of(QualRef(T.DEVICE))
        if isinstance(atom, (Tensor, Sequence, Mapping, Layer, Loss, Unknown)):
            return of(Bound(atom, name))
        return unknown(f"attribute '{name}'", Cause.UNFOLLOWED_STATE)

    def _bind(self, instance: Atom, attribute: Atom, name: str) -> AbsVal:
        if isinstance(attribute, Function):
            definition = self.definitions.get((attribute.module, attribute.qualname))
            if definition is not None and _is_static(definition):
                return of(attribute)
            return of(Bound(instance, name, attribute))
        if isinstance(attribute, Bound) and attribute.receiver == Const("property") and attribute.function:
            value, _ = self.call_function_full(attribute.function, Args(), receiver=instance)
            return value
        return of(attribute)

    def class_attribute(self, cls: Class, name: str, skip_self: bool = False) -> Optional[AbsVal]:
        """Look ``name`` up along the class's bases; None when it cannot be found, or
        Unknown when a base the analysis cannot see might define it."""
        seen = set()
        order = [cls]
        while order:
            current = order.pop(0)
            if current in seen:
                continue
            seen.add(current)
            info = self.classes.get(current)
            if info is None:
                continue
            if not (skip_self and current == cls) and name in info.namespace:
                return info.namespace[name]
            for base in info.bases:
                classes = [a for a in base if isinstance(a, Class)]
                if len(classes) != len(base):
                    if not all(isinstance(a, QualRef) and T.canonical(a.name) in T.MODULE_BASES for a in base):
                        return unknown(f"'{name}' may come from a base class outside the analysed code", Cause.FROM_OUTSIDE)
                order.extend(classes)
        return None

    def is_model_class(self, cls: Class) -> bool:
        seen, order = set(), [cls]
        while order:
            current = order.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            for base in self.classes[current].bases:
                for atom in base:
                    if isinstance(atom, QualRef) and T.canonical(atom.name) in T.MODULE_BASES:
                        return True
                    if isinstance(atom, Class):
                        order.append(atom)
        return False

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
            return join(list(atom.items) + [unknown("item at an unknown index", Cause.LOOP_OR_CONTAINER)])
        if isinstance(atom, Mapping):
            for k, v in atom.items:
                if k == key:
                    return v
            return unknown("key of a dict", Cause.LOOP_OR_CONTAINER)
        if isinstance(atom, Tensor):
            return of(replace(atom, width=None, rank=None, axis=None, selected=True))
        if isinstance(atom, Unknown):
            return of(atom)  # keep the root cause
        return unknown("subscript of a value the analysis does not model", Cause.EXPRESSION)

    # --- calls ---------------------------------------------------------------------

    def _eval_call(self, expr: ir.Call, env: Env, ctx: Context) -> AbsVal:
        if _is_super_call(expr):
            if ctx.cls is None or ctx.receiver is None or ctx.receiver not in env:
                return unknown("super() outside a method", Cause.UNFOLLOWED_STATE)
            return of(*(Super(a, ctx.cls) for a in env[ctx.receiver]))
        callee = self.eval(expr.func, env, ctx)
        args = self._eval_args(expr.args, env, ctx)
        site = Site(ctx.module, expr.site)
        results, receivers, changed = [], [], False
        complete = not any(_is_loss(a) for a in callee) or all(_is_loss(a) for a in callee)
        for atom in ordered(callee):
            value, new_receiver = self.call(atom, args, site, ctx, complete)
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
            inputs = [v for _, v in args.keywords] + list(args.positional) + [of(a) for a in callee]
            what = _callee_display(expr.func, callee)
            short = what.rsplit(".", 1)[-1]
            along = _along(args, method=what.startswith("Tensor.")) if short in T.ORDER_PRESERVING_ALONG else None
            preserving = short in T.ORDER_PRESERVING
            self._record_uses(join(inputs), result, site, what, preserving, site in self.loss_calls, along)
        return result

    def _record_uses(
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
            use = Use(site, what, preserving, loss, along)
            for origin in used - _origins(result):
                self.uses.setdefault(origin, set()).add(use)

    def _eval_args(self, args: Tuple[ir.Arg, ...], env: Env, ctx: Context) -> Args:
        positional: List[AbsVal] = []
        keywords: List[Tuple[str, AbsVal]] = []
        is_open = False
        for arg in args:
            value = self.eval(arg.value, env, ctx)
            if arg.star == "*":
                spliced = _splice(value)
                if spliced is None:
                    is_open, positional = True, []
                elif spliced[1]:  # unknown head, known tail: keep the tail
                    is_open, positional = True, list(spliced[0])
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
        return Args(tuple(positional), tuple(keywords), is_open)

    def call(
        self, atom: Atom, args: Args, site: Site, ctx: Context, complete: bool = True
    ) -> Tuple[AbsVal, Optional[AbsVal]]:
        """Call one alternative of a callee; returns the result and, for calls that
        change their receiver (``layers.append``, a method setting attributes), the
        receiver's new value."""
        if isinstance(atom, QualRef):
            return self.call_external(T.canonical(atom.name), args, site, ctx, complete), None
        if isinstance(atom, Loss):
            return self.record_loss(atom.callee, args, site, complete, ctx, atom.site), None
        if isinstance(atom, Layer):
            return self.apply_layer(atom, args.get(0, ("input",)) or unknown("layer input", Cause.FROM_OUTSIDE), site), None
        if isinstance(atom, Sequence):
            if atom.container != "sequential":
                return unknown("call of a list", Cause.EXPRESSION), None
            return self.apply_sequence(atom, args.get(0, ("input",)) or unknown("model input", Cause.FROM_OUTSIDE), site, ctx), None
        if isinstance(atom, Function):
            value, _ = self.call_function_full(atom, args, depth=ctx.depth, modes=ctx.modes)
            return value, None
        if isinstance(atom, Class):
            return self.instantiate(atom, args, depth=ctx.depth, modes=ctx.modes), None
        if isinstance(atom, Instance):
            return self.call_instance(atom, args, ctx), None
        if isinstance(atom, Bound):
            return self.call_bound(atom, args, site, ctx)
        if isinstance(atom, Unknown):
            return of(atom), None
        return unknown("call of a value that is not callable", Cause.UNFOLLOWED_STATE), None

    def call_instance(self, atom: Instance, args: Args, ctx: Context) -> AbsVal:
        for name in ("forward", "__call__") if self.is_model_class(atom.cls) else ("__call__",):
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
        self, atom: Bound, args: Args, site: Site, ctx: Context
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
        if isinstance(receiver, (Tensor, Unknown)):
            value = self.tensor_method(receiver, name, args, site)
            return value, (value if name in T.IN_PLACE_RESHAPES else None)  # x.squeeze_(-1) changes x
        if isinstance(receiver, Sequence):
            return _sequence_method(receiver, name, args)
        if isinstance(receiver, (Layer, Loss, Instance)) and name in _RETURNS_SELF:
            return of(receiver), None
        if isinstance(receiver, Instance) and name == "add_module" and len(args.positional) == 2:
            attribute = const_value(args.positional[0], None)
            if isinstance(attribute, str):
                return of(Const(None)), _set_attr(receiver, attribute, args.positional[1])
        if isinstance(receiver, Mapping) and name == "values":
            return of(Sequence(tuple(v for _, v in receiver.items), "list")), None
        return unknown(f".{name}() is not modelled", Cause.NOT_MODELLED), None

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
        definition = self.definitions.get((function.module, function.qualname))
        if definition is None:
            return unknown(f"{function.qualname} is not known", Cause.UNFOLLOWED_STATE), None
        if depth or not self._starting_entry:
            self.called_by_code.add((function.module, function.qualname))
        for switch in self.function_modes.get(function, ()):
            modes = _switched(modes, switch)
        key = (function, receiver, args, modes)
        if key in self.memo:
            return self.memo[key]
        if key in self.in_progress or depth >= MAX_CALL_DEPTH:
            return unknown("recursion or calls nested too deep", Cause.LIMITS), None
        self.in_progress.add(key)
        try:
            result = self._evaluate(function, definition, args, receiver, depth, modes)
        finally:
            self.in_progress.discard(key)
        self.evaluated.add((function.module, function.qualname))
        self.memo[key] = result
        return result

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
                env[param.name] = positional.pop(0)
            elif param.name in keywords:
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
        return value, exit_receiver

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
        initial = Instance(cls, _args_key(args))
        init = self.class_attribute(cls, "__init__")
        if init is None:
            constructed = of(initial)
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

    # --- torch -----------------------------------------------------------------------

    def call_external(self, name: str, args: Args, site: Site, ctx: Context, complete: bool) -> AbsVal:  # noqa: C901
        if name in T.LOSS_FUNCTIONS:
            return self.record_loss(name, args, site, complete, ctx)
        if name in T.LOSS_CLASSES:
            return of(Loss(name, site))
        if name in T.ACTIVATION_FUNCTIONS:
            activation = T.ACTIVATION_FUNCTIONS[name]
            dim = self._dim(activation, args, name, site)
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            return self.activate(activation, name, value, site, dim, site, Form.FUNCTION)
        if name in T.ACTIVATION_LAYERS:
            activation = T.ACTIVATION_LAYERS[name]
            return of(Layer(name, site, dim=self._dim(activation, args, name, site)))
        if name in T.WIDTH_LAYERS:
            position, keyword = T.WIDTH_LAYERS[name].width_param
            width = const_value(args.get(position, (keyword,)) or unknown("", Cause.OTHER), None)
            return of(Layer(name, site, width=width if isinstance(width, int) and not isinstance(width, bool) else None))
        if name in T.NORM_LAYERS or name in T.TRANSPARENT_LAYERS or name in T.FLATTEN_LAYERS or name in T.EMBEDDINGS:
            return of(Layer(name, site))
        if name in T.SEQUENTIALS:
            return of(self._sequential(args, site))
        if name in T.MODULE_CONTAINERS:
            items = args.get(0, ("modules",))
            spliced = _splice(items) if items is not None else ((), False)
            return of(Sequence(tuple(spliced[0]), "list", spliced[1])) if spliced else unknown("ModuleList", Cause.LOOP_OR_CONTAINER)
        if name in T.ORDERED_DICT:
            return self._ordered_dict(args)
        if name in T.WRAPPERS:
            return args.get(0, ("module", "model", "obj", "func")) or unknown("wrapped model", Cause.FROM_OUTSIDE)
        if name in T.LAUNCHERS:
            return of(QualRef(name + T.INSTANCE))
        if name.rsplit(".", 1)[0].endswith(T.INSTANCE) and name.rsplit(".", 1)[1] in T.PASS_THROUGH_METHODS:
            if args.open or args.keywords or not args.positional:
                return unknown(f"{name}() with arguments the analysis cannot follow", Cause.DYNAMIC_DISPATCH)
            return args.positional[0] if len(args.positional) == 1 else of(Sequence(args.positional, "tuple"))
        if name in T.APPLY_MODULES:
            module, inputs = args.get(0, ("module",)), args.get(1, ("inputs",))
            if module is None or inputs is None:
                return unknown("data_parallel() arguments", Cause.FROM_OUTSIDE)
            return join(self.call(atom, Args((inputs,)), site, ctx)[0] for atom in ordered(module))
        if name in T.EXP_LOG_FUNCTIONS:
            return self._exp_log(T.EXP_LOG_FUNCTIONS[name], args.get(0, ("input",)), site)
        if name in T.SHAPE_FUNCTIONS:
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            rest = Args(args.positional[1:], args.keywords)
            return join(self.tensor_method(a, T.SHAPE_FUNCTIONS[name], rest, site) for a in value)
        if name in T.CLAMP_FUNCTIONS:
            value = args.get(0, ("input",)) or unknown("input", Cause.FROM_OUTSIDE)
            rest = Args(args.positional[1:], args.keywords, args.open)
            return join(self.tensor_method(a, "clamp", rest, site) for a in value)
        if name in T.DTYPE_FUNCTIONS:
            return of(QualRef(T.DTYPE_FUNCTIONS[name]))
        if name in T.DEVICE_FUNCTIONS:
            return of(QualRef(T.DEVICE))
        if name in T.SIZED_CREATION:
            kind = Kind.UNBOUNDED if name in T.RANDOM_UNBOUNDED else None
            return of(_created(kind, site, _size(args), _dtype_of(args, T.SIZED_CREATION[name])))
        if name in T.RANDOM_UNBOUNDED:
            return of(Tensor(Kind.UNBOUNDED, act=site))
        if name in T.RANDINT:
            size = args.get(None, ("size",)) or (args.positional[-1] if args.positional and not args.open else None)
            return of(_created(None, site, _size(Args((size,))) if size is not None else None, _dtype_of(args, "int")))
        if name in T.FULL:
            fill = const_value(args.get(1, ("fill_value",)) or unknown("", Cause.OTHER), None)
            default = "int" if isinstance(fill, int) and not isinstance(fill, bool) else "float"
            return of(_created(None, site, _size(Args((args.get(0, ("size",)) or unknown("", Cause.OTHER),))), _dtype_of(args, default)))
        if name in T.ARANGE:
            values = [const_value(v, None) for v in args.positional]
            default = "int" if values and all(isinstance(v, int) for v in values) else "float"
            return of(Tensor(None, rank=1, act=site, dtype=_dtype_of(args, default)))
        if name in T.TYPED_TENSORS:
            return of(_literal_data_tensor(args, site, T.TYPED_TENSORS[name]))
        if name in T.LITERAL_TENSORS:
            return _literal_tensor(args, site)
        if name in T.LIKE_CREATION:
            source = args.get(0, ("input",)) or unknown("", Cause.OTHER)
            dtype = _dtype_of(args, None)
            return join(
                of(Tensor(None, a.width, a.axis, a.rank, act=site, dtype=dtype or a.dtype))
                if isinstance(a, Tensor)
                else unknown("tensor like an unknown one", Cause.NOT_MODELLED)
                for a in source
            )
        if name in T.ONE_HOT:
            source = args.get(0, ("tensor", "input")) or unknown("", Cause.OTHER)
            classes = const_value(args.get(1, ("num_classes",)) or unknown("", Cause.OTHER), None)
            width = classes if isinstance(classes, int) and classes > 0 else None
            ranks = {a.rank for a in source if isinstance(a, Tensor)}
            rank = ranks.pop() + 1 if len(ranks) == 1 and None not in ranks and len(source) == 1 else None
            return of(Tensor(None, width, Axis.LAST if width else None, rank, act=site, dtype="int"))
        if name == "builtins.getattr":
            obj, attr = args.get(0), const_value(args.get(1) or unknown("", Cause.OTHER), None)
            if obj is not None and isinstance(attr, str) and len(args.positional) == 2:
                return join(self.getattr(a, attr) for a in obj)
            return unknown("getattr with a computed name (dynamic dispatch)", Cause.DYNAMIC_DISPATCH)
        if name in ("builtins.list", "builtins.tuple"):
            value = args.get(0)
            if value is not None and all(isinstance(a, Sequence) for a in value):
                return join(of(replace(a, container=name.split(".")[1])) for a in value)
            return unknown(f"{name.split('.')[1]}()", Cause.LOOP_OR_CONTAINER)
        if name == "builtins.dict":
            if not args.positional and not args.open:
                return of(Mapping(args.keywords))
            return unknown("dict()", Cause.LOOP_OR_CONTAINER)
        if name.startswith("torch."):
            return unknown(f"{name}() is not modelled", Cause.NOT_MODELLED)
        if name.startswith("builtins."):
            return unknown(f"{name[9:]}() result", Cause.NOT_MODELLED)
        top = name.split(".", 1)[0]
        if top in self.local_names and top not in T.LIBRARY_ROOTS:
            return unknown(f"{name}() is defined in another file of the linted code that this import does not reach (sys.path?)", Cause.UNREACHED_FILE)
        return unknown(f"{name}() comes from a library the analysis does not know", Cause.UNKNOWN_LIBRARY)

    def _dim(self, activation: T.Activation, args: Args, name: str, site: Site) -> Any:
        if activation.dim_param is None:
            return None
        position, keyword = activation.dim_param
        value = args.get(position, (keyword,))
        if value is None:
            if args.open:
                return None
            if activation.implicit_dim:
                self.implicit_dims.setdefault(site, ImplicitDim(site, name))
            return MISSING
        return const_value(value, None)

    def activate(
        self, activation: T.Activation, name: str, value: AbsVal, site: Site, dim: Any, origin: Site, form: str
    ) -> AbsVal:
        """The activation's output; ``site`` is the activation (call or layer) the rules
        name, ``origin`` where it is applied, ``form`` how (see ``Form``)."""
        self.forms.setdefault(origin, (form, site))
        out = []
        for atom in value:
            if isinstance(atom, Tensor):
                out.append(
                    Tensor(activation.kind, atom.width, atom.axis, atom.rank, act=site, layer=atom.layer, origin=origin)
                )
            else:
                out.append(Tensor(activation.kind, act=site, origin=origin))
        if activation.dim_param is not None:
            previous = self.activations.get(site)
            joined = join((previous.input, value)) if previous else value
            self.activations[site] = ActivationUse(site, name, dim, joined)
        return of(*out)

    def apply_layer(self, layer: Layer, value: AbsVal, site: Site, in_sequence: bool = False) -> AbsVal:
        """``site`` is the call applying the layer (the Sequential's call for its items)."""
        name = layer.name
        if name in T.ACTIVATION_LAYERS:
            act = layer.site or site
            origin, form = (act, Form.SEQUENCE_ITEM) if in_sequence else (site, Form.LAYER_CALL)
            return self.activate(T.ACTIVATION_LAYERS[name], name, value, act, layer.dim, origin, form)
        if name in T.WIDTH_LAYERS:
            axis = T.WIDTH_LAYERS[name].axis
            ranks = {a.rank for a in value if isinstance(a, Tensor)}
            rank = ranks.pop() if len(ranks) == 1 and len(value) == 1 else None
            return of(Tensor(Kind.LOGITS, layer.width, axis, rank, act=layer.site, layer=layer.site))
        if name in T.NORM_LAYERS:
            return join(
                of(Tensor(Kind.LOGITS, a.width, a.axis, a.rank, act=layer.site, layer=a.layer))
                if isinstance(a, Tensor)
                else of(Tensor(Kind.LOGITS, act=layer.site))
                for a in value
            )
        if name in T.TRANSPARENT_LAYERS:
            return value
        if name in T.EMBEDDINGS:
            ranks = {a.rank for a in value if isinstance(a, Tensor)}
            rank = ranks.pop() + 1 if len(ranks) == 1 and None not in ranks and len(value) == 1 else None
            return of(Tensor(None, rank=rank, dtype="float"))
        if name in T.FLATTEN_LAYERS:
            return join(of(_flattened(a, 1, -1)) if isinstance(a, Tensor) else of(Tensor(None, rank=2)) for a in value)
        return unknown(f"{name} is not modelled", Cause.NOT_MODELLED)

    def apply_sequence(self, sequence: Sequence, value: AbsVal, site: Site, ctx: Context) -> AbsVal:
        if sequence.open_start:
            value = unknown("layers built at run time", Cause.DYNAMIC_DISPATCH)
        for item in sequence.items:
            results = []
            for layer in ordered(item):
                if isinstance(layer, Layer):
                    results.append(self.apply_layer(layer, value, site, in_sequence=True))
                else:
                    results.append(self.call(layer, Args((value,)), site, ctx)[0])
            value = join(results)
        return value

    def tensor_method(self, atom: Atom, name: str, args: Args, site: Site) -> AbsVal:  # noqa: C901
        if name in T.ACTIVATION_METHODS:
            activation = T.ACTIVATION_METHODS[name]
            dim = self._dim(activation, args, name, site)
            return self.activate(activation, f"Tensor.{name}", of(atom), site, dim, site, Form.METHOD)
        if not isinstance(atom, Tensor):
            dtype = T.DTYPE_METHODS.get(name) if not args.positional else None
            if name in T.CONVERSIONS:
                dtype = _converted_dtype(name, args)
            if isinstance(dtype, str):  # y.float() of a batch: only the dtype is known
                return of(Tensor(None, dtype=dtype))
            return of(atom) if isinstance(atom, Unknown) else unknown(f".{name}() of a value the analysis does not know", Cause.NOT_MODELLED)
        if atom.kind is Kind.LOSS and name in ("detach", "item", "tolist", "numpy", "cpu"):
            return unknown("a detached loss value", Cause.NOT_MODELLED) if name != "cpu" else of(atom)
        if name in ("exp", "log"):
            return self._exp_log(name, of(atom), site)
        if name in T.DTYPE_METHODS and not args.positional:
            return of(replace(atom, dtype=T.DTYPE_METHODS[name]))
        if name in T.CONVERSIONS:
            dtype = _converted_dtype(name, args)
            return of(atom if dtype is MISSING else replace(atom, dtype=dtype))
        if name in T.SHAPE_AS:
            return of(_shaped_as(atom, args.get(0, ("other",))))
        if name in T.CLAMP:
            if atom.kind in (Kind.SIGMOID, Kind.SOFTMAX):
                floor = const_value(args.get(0, ("min",)) or of(Const(None)), None)
                floored = isinstance(floor, (int, float)) and not isinstance(floor, bool) and floor > 0
                return of(replace(atom, floored=True) if floored else atom)
            return unknown("clamped values", Cause.NOT_MODELLED)
        if name in T.SHAPE_METHODS:
            return of(_reshaped(atom, name, args))
        return unknown(f"Tensor.{name}() is not modelled", Cause.NOT_MODELLED)

    def record_loss(
        self, callee: str, args: Args, site: Site, complete: bool, ctx: Context, created: Optional[Site] = None
    ) -> AbsVal:
        """A call of the loss ``callee`` (a loss function, or a loss class's instance)."""
        family = T.LOSS_FUNCTIONS.get(callee) or T.LOSS_CLASSES[callee]
        spec = T.LOSS_SIGNATURES[callee]
        value = args.get(0, spec.input_names) or unknown("loss input not given", Cause.FROM_OUTSIDE)
        target = args.get(1, spec.target_names) or unknown("loss target not given", Cause.FROM_OUTSIDE)
        autocast = "autocast" in ctx.modes
        acc = self.loss_calls.get(site)
        if acc is None:
            acc = self.loss_calls[site] = _LossAcc({family}, value, target, complete, autocast, set(), {spec.name})
        else:
            acc.names.add(spec.name)
            acc.families.add(family)
            acc.input = join((acc.input, value))
            acc.target = join((acc.target, target))
            acc.complete = acc.complete and complete
            acc.autocast = acc.autocast and autocast
        if created is not None:
            acc.created.add(created)
        return of(Tensor(Kind.LOSS, act=site))

    # --- training-loop facts ---------------------------------------------------------

    def _context_modes(self, expr: ir.Expr, env: Env, ctx: Context) -> "ModeSwitch":
        """What ``with expr:`` (or ``@expr``) turns on and off ("no_grad", "autocast").
        A mode is turned on only when the code shows it for sure (a literal
        ``enabled=False`` or a CPU device: not), and off only by a literal opt-out
        (``autocast(enabled=False)``, ``enable_grad()``, ``set_grad_enabled(True)``):
        the innermost region decides. A gradient switch the code computes counts as
        gradients off, which can only silence LL403."""
        none: ModeSwitch = (frozenset(), frozenset())
        call = expr if isinstance(expr, ir.Call) else None
        func = call.func if call is not None else expr
        if not isinstance(func, (ir.Name, ir.Attr)):
            return none
        names = {T.canonical(a.name) for a in self.eval(func, env, ctx) if isinstance(a, QualRef)}
        if len(names) != 1:
            return none
        (name,) = names
        args = self._eval_args(call.args, env, ctx) if call is not None else Args(())
        if name in T.GRAD_ON:
            return frozenset(), frozenset({"no_grad"})
        if name in T.GRAD_SWITCHES:
            enabled = const_value(args.get(0, ("mode",)) or unknown("", Cause.OTHER), None)
            return (frozenset(), frozenset({"no_grad"})) if enabled is True else (frozenset({"no_grad"}), frozenset())
        if name in T.GRAD_OFF:
            mode = args.get(0, ("mode",))
            return none if mode is not None and const_value(mode, None) is False else (frozenset({"no_grad"}), frozenset())
        if name not in T.AUTOCAST or call is None:
            return none
        enabled = args.get(None, ("enabled",))
        if enabled is not None and const_value(enabled, None) is False:
            return frozenset(), frozenset({"autocast"})
        if enabled is not None and const_value(enabled, None) is not True:
            return none
        if name in T.AUTOCAST_CUDA_ONLY:
            return frozenset({"autocast"}), frozenset()
        device = const_value(args.get(0, ("device_type",)) or unknown("", Cause.OTHER), None)
        return (frozenset({"autocast"}), frozenset()) if device == "cuda" else none

    def sinks(self, body: Tuple[ir.Stmt, ...]) -> "Sinks":
        """Where the names of a body end up (``Sinks``), read once per body."""
        key = id(body)
        if key not in self._sinks:
            self._sinks[key] = _sinks(body)
        return self._sinks[key]

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

    def _exp_log(self, name: str, value: Optional[AbsVal], site: Site) -> AbsVal:
        if name == "log":  # joined over every context; the rules decide
            value = value if value is not None else unknown("log input", Cause.FROM_OUTSIDE)
            previous = self.logs.get(site)
            self.logs[site] = LogOf(site, join((previous.input, value)) if previous else value)
        return _exp_log(name, value)

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

    def _sequential(self, args: Args, site: Site) -> Atom:
        if len(args.positional) == 1 and not args.open:
            (only,) = args.positional
            mappings = [a for a in only if isinstance(a, Mapping)]
            if mappings and len(mappings) == len(only) == 1:
                return Sequence(tuple(v for _, v in mappings[0].items), "sequential", site=site)
        return Sequence(args.positional, "sequential", args.open, site)

    def _ordered_dict(self, args: Args) -> AbsVal:
        items = args.get(0)
        if items is None:
            return of(Mapping(()))
        pairs = []
        for atom in items:
            if not isinstance(atom, Sequence) or atom.open_start:
                return unknown("OrderedDict built at run time", Cause.DYNAMIC_DISPATCH)
            for pair in atom.items:
                key = [a for a in pair if isinstance(a, Sequence) and len(a.items) == 2]
                if len(key) != 1 or len(pair) != 1:
                    return unknown("OrderedDict built at run time", Cause.DYNAMIC_DISPATCH)
                pairs.append((const_value(key[0].items[0], MISSING), key[0].items[1]))
            break
        return of(Mapping(tuple(pairs)))


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


# --- helpers --------------------------------------------------------------------------

_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_", "apply"})
_BUILTINS = frozenset(
    {"super", "getattr", "list", "tuple", "dict", "len", "range", "int", "float", "str", "bool", "print",
     "isinstance", "enumerate", "zip", "sum", "min", "max", "abs", "round", "sorted", "map", "iter", "next",
     "hasattr", "setattr", "type", "open", "repr", "format", "any", "all", "vars", "id", "object"}
)  # fmt: skip


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
            targets: Tuple[ir.Expr, ...] = ()
            if isinstance(stmt, ir.Assign):
                targets = stmt.targets
            elif isinstance(stmt, ir.AugAssign):
                targets = (stmt.target,)
            for target in targets:
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


@dataclass(frozen=True)
class Sinks:
    """Where the names of one body (a function's, or a module's top level) end up: in a
    backward call, or out of the body (returned, stored in an attribute, an item or a
    container). A name assigned from another carries it along (``loss = total / n``
    then ``loss.backward()``: ``total`` feeds the backward)."""

    backward: frozenset = frozenset()
    escaping: frozenset = frozenset()
    calls_backward: bool = False  # the body (its nested blocks too) calls a backward


_STORING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault", "add", "put"})


def _sinks(body: Iterable[ir.Stmt]) -> Sinks:
    backward: set = set()
    escaping: set = set()
    flows: List[Tuple[str, frozenset]] = []
    calls_backward = False
    for stmt in _walk_statements(body):
        if isinstance(stmt, ir.Return) and stmt.value is not None:
            escaping |= _names(stmt.value)
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
    for sink in (backward, escaping):
        grown = True
        while grown:
            before = len(sink)
            for target, sources in flows:
                if target in sink:
                    sink |= sources
            grown = len(sink) > before
    return Sinks(frozenset(backward), frozenset(escaping), calls_backward)


def _names(expr: ir.Expr) -> frozenset:
    return frozenset(node.id for node in _subexpressions(expr) if isinstance(node, ir.Name))


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


def _join_envs(envs: Iterable[Optional[Env]]) -> Optional[Env]:
    live = [e for e in envs if e is not None]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    joined: Env = {}
    for key in set().union(*live):
        values = [e[key] for e in live if key in e]
        first = values[0]
        # most names are untouched by either branch: the very same value, nothing to join
        joined[key] = first if all(v is first for v in values) else join(values)
    return joined


def _args_key(args: Args) -> Tuple[Tuple[str, AbsVal], ...]:
    key = tuple((str(i), v) for i, v in enumerate(args.positional)) + args.keywords
    return key + (("*", of(Const("open"))),) if args.open else key


def _set_attr(atom: Atom, name: str, value: AbsVal) -> AbsVal:
    if isinstance(atom, Instance):
        overrides = tuple((k, v) for k, v in atom.overrides if k != name) + ((name, value),)
        return of(replace(atom, overrides=overrides))
    return of(atom)


def _mark_reassigned(atom: Atom, names: frozenset) -> AbsVal:
    if not isinstance(atom, Instance) or not names:
        return of(atom)
    current = dict(atom.overrides)
    for name in sorted(names):
        reason = unknown(f"'{name}' is also assigned outside __init__", Cause.UNFOLLOWED_STATE)
        current[name] = join((current[name], reason)) if name in current else reason
    return of(replace(atom, overrides=tuple(current.items())))


def _set_item(atom: Atom, index: Any, value: AbsVal) -> AbsVal:
    if isinstance(atom, Sequence) and isinstance(index, int) and not isinstance(index, bool):
        if -len(atom.items) <= index < len(atom.items) and not (atom.open_start and index >= 0):
            items = list(atom.items)
            items[index] = value
            return of(replace(atom, items=tuple(items)))
    if isinstance(atom, Mapping) and index is not MISSING:
        return of(Mapping(tuple((k, v) for k, v in atom.items if k != index) + ((index, value),)))
    if isinstance(atom, (Sequence, Mapping)):
        return unknown("container changed at an unknown index", Cause.LOOP_OR_CONTAINER)
    return of(atom)


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


ModeSwitch = Tuple[frozenset, frozenset]
"""The modes a context manager turns on, and those it turns off."""


def _switched(modes: frozenset, switch: ModeSwitch) -> frozenset:
    on, off = switch
    return (modes - off) | on


def _is_loss(atom: Atom) -> bool:
    return isinstance(atom, Loss) or (isinstance(atom, QualRef) and T.canonical(atom.name) in T.LOSS_FUNCTIONS)


def _arith(op: str, left: AbsVal, right: AbsVal) -> AbsVal:
    losses = _loss_arith(op, left, right)
    if losses is not None:
        return losses
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


def _exp_log(name: str, value: Optional[AbsVal]) -> AbsVal:
    if value is None:
        return unknown("input", Cause.FROM_OUTSIDE)
    out = []
    for atom in value:
        kind = T.EXP_LOG.get((name, atom.kind)) if isinstance(atom, Tensor) else None
        if kind is None:
            return unknown(f"torch.{name}() of values the analysis does not track", Cause.NOT_MODELLED)
        out.append(replace(atom, kind=kind))
    return of(*out)


def _reshaped(atom: Tensor, name: str, args: Args) -> Tensor:
    """Shape-only ops keep the kind; the width survives only while the code shows that
    its axis is untouched (a squeeze, flatten or reshape that may remove or merge it
    makes the width unknown)."""
    if name in ("view", "reshape"):
        size = _size(args)
        if size is None:
            return replace(atom, width=None, axis=None, rank=None)
        last = size[-1] if size else None
        if isinstance(last, int) and last > 0 and not (len(size) == 1 and last == 1):
            return replace(atom, width=last, axis=Axis.LAST, rank=len(size))
        return replace(atom, width=None, axis=None, rank=len(size))
    if name == "flatten":
        start = const_value(args.get(0, ("start_dim",)) or of(Const(0)), None)
        end = const_value(args.get(1, ("end_dim",)) or of(Const(-1)), None)
        return _flattened(atom, start, end)
    if name in ("squeeze", "squeeze_"):
        if args.positional or args.keywords:
            return _squeezed(atom, const_value(args.get(0, ("dim",)) or unknown("", Cause.OTHER), None))
        return _squeezed(atom, "all")
    if name in ("unsqueeze", "unsqueeze_"):
        dim = const_value(args.get(0, ("dim",)) or of(Const(None)), None)
        return _unsqueezed(atom, dim)
    return atom


def _width_index(atom: Tensor) -> Optional[int]:
    """The position of the axis whose width is known, when the rank says it."""
    if atom.width is None or atom.axis is None:
        return None
    if atom.axis is Axis.CHANNEL:
        return 1
    return atom.rank - 1 if atom.rank is not None else None


def _flattened(atom: Tensor, start: Any, end: Any) -> Tensor:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        return replace(atom, width=None, axis=None, rank=None)
    rank = atom.rank
    if rank is None:
        if end == -1 and start in (0, 1):  # (N, *) -> (N*...,) or (N, ...)
            return replace(atom, width=None, axis=None, rank=start + 1)
        if atom.axis is Axis.LAST and end < -1:  # the last axis is not merged
            return replace(atom, rank=None)
        return replace(atom, width=None, axis=None, rank=None)
    first, last = start % max(rank, 1), end % max(rank, 1)
    if last <= first:
        return atom
    merged_rank = rank - (last - first)
    index = _width_index(atom)
    if index is not None and first <= index <= last:
        return replace(atom, width=None, axis=None, rank=merged_rank)
    if atom.axis is Axis.CHANNEL and first < 1:
        return replace(atom, width=None, axis=None, rank=merged_rank)
    return replace(atom, rank=merged_rank)


def _squeezed(atom: Tensor, dim: Any) -> Tensor:
    """``dim`` is "all" for ``squeeze()``, None when not known. Squeezing the axis of
    width 1 removes it; squeezing another axis of unknown size leaves the rank unknown."""
    rank, index = atom.rank, _width_index(atom)
    if dim == "all":
        if atom.width == 1:
            column = rank == 2 and atom.axis is Axis.LAST
            return replace(atom, width=None, axis=None, rank=1 if column else None)  # (N, 1) -> (N,)
        return replace(atom, rank=None, **({} if atom.axis is Axis.LAST else {"width": None, "axis": None}))
    if not isinstance(dim, int) or isinstance(dim, bool):
        return replace(atom, width=None, axis=None, rank=None)
    position = dim % rank if rank else (dim if dim >= 0 else None)
    hits_width = position is not None and index is not None and position == index
    if atom.axis is Axis.LAST and dim == -1:
        hits_width = True
    if hits_width:
        if atom.width == 1:
            return replace(atom, width=None, axis=None, rank=rank - 1 if rank else None)
        return atom  # squeezing an axis wider than 1 changes nothing
    if atom.width is not None and index is None:  # cannot tell which axis goes
        if atom.axis is Axis.LAST and dim < -1:
            return replace(atom, rank=None)
        return replace(atom, width=None, axis=None, rank=None)
    if atom.axis is Axis.CHANNEL and position is not None and position < 1:
        return replace(atom, width=None, axis=None, rank=None)
    return replace(atom, rank=None)


def _unsqueezed(atom: Tensor, dim: Any) -> Tensor:
    if not isinstance(dim, int) or isinstance(dim, bool):
        return replace(atom, width=None, axis=None, rank=None)
    rank = atom.rank
    if dim == -1 or (rank is not None and dim == rank):  # a new last axis of width 1
        return replace(atom, width=1, axis=Axis.LAST, rank=rank + 1 if rank is not None else None)
    new_rank = rank + 1 if rank is not None else None
    if atom.axis is Axis.CHANNEL and 0 <= dim <= 1:
        return replace(atom, width=None, axis=None, rank=new_rank)
    if atom.axis is Axis.LAST and dim < 0 and rank is None:
        return replace(atom, rank=None)
    return replace(atom, rank=new_rank)


def _shaped_as(atom: Tensor, other: Optional[AbsVal]) -> Tensor:
    """``x.view_as(y)``: the shape is ``y``'s, or unknown; never ``x``'s."""
    shapes = {(a.width, a.axis, a.rank) for a in other or () if isinstance(a, Tensor)}
    if other and len(shapes) == 1 and all(isinstance(a, Tensor) for a in other):
        width, axis, rank = shapes.pop()
        return replace(atom, width=width, axis=axis, rank=rank)
    return replace(atom, width=None, axis=None, rank=None)


def _converted_dtype(name: str, args: Args) -> Any:
    """The dtype after ``x.to(...)`` / ``x.type(...)`` / ``x.type_as(t)``: MISSING when
    the call says nothing of the dtype (a device, no argument), None when it gives one
    the analysis does not know."""
    if args.open:
        return None
    if name == "type_as":
        return _dtype_argument(args.get(0, ("other",)) or unknown("", Cause.OTHER), name)
    given = [value for key, value in args.keywords if key in ("dtype", "other")]
    for value in given + list(args.positional):
        dtype = _dtype_argument(value, name)
        if dtype is not MISSING:
            return dtype
    return MISSING


def _dtype_argument(value: AbsVal, method: str) -> Any:
    """What one argument of a conversion says of the dtype: a dtype, a tensor whose dtype
    is taken, a device or flag (MISSING: nothing), or None when it cannot be told."""
    found = set()
    for a in value:
        if isinstance(a, QualRef) and (a.name in T.DTYPES or a.name == T.UNKNOWN_DTYPE):
            found.add(T.DTYPES.get(a.name))
        elif isinstance(a, QualRef) and a.name in T.TYPED_TENSOR_TYPES:
            found.add(T.TYPED_TENSOR_TYPES[a.name])
        elif isinstance(a, Tensor):
            found.add(a.dtype)
        elif isinstance(a, Const) and isinstance(a.value, str) and method == "type":
            found.add(T.TYPED_TENSOR_TYPES.get(a.value))
        elif (isinstance(a, Const) and not isinstance(a.value, str) and method == "to") or a == QualRef(T.DEVICE):
            found.add(MISSING)
        elif isinstance(a, Const) and isinstance(a.value, str):
            found.add(MISSING)  # a device name: "cuda", "cpu"
        else:
            return None
    if len(found) != 1:
        return None
    return found.pop()


def _literal_tensor(args: Args, site: Site) -> AbsVal:
    data = args.get(0, ("data",))
    if data is None or not all(isinstance(a, Sequence) for a in data):
        return unknown("tensor built from data the analysis does not see", Cause.LOOP_OR_CONTAINER)
    numbers: List[float] = []

    def collect(value: AbsVal) -> bool:
        for atom in value:
            if isinstance(atom, Const) and isinstance(atom.value, (int, float)) and not isinstance(atom.value, bool):
                numbers.append(float(atom.value))
            elif isinstance(atom, Sequence) and not atom.open_start:
                if not all(collect(item) for item in atom.items):
                    return False
            else:
                return False
        return True

    if data is None or not collect(data) or not numbers:
        return unknown("literal tensor whose values may be probabilities", Cause.EXPRESSION)
    (sequence,) = data if len(data) == 1 else (None,)
    rank = 1 + _nesting(sequence) if isinstance(sequence, Sequence) else None
    floats = any(isinstance(a.value, float) for a in _constants(data))
    dtype = _dtype_of(args, "float" if floats else "int")
    kind = Kind.UNBOUNDED if any(n < 0 or n > 1 for n in numbers) else None
    return of(Tensor(kind, rank=rank, act=site, dtype=dtype))


def _constants(value: AbsVal) -> Iterable[Const]:
    for atom in value:
        if isinstance(atom, Const):
            yield atom
        elif isinstance(atom, Sequence):
            for item in atom.items:
                yield from _constants(item)


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


def _dtype_of(args: Args, default: Optional[str]) -> Optional[str]:
    given = args.get(None, ("dtype",))
    if given is None:
        return default
    names = {T.DTYPES.get(T.canonical(a.name)) for a in given if isinstance(a, QualRef)}
    return names.pop() if len(names) == 1 and len(given) == 1 else None


def _size(args: Args) -> Optional[Tuple[Any, ...]]:
    """The literal-or-unknown dims of ``f(*size)`` / ``f(size)``; None if not even the rank is known."""
    if args.open:
        return None
    dims: List[Any] = list(args.positional)
    if len(dims) == 1:
        (only,) = dims
        sequences = [a for a in only if isinstance(a, Sequence)]
        if len(sequences) == len(only) == 1 and not sequences[0].open_start:
            dims = list(sequences[0].items)
        elif not isinstance(const_value(only, None), int):
            return None  # a shape (``out.shape``, ``x.size()``) or a value not known: any rank
    return tuple(const_value(d, None) for d in dims)


def _created(kind: Optional[Kind], site: Site, size: Optional[Tuple[Any, ...]], dtype: Optional[str]) -> Tensor:
    if not size:
        return Tensor(kind, act=site, dtype=dtype)
    last = size[-1]
    width = last if isinstance(last, int) and len(size) >= 2 else None
    return Tensor(kind, width, Axis.LAST if width else None, len(size), act=site, dtype=dtype)


def _literal_data_tensor(args: Args, site: Site, dtype: str) -> Tensor:
    """``torch.LongTensor([...])`` and friends: the dtype is the constructor's."""
    data = args.get(0, ("data",))
    rank = None
    if data is not None and len(data) == 1:
        (atom,) = data
        if isinstance(atom, Sequence) and not atom.open_start:
            rank = 1 + _nesting(atom)
    return Tensor(None, rank=rank, act=site, dtype=dtype)


def _nesting(sequence: Sequence) -> int:
    depth = 0
    while sequence.items:
        first = sequence.items[0]
        inner = [a for a in first if isinstance(a, Sequence)]
        if len(inner) != 1 or len(first) != 1:
            break
        sequence, depth = inner[0], depth + 1
    return depth


def _loss_arith(op: str, left: AbsVal, right: AbsVal) -> Optional[AbsVal]:
    """Sums of losses, and losses scaled by numbers, are loss tensors (still on the graph)."""

    def is_loss(value: AbsVal) -> bool:
        return bool(value) and all(isinstance(a, Tensor) and a.kind is Kind.LOSS for a in value)

    def is_number(value: AbsVal) -> bool:
        return isinstance(const_value(value, None), (int, float))

    if op == "+" and is_loss(left) and is_loss(right):
        return join((left, right))
    if op in ("*", "/") and is_loss(left) and is_number(right):
        return left
    if op == "*" and is_number(left) and is_loss(right):
        return right
    return None


def _is_analysed_callable(atom: Atom) -> bool:
    """Calls whose body the interpreter runs: the uses inside are recorded there."""
    return isinstance(atom, (Function, Class, Instance, Super)) or (isinstance(atom, Bound) and atom.function is not None)


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
