"""The interpreter: runs modules and entry points and assembles the facts. It knows Python; what a library callee does comes from ``losslint.analysis.library`` (and its knowledge tables), the facts rules need beyond loss calls from ``losslint.analysis.observers``."""


from __future__ import annotations

from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis.engine.calls import Calls
from losslint.analysis.engine.expressions import Expressions
from losslint.analysis.engine.functions import Functions
from losslint.analysis.engine.imports import Imports
from losslint.analysis.engine.objects import Objects
from losslint.analysis.engine.state import (
    Args,
    BudgetExhausted,
    ClassInfo,
    Context,
    Env,
    ModeSwitch,
)
from losslint.analysis.engine.statements import Statements
from losslint.analysis.engine.walk import _is_static, _walk_defs
from losslint.analysis.facts import (
    Facts,
)
from losslint.analysis.library import LibraryEffects
from losslint.analysis.models import LibraryModels
from losslint.analysis.modules import ModuleIndex
from losslint.analysis.observers import OPTIONAL_FACTS, Observers
from losslint.analysis.values import (
    AbsVal,
    Atom,
    Cause,
    Class,
    Function,
    Instance,
    join,
    ordered,
    unknown,
)

MEMO_LIMIT = 20_000
"""Memoised calls kept across modules at most (``Interpreter.forget_calls``): they are
dropped only between two modules' runs, never while one runs; a later module may then
evaluate again a call an earlier one had memoised (which costs it steps)."""


