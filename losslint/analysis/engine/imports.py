"""Imports: a linted module, a lazily looked-up name, a star import, or a library's qualified name."""


from __future__ import annotations

from typing import Optional

from losslint.analysis import ir
from losslint.analysis import tables as T
from losslint.analysis.engine.state import Context, Env
from losslint.analysis.engine.walk import _declared_all
from losslint.analysis.values import (
    AbsVal,
    Cause,
    LazyImport,
    ModuleRef,
    QualRef,
    join,
    of,
    ordered,
    unknown,
)


class Imports:
    """Imports, as methods of the interpreter."""

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
        if path is None and stmt.name != "*":  # a module of a package without __init__.py
            submodule = self.index.resolve(ctx.module, f"{stmt.module}.{stmt.name}", stmt.level)
            if submodule is not None:
                env[stmt.asname or stmt.name] = of(ModuleRef(submodule))
                return
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
        for a in value:  # a plain loop: this runs for every name looked up
            if type(a) is LazyImport:
                break
        else:
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

