"""What a fix changes: edits at sites, each a transform from a closed set (``Action``),
applied by ``losslint.fixer.transforms``. A leaf module: rules build these, the fixer
reads them, neither imports the other."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Tuple

from losslint.analysis.values import Site


class Action(enum.Enum):
    """The transforms an edit can ask for (``EditTransformer._<value>``)."""

    UNWRAP = "unwrap"  # an activation call becomes its input
    REMOVE_ITEM = "remove_item"  # a layer leaves an nn.Sequential / list of layers
    RENAME = "rename"  # a callee renamed, keeping the user's alias
    ADD_DIM = "add_dim"  # dim= written out
    LOG_OF_SOFTMAX = "log_of_softmax"  # log(softmax(x)) -> log_softmax(x)
    ACCUMULATE_VALUE = "accumulate_value"  # total += loss.item() (or .detach())
    ACCUMULATE_DETACHED = "accumulate_detached"  # total += loss.detach()
    SET_TRUE = "set_true"  # f(...) -> f(..., keyword=True), or keyword=False made True: the keyword
    METHOD_ON_ARGUMENT = "method_on_argument"  # f(x, y) -> f(x.permute(0, 2, 1), y): (position, keyword, method call)


@dataclass(frozen=True)
class Edit:
    """One change of a fix, at a site; ``argument`` parametrises the action."""

    site: Site
    action: Action
    argument: Any = None


@dataclass(frozen=True)
class Fix:
    """The change a careful user would make. Safe fixes keep behaviour (``--fix``);
    unsafe ones change what a model returns or what other code sees (``--unsafe-fixes``)."""

    message: str
    edits: Tuple[Edit, ...]
    safe: bool