class Interpreter(Statements, Imports, Expressions, Objects, Calls, Functions, LibraryEffects, LibraryModels, Observers):
    """Runs lowered modules and collects facts. One instance per analysis run."""

    def __init__(
        self,
        modules: Dict[str, ir.Module],
        budget: int = 400_000,
        local_names: frozenset = frozenset(),
        index: Optional[ModuleIndex] = None,
        loader: Optional[Callable[[str], Optional[ir.Module]]] = None,
        only: Optional[Dict[str, frozenset]] = None,
        optional_facts: FrozenSet[str] = OPTIONAL_FACTS,
    ) -> None:
        self.modules = modules  # path -> IR of the files that can hold findings
        self.local_names = local_names  # top-level module names of the linted tree
        self.index = index or ModuleIndex(modules)
        self.loader = loader  # IR of other linted files, parsed when first imported
        self.only = dict(only or {})  # module -> the module-level functions and classes whose functions run as entry points (all if absent)
        self.imported: Dict[str, ir.Module] = {}
        self.star_sources: Dict[str, List[str]] = {}  # module -> modules it star-imports
        self._importing: set = set()  # lazy imports being looked up
        self.budget = budget
        self.steps = 0
        self.limit = budget  # the step count at which the running module or call stops
        self.call_stack: List[Function] = []  # the analysed functions running, outermost first
        self.active_calls: Dict[Function, List[Tuple[Optional[Atom], Args]]] = {}  # their receivers and arguments
        self.budget_owner: Optional[Function] = None  # the top-level call running on its own budget
        self.budget_notes: List[Tuple[str, str]] = []  # (module, function) of calls stopped at their budget
        self.globals: Dict[str, Env] = {}
        self.definitions: Dict[Tuple[str, str], ir.FunctionDef] = {}
        self.module_definitions: Dict[str, Dict[str, ir.FunctionDef]] = {}  # module -> qualname -> its def, in order
        self.defaults: Dict[Function, Tuple[Optional[AbsVal], ...]] = {}
        self.closures: Dict[int, Tuple[Env, int]] = {}
        self.closure_of: Dict[Tuple[str, str], int] = {}  # nested function -> its latest frame
        self.classes: Dict[Class, ClassInfo] = {}
        self.instances: Dict[Class, Dict[Instance, None]] = {}  # insertion-ordered
        self.memo: Dict[Any, Tuple[AbsVal, Optional[AbsVal]]] = {}
        self.argument_changes: Dict[Any, Dict[Any, AbsVal]] = {}  # memo key -> arguments assigned into
        self.last_argument_changes: Dict[Any, AbsVal] = {}  # of the call that just returned
        self.in_progress: set = set()
        self.evaluated: set = set()
        self.entry_returns: List[Tuple[Function, str, AbsVal]] = []
        self.called_by_code: set = set()  # (module, qualname) of functions analysed code calls
        self._starting_entry = False
        self.function_modes: Dict[Function, Tuple[ModeSwitch, ...]] = {}
        self.start_library()
        self.start_observers(optional_facts)  # those a selected rule reads
        self.exhausted: set = set()  # paths whose analysis ran out of budget or failed
        self.internal_errors: List[Tuple[str, str]] = []  # (path, error) for the user to report

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
                if len(self.memo) > MEMO_LIMIT:
                    self.forget_calls()
                self.steps, self.limit = 0, self.budget
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

    def widen(self, paths: Iterable[str]) -> List[str]:
        """Let every function of these modules run as an entry point (``only`` had
        limited some of them); returns the modules that have more to run."""
        widened = sorted(set(paths) & set(self.only))
        for path in widened:
            del self.only[path]
        return widened

    def forget_calls(self) -> None:
        """Drop the memoised calls between two modules' runs: what a run keeps is then
        bounded by the largest module's analysis, not the whole repository's (on
        one real repository (ignite) the memo held 99,570 calls and 250 MB for one example folder: each
        ``self.x = ...`` makes a new receiver, and every receiver seen stays in a key)."""
        self.memo.clear()
        self.argument_changes.clear()
        self.last_argument_changes = {}

    def _facts(self) -> Facts:
        self._record_escapes()
        key = lambda fact: (fact.site.path, fact.site.ordinal)  # noqa: E731
        return Facts(**self.library_facts(key), **self.observed_facts(key))

    def facts_mark(self) -> Dict[Any, Tuple[AbsVal, AbsVal]]:
        """What the loss calls recorded so far receive, to tell later which ones a call
        stopped at its budget touched."""
        return {site: (acc.input, acc.target) for site, acc in self.loss_calls.items()}

    def facts_abandoned(self, mark: Dict[Any, Tuple[AbsVal, AbsVal]], reason: str) -> None:
        """A call stopped at its budget: the loss calls it recorded or joined into may miss
        the paths it did not finish, so their input and target are not known for sure."""
        stopped = unknown(reason, Cause.LIMITS)
        for site, acc in self.loss_calls.items():
            before = mark.get(site)
            if before is None or before[0] is not acc.input or before[1] is not acc.target:
                acc.input = join((acc.input, stopped))
                acc.target = join((acc.target, stopped))

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
        own = self.module_definitions.setdefault(name, {})
        for stmt in _walk_defs(module.body):
            if isinstance(stmt, ir.FunctionDef):
                self.definitions[(name, stmt.qualname)] = own[stmt.qualname] = stmt
        final = self.exec_block(module.body, env, Context(name, sinks=self.sinks(module.body)))
        if final is not None:
            self.globals[name] = final

    def _run_entries(self, name: str) -> None:
        """Run, with unknown arguments, every function the analysed code never called:
        first those whose name no code calls (roots such as ``main``), then the rest. A
        nested function is never a root: it runs inside its enclosing function, with its
        closure (a ``loss_fn`` passed to ``jax.value_and_grad`` is called by no name)."""
        module = self.modules[name]
        functions = list(self.module_definitions.get(name, {}).values())  # not a scan of every module's
        if name in self.only:
            functions = [d for d in functions if d.qualname.split(".", 1)[0] in self.only[name]]
        roots = [d for d in functions if d.name not in module.called_names and "<locals>" not in d.qualname]
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
        # callers outside pass *args and **kwargs we cannot see: not none
        args = Args(keywords=tuple(keywords), open=any(p.kind in ("varargs", "varkw") for p in params))
        if is_method:
            assert owner is not None
            receivers = list(self.instances.get(owner, ()))
            if not receivers:
                receivers = ordered(self.instantiate(owner, Args(open=True), record=False))
            modes = self.entry_modes(definition.name, owner)
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
                self.observe_use(value, frozenset(), None, f"returned by {name}() to callers the analysis does not see")

    def _owner_class(self, module: str, qualname: str) -> Optional[Class]:
        if "." not in qualname:
            return None
        owner = Class(module, qualname.rsplit(".", 1)[0])
        return owner if owner in self.classes else None

