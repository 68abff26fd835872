"""What PyTorch names mean to the analysis: layers, activations, losses, shape-only ops.

Pure data plus small lookups keyed by canonical qualified names, so the interpreter
never matches strings against source text: ``from torch.nn import Softmax as S`` and
``torch.nn.modules.activation.Softmax`` both end up as ``torch.nn.Softmax``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from losslint.analysis.values import Axis, Kind

_SUBMODULE = re.compile(r"^torch\.nn\.modules\.[a-z_]+\.")
_ALIASES = {
    "torch.nn.parallel.data_parallel.DataParallel": "torch.nn.DataParallel",
    "torch.nn.parallel.DataParallel": "torch.nn.DataParallel",
    "torch.nn.parallel.distributed.DistributedDataParallel": "torch.nn.parallel.DistributedDataParallel",
    "torch.nn.DistributedDataParallel": "torch.nn.parallel.DistributedDataParallel",
    "torchvision.ops.focal_loss.sigmoid_focal_loss": "torchvision.ops.sigmoid_focal_loss",
    "torch.special.expit": "torch.sigmoid",
    "torch.special.softmax": "torch.softmax",
    "torch.special.log_softmax": "torch.log_softmax",
    "torch.nn.functional.tanh": "torch.tanh",
    "torch.nn.functional.sigmoid": "torch.sigmoid",
    "pytorch_lightning.core.LightningModule": "pytorch_lightning.LightningModule",
    "pytorch_lightning.core.lightning.LightningModule": "pytorch_lightning.LightningModule",
    "lightning.pytorch.core.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.LightningModule": "lightning.pytorch.LightningModule",
    "pytorch_lightning.LightningModule": "lightning.pytorch.LightningModule",
    "lightning.Fabric": "lightning.fabric.Fabric",
    "lightning_fabric.Fabric": "lightning.fabric.Fabric",
    "accelerate.accelerator.Accelerator": "accelerate.Accelerator",
}


def canonical(qualname: str) -> str:
    """The one name the tables below use for a torch object, however it was imported."""
    qualname = _SUBMODULE.sub("torch.nn.", qualname)
    return _ALIASES.get(qualname, qualname)


MODULE_BASES = frozenset({"torch.nn.Module", "lightning.pytorch.LightningModule"})
"""Bases whose subclasses are called through ``forward``."""


# --- losses ------------------------------------------------------------------------


@dataclass(frozen=True)
class LossFamily:
    """How a loss is called and what it expects."""

    name: str  # the display name used in messages
    input_names: Tuple[str, ...]
    target_names: Tuple[str, ...]


LOSS_FAMILIES: Dict[str, LossFamily] = {
    "cross_entropy": LossFamily("CrossEntropyLoss", ("input",), ("target",)),
    "nll_loss": LossFamily("NLLLoss", ("input",), ("target",)),
    "binary_cross_entropy": LossFamily("BCELoss", ("input",), ("target",)),
    "binary_cross_entropy_with_logits": LossFamily("BCEWithLogitsLoss", ("input",), ("target",)),
    "kl_div": LossFamily("KLDivLoss", ("input",), ("target",)),
    "ctc_loss": LossFamily("CTCLoss", ("log_probs",), ("targets",)),
    "multilabel_soft_margin_loss": LossFamily("MultiLabelSoftMarginLoss", ("input",), ("target",)),
    "sigmoid_focal_loss": LossFamily("sigmoid_focal_loss", ("inputs",), ("targets",)),
}

LOSS_CLASSES = {
    "torch.nn.CrossEntropyLoss": "cross_entropy",
    "torch.nn.NLLLoss": "nll_loss",
    "torch.nn.BCELoss": "binary_cross_entropy",
    "torch.nn.BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "torch.nn.KLDivLoss": "kl_div",
    "torch.nn.CTCLoss": "ctc_loss",
    "torch.nn.MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
}

LOSS_FUNCTIONS = {
    "torch.nn.functional.cross_entropy": "cross_entropy",
    "torch.nn.functional.nll_loss": "nll_loss",
    "torch.nn.functional.binary_cross_entropy": "binary_cross_entropy",
    "torch.nn.functional.binary_cross_entropy_with_logits": "binary_cross_entropy_with_logits",
    "torch.binary_cross_entropy_with_logits": "binary_cross_entropy_with_logits",
    "torch.nn.functional.kl_div": "kl_div",
    "torch.nn.functional.ctc_loss": "ctc_loss",
    "torch.nn.functional.multilabel_soft_margin_loss": "multilabel_soft_margin_loss",
    "torchvision.ops.sigmoid_focal_loss": "sigmoid_focal_loss",
}

CLASS_INDEX_LOSSES = frozenset({"cross_entropy", "nll_loss"})
LOGITS_LOSSES = frozenset(
    {"binary_cross_entropy_with_logits", "multilabel_soft_margin_loss", "sigmoid_focal_loss"}
)


# --- layers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation: its output kind, and for softmax-like ones where ``dim`` goes."""

    kind: Kind
    dim_param: Optional[Tuple[int, str]] = None  # (position, keyword) of ``dim``
    implicit_dim: bool = False  # torch accepts a missing dim and guesses it


