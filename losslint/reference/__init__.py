"""A NumPy reference of the losses losslint reasons about.

``losslint.reference`` mirrors ``torch.nn.functional`` (same names, same signatures,
same numbers); ``losslint.reference.grad`` has the analytic gradient of each loss with
respect to its input. The demos of ``losslint --explain`` run on it, so they need
numpy but never torch. ``losslint.reference.keras_losses`` does the same for Keras 3's
cross-entropies (its docstring lists where Keras's semantics differ from torch's).
"""

from losslint.reference import grad
from losslint.reference.functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    log_softmax,
    logsigmoid,
    mse_loss,
    nll_loss,
    sigmoid,
    smooth_l1_loss,
    softmax,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "grad",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "log_softmax",
    "logsigmoid",
    "mse_loss",
    "nll_loss",
    "sigmoid",
    "smooth_l1_loss",
    "softmax",
]
