"""Which rules run: ``--select`` / ``--extend-select`` / ``--ignore`` with codes,
prefixes (``LL1``) or ``ALL``, as in ruff."""

from __future__ import annotations

from typing import FrozenSet, Iterable, Optional

from losslint.rules import RULES


class SelectionError(ValueError):
    """A selector that names no rule."""


def expand(selectors: Iterable[str]) -> FrozenSet[str]:
    codes = set()
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector == "ALL":
            codes.update(rule.code for rule in RULES)
            continue
        matched = {rule.code for rule in RULES if rule.code.startswith(selector)}
        if not matched:
            raise SelectionError(f"unknown rule selector '{raw.strip()}'")
        codes |= matched
    return frozenset(codes)


def resolve(
    select: Optional[Iterable[str]] = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> FrozenSet[str]:
    """The selected codes: ``select`` (or the defaults) plus ``extend_select`` minus ``ignore``."""
    base = expand(select) if select is not None else frozenset(r.code for r in RULES if r.default)
    return (base | expand(extend_select)) - expand(ignore)