_RELU_LIKE = (
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "ReLU6", "Softplus", "PReLU", "SELU",
    "CELU", "Mish", "Hardswish", "RReLU",
)  # fmt: skip

ACTIVATION_LAYERS: Dict[str, Activation] = {
    "torch.nn.Sigmoid": Activation(Kind.SIGMOID),
    "torch.nn.Hardsigmoid": Activation(Kind.SIGMOID),
    "torch.nn.Softmax": Activation(Kind.SOFTMAX, (0, "dim"), implicit_dim=True),
    "torch.nn.Softmin": Activation(Kind.SOFTMAX, (0, "dim"), implicit_dim=True),
    "torch.nn.LogSoftmax": Activation(Kind.LOG_SOFTMAX, (0, "dim"), implicit_dim=True),
    "torch.nn.LogSigmoid": Activation(Kind.LOGSIGMOID),
    "torch.nn.Tanh": Activation(Kind.TANH),
    "torch.nn.Hardtanh": Activation(Kind.TANH),
    **{f"torch.nn.{name}": Activation(Kind.RELU) for name in _RELU_LIKE},
}

ACTIVATION_FUNCTIONS: Dict[str, Activation] = {
    "torch.sigmoid": Activation(Kind.SIGMOID),
    "torch.nn.functional.hardsigmoid": Activation(Kind.SIGMOID),
    "torch.softmax": Activation(Kind.SOFTMAX, (1, "dim")),
    "torch.nn.functional.softmax": Activation(Kind.SOFTMAX, (1, "dim"), implicit_dim=True),
    "torch.nn.functional.softmin": Activation(Kind.SOFTMAX, (1, "dim"), implicit_dim=True),
    "torch.log_softmax": Activation(Kind.LOG_SOFTMAX, (1, "dim")),
    "torch.nn.functional.log_softmax": Activation(Kind.LOG_SOFTMAX, (1, "dim"), implicit_dim=True),
    "torch.nn.functional.logsigmoid": Activation(Kind.LOGSIGMOID),
    "torch.tanh": Activation(Kind.TANH),
    "torch.nn.functional.hardtanh": Activation(Kind.TANH),
    "torch.relu": Activation(Kind.RELU),
    **{
        f"torch.nn.functional.{name}": Activation(Kind.RELU)
        for name in ("relu", "leaky_relu", "elu", "gelu", "silu", "relu6", "softplus", "selu", "celu", "mish", "hardswish")
    },
}

ACTIVATION_METHODS: Dict[str, Activation] = {
    "sigmoid": Activation(Kind.SIGMOID),
    "softmax": Activation(Kind.SOFTMAX, (0, "dim")),
    "log_softmax": Activation(Kind.LOG_SOFTMAX, (0, "dim")),
    "tanh": Activation(Kind.TANH),
    "relu": Activation(Kind.RELU),
}


@dataclass(frozen=True)
class WidthLayer:
    """A layer whose output width is one of its constructor arguments."""

    width_param: Tuple[int, str]
    axis: Axis


