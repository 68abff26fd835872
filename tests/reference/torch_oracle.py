"""torch's answer for a parity case: the value, and the gradient for losses."""

from __future__ import annotations

import warnings
from typing import Optional, Tuple

import numpy as np

from tests.reference.cases import LOSSES, Case


def evaluate(case: Case) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    import torch
    import torch.nn.functional as F

    first, *rest = case.args
    x = torch.tensor(first, dtype=torch.float64, requires_grad=case.function in LOSSES)
    tensors = [torch.tensor(a) for a in rest]
    kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in case.kwargs.items()}
    function = getattr(torch, case.function) if case.function == "sigmoid" else getattr(F, case.function)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's note that "mean" is not "batchmean"
        out = function(x, *tensors, **kwargs)
    if case.function not in LOSSES:
        return out.detach().numpy(), None
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()
