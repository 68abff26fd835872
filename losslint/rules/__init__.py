"""The rule registry: every ``llNNN_*.py`` module in this package defines one ``RULE``.

A new rule is one new module here; nothing else needs to list it.
"""

import importlib
import pkgutil
from typing import Dict, List

from losslint.rules.base import Rule

RULES: List[Rule] = sorted(
    (
        importlib.import_module(f"{__name__}.{module.name}").RULE
        for module in pkgutil.iter_modules(__path__)
        if module.name.startswith("ll")
    ),
    key=lambda rule: rule.code,
)
BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in RULES}