_CONV = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
WIDTH_LAYERS: Dict[str, WidthLayer] = {
    "torch.nn.Linear": WidthLayer((1, "out_features"), Axis.LAST),
    "torch.nn.LazyLinear": WidthLayer((0, "out_features"), Axis.LAST),
    "torch.nn.Bilinear": WidthLayer((2, "out_features"), Axis.LAST),
    **{f"torch.nn.{name}": WidthLayer((1, "out_channels"), Axis.CHANNEL) for name in _CONV},
    **{f"torch.nn.Lazy{name}": WidthLayer((0, "out_channels"), Axis.CHANNEL) for name in _CONV},
}

NORM_LAYERS = frozenset(
    f"torch.nn.{name}"
    for name in (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RMSNorm",
    )
)  # fmt: skip
"""Unbounded outputs of the same width: logits when they end a model."""

TRANSPARENT_LAYERS = frozenset(
    f"torch.nn.{name}"
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "Identity", "Unflatten")
)
FLATTEN_LAYER = "torch.nn.Flatten"

SEQUENTIAL = "torch.nn.Sequential"
MODULE_CONTAINERS = frozenset({"torch.nn.ModuleList"})
ORDERED_DICT = frozenset({"collections.OrderedDict", "typing.OrderedDict"})

WRAPPERS = frozenset(
    {
        "torch.nn.DataParallel",
        "torch.nn.parallel.DistributedDataParallel",
        "torch.compile",
        "torch.jit.script",
        "torch.jit.trace",
    }
)
"""Calls that return their first argument, behaving the same when called."""


# --- tensor operations ---------------------------------------------------------------

SHAPE_METHODS = frozenset(
    {
        "squeeze", "squeeze_", "unsqueeze", "view", "reshape", "flatten", "float", "double",
        "half", "bfloat16", "cuda", "cpu", "contiguous", "detach", "clone", "requires_grad_",
        "unsqueeze_",
    }
)  # fmt: skip
"""Tensor methods after which the values are the same numbers (so the same kind)."""

IN_PLACE_RESHAPES = frozenset({"squeeze_", "unsqueeze_", "t_", "transpose_", "swapdims_", "swapaxes_", "resize_", "resize_as_"})
"""Methods that change the receiver's shape in place: the receiver becomes the result."""

CONVERSIONS = frozenset({"to", "type", "type_as"})
"""Methods that may change the dtype: the result has the dtype their arguments give, and
an unknown one when the arguments do not say it (never the source's)."""
SHAPE_AS = frozenset({"view_as", "reshape_as", "expand_as"})
"""Methods giving the receiver the shape of their argument."""

SHAPE_FUNCTIONS = {
    "torch.squeeze": "squeeze",
    "torch.unsqueeze": "unsqueeze",
    "torch.flatten": "flatten",
    "torch.reshape": "reshape",
}

CLAMP = frozenset({"clamp", "clamp_", "clip", "clip_"})
"""Clamping keeps probabilities probabilities; anything else stops being known."""

EXP_LOG = {
    ("exp", Kind.LOG_SOFTMAX): Kind.SOFTMAX,
    ("exp", Kind.LOGSIGMOID): Kind.SIGMOID,
    ("log", Kind.SOFTMAX): Kind.LOG_SOFTMAX,
    ("log", Kind.SIGMOID): Kind.LOGSIGMOID,
}
EXP_LOG_FUNCTIONS = {"torch.exp": "exp", "torch.log": "log"}

RANDOM_UNBOUNDED = frozenset({"torch.randn", "torch.randn_like"})
LITERAL_TENSORS = frozenset({"torch.tensor", "torch.Tensor", "torch.FloatTensor", "torch.as_tensor"})


# --- dtypes and tensor creation -----------------------------------------------------

