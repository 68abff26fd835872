"""Objects: attributes of instances, classes, modules and values; methods bound to their receiver."""


from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional, Tuple

from losslint.analysis import ir
from losslint.analysis import tables as T
from losslint.analysis.engine.state import Args, Context
from losslint.analysis.engine.walk import _is_static
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
    ModuleRef,
    QualRef,
    Sequence,
    Super,
    Unknown,
    join,
    of,
    ordered,
    unknown,
)


class Objects:
    """Objects, as methods of the interpreter."""

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
                library = self.library_attribute(atom, name)
                if library is not None:  # a method or attribute of the library base class
                    return library
                return unknown(f"attribute '{name}' of {atom.cls.qualname} is not known", Cause.UNFOLLOWED_STATE)
            return join(self._bind(atom, a, name) for a in ordered(found))
        if isinstance(atom, Super):
            found = self.class_attribute(atom.cls, name, skip_self=True)
            if found is None:
                return unknown(f"super().{name} is not known", Cause.UNFOLLOWED_STATE)
            return join(self._bind(atom.instance, a, name) for a in ordered(found))
        if isinstance(atom, Class):
            found = self.class_attribute(atom, name)
            if found is None or any(isinstance(a, Unknown) for a in found):  # a library base's class method?
                inherited = self.library_class_attribute(atom, name)
                found = inherited if inherited is not None else found
            return found if found is not None else unknown(f"attribute '{name}' of {atom.qualname}", Cause.UNFOLLOWED_STATE)
        library = self.library_attribute(atom, name)
        if library is not None:
            return library
        if isinstance(atom, (Sequence, Mapping, Unknown)):
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
                    if not all(isinstance(a, QualRef) and T.is_model_base(a.name) for a in base):
                        return unknown(f"'{name}' may come from a base class outside the analysed code", Cause.FROM_OUTSIDE)
                order.extend(classes)
        return None

    def is_model_class(self, cls: Class) -> bool:
        return any(T.is_model_base(name) for name in self.library_bases(cls))

    def construct_fields(self, cls: Class, initial: Instance, args: Args, depth: int, modes: frozenset) -> AbsVal:
        """A class built without an ``__init__`` of the analysed code: a dataclass (see
        ``is_dataclass``) has its fields set by the constructor's keywords; positional
        arguments bind fields in declaration order, which the analysis does not keep
        (an annotation without a value is not lowered), so then every attribute the
        keywords do not set is unknown. ``__post_init__`` and the setup method the
        knowledge names for the class's library base run on the result."""
        if not self.is_dataclass(cls):
            return of(initial)
        overrides = dict(initial.overrides)
        if args.positional or args.open:
            for name in self._class_values(cls):
                overrides[name] = unknown(f"'{name}' set by a positional constructor argument", Cause.UNFOLLOWED_STATE)
        overrides.update(args.keywords)
        constructed = of(replace(initial, overrides=tuple(overrides.items())))
        for method in ("__post_init__", self.setup_method(cls)):
            found = self.class_attribute(cls, method) if method else None
            if found is None or not all(isinstance(a, Function) for a in found):
                continue
            parts = []
            for instance in ordered(constructed):
                for function in ordered(found):
                    _, exit_receiver = self.call_function_full(function, Args(), receiver=instance, depth=depth, modes=modes)
                    parts.append(exit_receiver if exit_receiver is not None else of(instance))
            constructed = join(parts)
        return constructed

    def is_dataclass(self, cls: Class) -> bool:
        """Decorated with a dataclass decorator the knowledge names, or a subclass of a
        library base whose subclasses are dataclasses."""
        info = self.classes.get(cls)
        if info is None:
            return False
        env, ctx = self.globals.get(cls.module, {}), Context(cls.module)
        for decorator in info.definition.decorators:
            decorator = decorator.func if isinstance(decorator, ir.Call) else decorator  # @dataclass(frozen=True)
            if any(isinstance(a, QualRef) and T.canonical(a.name) in T.DATACLASS_DECORATORS for a in self.eval(decorator, env, ctx)):
                return True
        return bool(self.library_bases(cls) & T.DATACLASS_BASES)

    def library_bases(self, cls: Class) -> frozenset:
        """The library classes among ``cls``'s bases and theirs, by canonical name."""
        found, seen, order = set(), set(), [cls]
        while order:
            current = order.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            for base in self.classes[current].bases:
                found.update(T.canonical(a.name) for a in base if isinstance(a, QualRef))
                order.extend(a for a in base if isinstance(a, Class))
        return frozenset(found)

    def setup_method(self, cls: Class) -> Optional[str]:
        """The method the class's library base runs to build the module (``setup``), from the knowledge."""
        names = {T.SETUP_METHODS[b] for b in self.library_bases(cls) if b in T.SETUP_METHODS}
        return names.pop() if len(names) == 1 else None

    def _class_values(self, cls: Class) -> list:
        """The attributes the class and its analysed bases set to values (not methods)."""
        names, seen, order = [], set(), [cls]
        while order:
            current = order.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            info = self.classes[current]
            names.extend(
                n for n, v in info.namespace.items()
                if not n.startswith("__") and n not in names and not any(isinstance(a, (Function, Class)) for a in v)
            )
            order.extend(a for base in info.bases for a in base if isinstance(a, Class))
        return names

    def set_path(self, atom: Atom, path: Tuple[Any, ...], value: AbsVal) -> AbsVal:
        """``atom`` with the value at ``path`` (attribute names, integer indices) replaced."""
        first, rest = path[0], path[1:]
        if isinstance(atom, Instance) and isinstance(first, str):
            if not rest:
                return _set_attr(atom, first, value)
            inner = self.getattr(atom, first)
            changed = join(self.set_path(a, rest, value) for a in ordered(inner))
            return of(atom) if changed == inner else _set_attr(atom, first, changed)
        if isinstance(atom, Sequence) and isinstance(first, int):
            if not rest:
                return _set_item(atom, first, value)
            inner = self.subscript(atom, of(Const(first)))
            changed = join(self.set_path(a, rest, value) for a in ordered(inner))
            return of(atom) if changed == inner else _set_item(atom, first, changed)
        if isinstance(atom, (Class, ModuleRef)) and isinstance(first, str) and not rest:
            self._rebind_shared(atom, first, value)
            return of(atom)
        library = self.library_set_path(atom, path, value)
        return library if library is not None else of(atom)

    def _rebind_shared(self, atom: "Class | ModuleRef", name: str, value: AbsVal) -> None:
        """``Config.num_classes = n``, ``config.NUM_CLASSES = n``: an attribute of a class
        or a module assigned from outside. Code may read it before or after, in an order
        the analysis does not follow (entry points, other modules): from then on it holds
        the value it had and the new one, so no rule takes the old one for sure."""
        if isinstance(atom, Class):
            info = self.classes.get(atom)
            namespace = info.namespace if info is not None else None
        else:
            namespace = self.module_globals(atom.path)
        if namespace is not None:
            before = namespace.get(name)
            namespace[name] = join((before, value)) if before is not None else value


def _set_attr(atom: Atom, name: str, value: AbsVal) -> AbsVal:
    if isinstance(atom, Instance):
        overrides = tuple((k, v) for k, v in atom.overrides if k != name) + ((name, value),)
        return of(replace(atom, overrides=overrides))
    return of(atom)


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
