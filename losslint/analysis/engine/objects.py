"""Objects: attributes of instances, classes, modules and values; methods bound to their receiver."""


from __future__ import annotations

from typing import Optional

from losslint.analysis import tables as T
from losslint.analysis.engine.state import Args
from losslint.analysis.engine.walk import _is_static
from losslint.analysis.values import (
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
        seen, order = set(), [cls]
        while order:
            current = order.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            for base in self.classes[current].bases:
                for atom in base:
                    if isinstance(atom, QualRef) and T.is_model_base(atom.name):
                        return True
                    if isinstance(atom, Class):
                        order.append(atom)
        return False