DTYPES = {
    **{f"torch.{n}": "int" for n in ("long", "int64", "int", "int32", "int16", "short", "int8", "uint8")},
    **{f"torch.{n}": "float" for n in ("float", "float32", "float64", "double", "half", "float16", "bfloat16")},
    "torch.bool": "bool",
}
DTYPE_NAMES = {"int": "torch.int64", "float": "torch.float32", "bool": "torch.bool"}
"""What ``t.dtype`` is for a tensor of each known dtype."""
UNKNOWN_DTYPE = "torch.dtype"
"""``t.dtype`` of a tensor whose dtype is not known: a dtype, but not which."""
DTYPE_FUNCTIONS = {"torch.get_default_dtype": "torch.float32"}
DEVICE = "torch.device#instance"
"""A device (``torch.device(...)``, ``t.device``): moving to it keeps the dtype."""
DEVICE_FUNCTIONS = frozenset({"torch.device"})
DEVICE_ATTRIBUTES = frozenset({"device"})
DTYPE_METHODS = {
    "long": "int", "int": "int", "short": "int", "byte": "int",
    "float": "float", "double": "float", "half": "float", "bfloat16": "float",
    "bool": "bool",
}  # fmt: skip

SIZED_CREATION = {
    "torch.zeros": "float", "torch.ones": "float", "torch.empty": "float",
    "torch.rand": "float", "torch.randn": "float",
}  # fmt: skip
"""Creation functions taking ``*size`` (or one size tuple), and their default dtype."""

TYPED_TENSORS = {"torch.LongTensor": "int", "torch.IntTensor": "int", "torch.FloatTensor": "float",
                 "torch.DoubleTensor": "float", "torch.BoolTensor": "bool"}  # fmt: skip
TYPED_TENSOR_TYPES = {**TYPED_TENSORS, **{n.replace("torch.", "torch.cuda."): d for n, d in TYPED_TENSORS.items()}}
"""What ``x.type(T)`` converts to: the CPU and CUDA tensor types."""
ONE_HOT = "torch.nn.functional.one_hot"
LIKE_CREATION = frozenset({"torch.zeros_like", "torch.ones_like", "torch.empty_like", "torch.rand_like", "torch.full_like"})

GRAD_OFF = frozenset({"torch.no_grad", "torch.inference_mode"})
GRAD_ON = frozenset({"torch.enable_grad"})
NO_GRAD_HOOKS = frozenset({"validation_step", "test_step", "predict_step"})
"""Model methods a framework (Lightning) calls with gradients off, when no analysed code calls them."""
GRAD_SWITCHES = frozenset({"torch.set_grad_enabled"})
"""Context managers whose first argument (``mode``) says whether gradients are on."""
AUTOCAST = frozenset({"torch.autocast", "torch.amp.autocast", "torch.cuda.amp.autocast", "torch.amp.autocast_mode.autocast"})
LOG_FUNCTIONS = frozenset({"torch.log"})


# --- training frameworks whose wrappers hand the model back -------------------------

LAUNCHERS = frozenset({"lightning.fabric.Fabric", "accelerate.Accelerator"})
"""Classes whose instances wrap models without changing what they compute."""
INSTANCE = "#instance"  # QualRef suffix for an instance of a launcher class
PASS_THROUGH_METHODS = frozenset({"setup", "setup_module", "prepare", "prepare_model"})
"""Launcher methods returning their arguments: one argument alone, several as a tuple."""
EMBEDDING = "torch.nn.Embedding"  # (*) indices -> (*, embedding_dim) features
APPLY_MODULE = "torch.nn.parallel.data_parallel"  # data_parallel(module, inputs): module(inputs)


_SHORT_PREFIXES = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."), ("Tensor.", "Tensor."))


def display_name(qualname: str) -> str:
    """``torch.nn.functional.softmax`` -> ``F.softmax``; ``torch.nn.Softmax`` -> ``nn.Softmax()``."""
    for prefix, short in _SHORT_PREFIXES:
        if qualname.startswith(prefix):
            name = short + qualname[len(prefix):]
            return name + "()" if short == "nn." else name
    return qualname


SHAPE_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim", "is_cuda", "requires_grad", "size", "dim", "numel"})
"""Tensor attributes (and methods, before they are called) that do not depend on values."""
ORDER_PRESERVING_ALONG = frozenset({"argmax", "argmin", "argsort"})
ORDER_PRESERVING = ORDER_PRESERVING_ALONG | {"size", "dim", "numel", "ndimension"}
"""Calls whose result is the same on an activation's input as on its output: shapes never
change, and argmax-like calls give the same indices (for a softmax, along its own dim
only): a fix may remove the activation under them."""
