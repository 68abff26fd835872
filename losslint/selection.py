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
    base: Optional[FrozenSet[str]] = None,
) -> FrozenSet[str]:
    """One layer of selection: ``select`` replaces ``base`` (the default rules unless
    given), then ``extend_select`` adds and ``ignore`` removes."""
    current = expand(select) if select is not None else (base if base is not None else DEFAULTS)
    return (current | expand(extend_select)) - expand(ignore)


DEFAULTS: FrozenSet[str] = frozenset(r.code for r in RULES if r.default)
