"""Fuzz losslint with generated programs and mutated training scripts.

    python benchmarks/fuzz.py --count 20000 --seed 1        # the long run
    python benchmarks/fuzz.py --count 500 --seed 7 --fix-every 2

Inputs come from a seeded ``random.Random``, so a seed and a count name the same
inputs on every machine (tests/test_fuzz.py runs a few hundred of them):

- ``program``: a random training script or module (models, losses, activations,
  control flow, functions, classes, comprehensions, async code...), sometimes two or
  three files importing each other; mostly valid, sometimes not;
- ``mutant``: a real script of examples/ or a project of tests/fixtures/projects
  with lines deleted, duplicated, shuffled, re-indented, truncated, random bytes or
  characters inserted, the encoding changed, deep nesting or a long ``elif`` chain
  wrapped around a part of it, a statement the compiler refuses inserted;
- ``deep``: one construct repeated on both sides of what CPython compiles (``elif``
  chains, unary operators, attributes, calls, conditional expressions, brackets,
  nested blocks, indentation), or a file over the size limit;
- ``notebook``: the above as a notebook's cells, with IPython syntax, and half of
  them corrupted (JSON truncated or nested 100,000 deep, a cell's source not a
  string, no cell list, invalid UTF-8, lone surrogates, ...);
- ``noise``: random bytes or a soup of Python tokens.

Each batch of inputs is written to a folder and linted by one ``losslint --no-cache
--select ALL --output-format json`` process, two of its inputs also from standard
input; every ``--fix-every``th batch also by ``--fix --unsafe-fixes`` on a copy (its
inputs nest at most ``SHALLOW`` levels), every ``--api-every``th through the API
(``runner.lint`` on the sources in memory, every reporter, the fixes): a batch passes
when the exit status is 0 or 1, standard error holds no traceback and no internal
error, the JSON parses, a Python file has an LL000 exactly when CPython does not
compile it (``check_ll000``) and every file the fixes changed still compiles. A failing
batch is saved under ``--out`` with its output, and its inputs are run one by one to
name the ones that fail alone; the summary groups the problems by ``signature``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "examples", ROOT / "tests" / "fixtures" / "projects")

KINDS = (("program", 30), ("mutant", 35), ("deep", 8), ("notebook", 20), ("noise", 7))

SHALLOW = 120
"""How deep a ``shallow`` fuzzer nests: the fixer's libcst walks its tree recursively
and fails (a KeyError out of PositionProvider, after a RecursionError) at about 320
nested ``elif``, unary operators or calls, 140 nested lists; the ``--fix`` batches of
the test stay below that until the fixer handles it (``--deep-fixes`` does not)."""


@dataclass
class Unit:
    """One input: a file, or a few files of one project (relative path -> bytes)."""

    kind: str
    files: Dict[str, bytes]
    note: str = ""  # what was done to it


@dataclass
class Project:
    """A real project to mutate: its files (relative path -> text)."""

    name: str
    files: Dict[str, str]


def corpus(sources: Sequence[Path] = SOURCES) -> List[Project]:
    """examples/ one script at a time; each folder of tests/fixtures/projects whole."""
    projects: List[Project] = []
    for source in sources:
        if source.name == "examples":
            for path in sorted(source.glob("*.py")):
                projects.append(Project(path.stem, {path.name: path.read_text(encoding="utf-8")}))
        else:
            for folder in sorted(p for p in source.iterdir() if p.is_dir()):
                files = {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py"))}
                if files:
                    projects.append(Project(folder.name, files))
    return projects


# --- generated programs ---------------------------------------------------------------

NAMES = ("x", "y", "h", "z", "out", "logits", "probs", "target", "labels", "loss", "p", "q", "scores", "batch", "mask")
MODULES = ("model", "criterion", "net", "self.model", "self.head", "self.fc", "self.act", "encoder")
LOSS_LAYERS = (
    "nn.CrossEntropyLoss()",
    "nn.CrossEntropyLoss(label_smoothing=0.1)",
    "nn.NLLLoss()",
    "nn.BCELoss()",
    "nn.BCEWithLogitsLoss(pos_weight=w)",
    "nn.KLDivLoss(reduction='batchmean')",
    "nn.CTCLoss()",
    "nn.MultiLabelSoftMarginLoss()",
    "nn.MSELoss()",
    "torch.nn.CrossEntropyLoss(reduction='none')",
)
LOSS_FUNCTIONS = (
    "F.cross_entropy",
    "F.nll_loss",
    "F.binary_cross_entropy",
    "F.binary_cross_entropy_with_logits",
    "F.kl_div",
    "F.ctc_loss",
    "torchvision.ops.sigmoid_focal_loss",
    "F.mse_loss",
)
WRAPPERS = (
    "F.softmax({}, dim=1)",
    "F.softmax({}, dim=-1)",
    "F.softmax({})",
    "F.log_softmax({}, dim=1)",
    "torch.softmax({}, 1)",
    "torch.sigmoid({})",
    "{}.sigmoid()",
    "{}.softmax(dim=-1)",
    "{}.log_softmax(1)",
    "nn.Softmax(dim=1)({})",
    "nn.Sigmoid()({})",
    "torch.log({})",
    "{}.log()",
    "torch.exp({})",
    "{}.clamp(min=1e-7)",
    "{}.clamp(1e-6, 1 - 1e-6)",
    "{}.detach()",
    "{}.data",
    "{}.float()",
    "{}.half()",
    "{}.long()",
    "{}.to(device)",
    "{}.squeeze()",
    "{}.squeeze(1)",
    "{}.unsqueeze(0)",
    "{}.view(-1)",
    "{}.view_as(y)",
    "{}.reshape(-1, 3)",
    "{}.flatten(1)",
    "{}[:, 0]",
    "{}[..., 1]",
    "{}.argmax(1)",
    "{}.sum()",
    "{}.mean(0)",
    "{}.item()",
    "(1 - {})",
    "(-{})",
    "({} * 2)",
    "({} / {}.sum(1, keepdim=True))",
    "({} @ W)",
    "torch.cat([{}, {}], 1)",
    "torch.stack([{}])",
    "({}, 1)[0]",
    "[{}][0]",
    "{{'a': {}}}['a']",
    "getattr(torch, 'sigmoid')({})",
    "{}.cuda()",
    "{}.T",
    "{}.max(1)[0]",
    "{}.topk(2).values",
)
LAYERS = (
    "nn.Linear({}, {})",
    "nn.Conv2d(3, {}, 3)",
    "nn.Sequential(nn.Linear({}, {}), nn.ReLU(), nn.Linear({}, {}))",
    "nn.Sequential(nn.Linear({}, {}), nn.Softmax(dim=1))",
    "nn.Sequential(nn.Linear({}, {}), nn.Sigmoid())",
    "nn.Sequential(nn.Linear({}, 1), nn.Sigmoid())",
    "nn.LogSoftmax(dim=1)",
    "nn.Softmax()",
    "nn.Identity()",
    "nn.ModuleList([nn.Linear({}, {}) for _ in range(3)])",
    "nn.ModuleDict({{'a': nn.Linear({}, {})}})",
    "torchvision.models.resnet18(num_classes={})",
)
IMPORTS = (
    "import torch",
    "import torch.nn as nn",
    "import torch.nn.functional as F",
    "from torch import nn",
    "from torch.nn import functional as F",
    "import torchvision",
    "import numpy as np",
    "from torch.nn import CrossEntropyLoss, BCELoss",
    "import math, os, sys",
    "from functools import partial",
    "import pytorch_lightning as pl",
    "from . import helpers",
    "from .models import *",
)


IDIOMS = (
    "criterion = getattr(nn, 'CrossEntropyLoss')()",
    "loss_fn = functools.partial(F.cross_entropy, reduction='sum')\nloss = loss_fn(F.softmax(x, dim=1), y)",
    "losses = {'ce': nn.CrossEntropyLoss(), 'bce': nn.BCELoss()}\nloss = losses[name](out, y)",
    "for m in model.modules():\n    m.register_forward_hook(hook)",
    "model.apply(init)",
    "out = model(*batch)",
    "out = model(**inputs)",
    "x, *rest = model(x)",
    "(a, b), c = model(x), y",
    "out = torch.utils.checkpoint.checkpoint(model, x)",
    "with torch.cuda.amp.autocast(enabled=True):\n    out = model(x)\n    loss = criterion(out, y)",
    "scaler.scale(loss).backward()",
    "loss = sum(criterion(o, y) for o in outs)",
    "loss = torch.stack([criterion(o, y) for o in outs]).mean()",
    "loss = criterion(out.view(-1, out.size(-1)), y.view(-1))",
    "probs = out.softmax(-1)\nloss = -(y * probs.log()).sum(1).mean()",
    "loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()",
    "loss = F.nll_loss(torch.log(F.softmax(out, 1) + 1e-8), y)",
    "class Wrapper(nn.Module):\n    def __init__(self, inner):\n        super().__init__()\n        self.inner = inner\n    def forward(self, *args, **kw):\n        return self.inner(*args, **kw).softmax(1)\nmodel = Wrapper(Net())",
    "model.forward = lambda x: x.softmax(1)",
    "setattr(model, 'head', nn.Softmax(1))",
    "model.head = nn.Sequential(model.head, nn.Softmax(dim=1))",
    "nn.Module.__init__(self)",
    "super(Net, self).__init__()",
    "del model.head",
    "out = model.module(x)",
    "model = nn.DataParallel(model)",
    "model = torch.compile(model)",
    "loss = criterion(*map(torch.sigmoid, (out, y)))",
    "loss = criterion(input=out, target=y)",
    "loss = criterion(target=y, input=F.softmax(out, dim=1))",
    "loss = nn.CrossEntropyLoss(weight=torch.ones(3))(F.log_softmax(out, 1), y)",
    "loss = nn.BCELoss()(torch.sigmoid(out).squeeze(), y.float())",
    "loss.backward(retain_graph=True)",
    "total_loss += loss.detach()",
    "losses.append(loss)\nloss = torch.mean(torch.stack(losses))",
    "class Loss(nn.Module):\n    def forward(self, a, b):\n        return F.cross_entropy(a.softmax(1), b)\nloss = Loss()(out, y)",
    "class Meta(type):\n    pass\nclass Odd(nn.Module, metaclass=Meta):\n    pass",
    "class A(B, C, *mixins, **options):\n    pass",
    "@dataclasses.dataclass\nclass Config:\n    loss: str = 'ce'\n    dim: int = 1",
    "def recurse(x):\n    return recurse(x.softmax(1))\nloss = F.cross_entropy(recurse(out), y)",
    "class Loop(nn.Module):\n    def forward(self, x):\n        return self.forward(x)\nloss = F.nll_loss(Loop()(x), y)",
    "x[0], x[1] = F.softmax(out, 1), y",
    "import torch.nn.functional as F; F = None",
    "nn = torch.nn; F = nn.functional",
    "from torch.nn import *\nfrom torch.nn.functional import *\ncriterion = CrossEntropyLoss()\nloss = cross_entropy(softmax(out, dim=1), y)",
    "globals()['loss'] = criterion(out, y)",
    "exec('loss = 1')",
    "while True:\n    loss = criterion(F.softmax(model(x), 1), y)\n    if loss < 1:\n        break",
    "try:\n    loss = criterion(out, y)\nexcept RuntimeError:\n    loss = criterion(out.softmax(1), y)\nelse:\n    pass\nfinally:\n    del out",
    "with torch.autocast('cuda', enabled=False), torch.no_grad():\n    loss = F.binary_cross_entropy(torch.sigmoid(out), y)",
    "lambda_loss = lambda o, t: F.cross_entropy(o.softmax(1), t)\nloss = lambda_loss(out, y)",
    "outs = [m(x) for m in models]\nloss = sum(F.cross_entropy(F.softmax(o, 1), y) for o in outs)",
    "model = nn.Sequential(*[nn.Linear(3, 3) for _ in range(3)], nn.Softmax(dim=1))",
    "model = nn.Sequential(OrderedDict([('fc', nn.Linear(4, 3)), ('act', nn.Softmax(1))]))",
    "layers = []\nlayers.append(nn.Softmax(dim=1))\nmodel = nn.Sequential(*layers)",
    "model.add_module('act', nn.Softmax(dim=1))",
    "model[0] = nn.Sigmoid()",
    "model = model[:-1]",
    "out = model(x).logits",
    "out = model(x)['logits']",
    "out, aux = model(x)",
    "loss = F.cross_entropy(out, y, label_smoothing=0.1) + 0.4 * F.cross_entropy(aux, y)",
    "loss = F.kl_div(F.softmax(s, 1), F.softmax(t, 1), reduction='batchmean')",
    "loss = F.ctc_loss(out.softmax(2), y, il, tl)",
    "loss = F.binary_cross_entropy_with_logits(torch.sigmoid(out), y)",
    "loss = F.binary_cross_entropy(out.clamp(0, 1), y)",
    "loss = nn.NLLLoss()(out.log_softmax(1).exp().log(), y)",
    "out = out.float().softmax(1).half()",
    "with torch.autocast('cuda'):\n    with torch.autocast('cuda', enabled=False):\n        loss = F.binary_cross_entropy(torch.sigmoid(out.float()), y)",
    "loss = criterion(out, y).sum() / len(y)",
    "return criterion(out, y).item()",
    "loss = loss.data",
    "loss = loss.detach().requires_grad_()",
    "if isinstance(out, tuple):\n    out = out[0]",
    "assert out.dim() == 2, out.shape",
    "print(f'{loss=} {out.softmax(1)=}')",
    "type(self).forward(self, x)",
    "self.__class__.__name__",
    "Net.forward(model, x)",
    "staticmethod(lambda: 1)",
    "def gen():\n    yield F.softmax(x, 1)\nloss = F.cross_entropy(next(gen()), y)",
    "def deco(f):\n    return f\n@deco\ndef forward(x):\n    return x.softmax(1)",
    "x = y = z = F.softmax(out, dim=1)",
    "x: torch.Tensor = F.softmax(out, dim=1)",
    "x: int",
    "(x := F.softmax(out, 1)).sum()",
    "loss = criterion(out, y) if training else None",
    "async def astep(x):\n    async with lock:\n        return await model(x)",
)


class Fuzzer:
    """Deterministic inputs from one seed (``random.Random``, never ``hash``)."""

    def __init__(self, seed: int, projects: Optional[List[Project]] = None, shallow: bool = False) -> None:
        self.random = random.Random(seed)
        self.projects = corpus() if projects is None else projects
        self.count = 0
        self.shallow = shallow  # nest at most SHALLOW levels (see SHALLOW)
        self._formatting = False
        self._comprehension = 0
        self._functions = 0

    # --- driver -------------------------------------------------------------------

    def units(self, count: int, kinds: Sequence[Tuple[str, int]] = KINDS) -> Iterator[Unit]:
        names = [name for name, _ in kinds]
        weights = [weight for _, weight in kinds]
        for _ in range(count):
            self.count += 1
            kind = self.random.choices(names, weights)[0]
            yield getattr(self, kind)()

    # --- programs -------------------------------------------------------------------

    def program(self) -> Unit:
        r = self.random
        if r.random() < 0.3:  # a little project: a model module and a script importing it
            model = self.program_text(r.randint(2, 8), exports=True)
            train = "from model import *\nimport model as M\n" + self.program_text(r.randint(2, 8))
            files = {"model.py": model, "train.py": train}
            if r.random() < 0.3:
                files["model.py"] = "from train import *\n" + model  # an import cycle
            return Unit("program", {k: v.encode() for k, v in files.items()}, "project")
        return Unit("program", {"script.py": self.program_text(r.randint(2, 12)).encode()})

    def program_text(self, size: int, exports: bool = False) -> str:
        r = self.random
        lines = r.sample(IMPORTS[:8], r.randint(0, 6)) + ([r.choice(IMPORTS[8:])] if r.random() < 0.3 else [])
        body: List[str] = []
        if exports or r.random() < 0.6:
            body.extend(self.model_class(r.choice(("Net", "Model", "Classifier", "Head"))))
        for _ in range(size):
            body.extend(self.statement(0, "module", 2))
        if r.random() < 0.7:
            body.extend(self.train_function())
        if r.random() < 0.4:
            body.extend(["", "if __name__ == '__main__':", "    main()" if r.random() < 0.5 else "    train(Net(), loader)"])
        return "\n".join(lines + [""] + body) + "\n"

    def name(self) -> str:
        return self.random.choice(NAMES)

    def layer(self) -> str:
        r = self.random
        template = r.choice(LAYERS)
        return template.format(*(r.choice(("1", "2", "3", "10", "num_classes", "d", "in_features")) for _ in range(4)))

    def expr(self, depth: int, scope: str = "module") -> str:  # noqa: C901 - one dispatch
        r = self.random
        if depth <= 0 or r.random() < 0.25:
            return r.choice(
                NAMES
                + ("torch.randn(8, 3)", "torch.randint(0, 3, (8,))", "torch.rand(8, 1)", "(1)", "(0.5)", "None", "'cuda'", "...")
            )
        choice = r.randrange(16)
        sub = lambda: self.expr(depth - 1, scope)  # noqa: E731
        if choice < 4:
            template = r.choice(WRAPPERS)
            return template.format(*([sub()] * template.count("{}")))
        if choice == 4:
            extra = r.choice(("", ", reduction='sum'", ", weight=w", ", ignore_index=-100"))
            return f"{r.choice(LOSS_FUNCTIONS)}({sub()}, {sub()}{extra})"
        if choice == 5:
            return f"{r.choice(MODULES)}({sub()})"
        if choice == 6:
            return f"{r.choice(LOSS_LAYERS)}({sub()}, {sub()})"
        if choice == 7:
            return f"({sub()} {r.choice(('+', '-', '*', '/', '**', '@', '//', '%', 'and', 'or', '<', '==', 'is', 'in'))} {sub()})"
        if choice == 8:
            return f"({sub()} if {sub()} else {sub()})"
        if choice == 9:
            self._comprehension += 1  # no walrus, no yield inside (the compiler refuses most)
            try:
                return f"[{sub()} for {self.name()} in {sub()}{' if ' + sub() if r.random() < 0.3 else ''}]"
            finally:
                self._comprehension -= 1
        if choice == 10:
            self._comprehension += 1  # nor in a lambda
            try:
                body = sub()
            finally:
                self._comprehension -= 1
            return f"(lambda {self.name()}: {body})({sub()})"
        if choice == 11 and not self._comprehension:
            return f"({self.name()} := {sub()})"
        if choice == 12 and not self._formatting:  # no f-string in an f-string (Python < 3.12)
            self._formatting = True
            try:
                return 'f"{ ' + sub() + ' !r:>10}"'
            finally:
                self._formatting = False
        if choice == 13:
            args = [sub() for _ in range(r.randint(0, 3))] + ["*args"] * (r.random() < 0.2) + ["**kw"] * (r.random() < 0.2)
            return f"{sub()}({', '.join(args)})"
        if choice == 14:
            if scope == "async" and not self._comprehension:
                return f"(await {sub()})"
            if self._functions and not self._comprehension and r.random() < 0.3:
                return f"(yield {sub()})"
            return f"{{'k': {sub()}, **{sub()}}}"
        return self.layer()

    def statement(self, indent: int, scope: str, depth: int) -> List[str]:  # noqa: C901 - one dispatch
        r = self.random
        pad = "    " * indent
        e = lambda: self.expr(r.randint(0, 3), scope)  # noqa: E731
        choice = r.randrange(25 if depth > 0 else 10)
        if choice == 24:
            choice = 23
        if choice < 3:
            target = r.choice((self.name(), f"{self.name()}, {self.name()}", f"self.{self.name()}", f"{self.name()}[0]", f"*{self.name()}, {self.name()}"))
            return [f"{pad}{target} = {e()}"]
        if choice == 3:
            return [f"{pad}{self.name()} {r.choice(('+=', '-=', '*=', '/=', '@='))} {e()}"]
        if choice == 4:
            return [f"{pad}{self.name()} = {r.choice(LOSS_LAYERS)}", f"{pad}loss = {self.name()}({e()}, {e()})"]
        if choice == 5:
            return [f"{pad}loss = {r.choice(LOSS_FUNCTIONS)}({e()}, {e()})", f"{pad}loss.backward()"]
        if choice == 6:
            return [f"{pad}{e()}"]
        if choice == 7:
            return [f"{pad}{self.name()} = {self.layer()}"]
        if choice == 8:
            word = r.choice(("pass", "del x", "assert x is not None", "import torch", "print(loss.item())", "optimizer.step()", "raise ValueError(x)"))
            return [pad + word]
        if choice == 9:
            if scope in ("function", "async") and r.random() < 0.7:
                return [f"{pad}return {e()}"]
            if scope == "loop":
                return [pad + r.choice(("break", "continue"))]
            return [f"{pad}pass"]
        inner = lambda s=scope: self.block(indent + 1, s, depth - 1)  # noqa: E731
        if choice in (10, 11):
            out = [f"{pad}if {e()}:"] + inner()
            for _ in range(r.choice((0, 0, 0, 1, 2, 4))):
                out += [f"{pad}elif {e()}:"] + inner()
            return out + ([f"{pad}else:"] + inner() if r.random() < 0.5 else [])
        if choice == 12:
            loop = "async for" if scope == "async" and r.random() < 0.3 else "for"
            return [f"{pad}{loop} {self.name()} in {e()}:"] + inner("loop" if scope != "async" else scope)
        if choice == 13:
            return [f"{pad}while {e()}:"] + inner("loop" if scope != "async" else scope)
        if choice == 14:
            manager = r.choice(("torch.no_grad()", "torch.autocast('cuda')", "torch.autocast(device_type='cuda', enabled=False)", "torch.cuda.amp.autocast()", "open(p) as f", "torch.enable_grad()"))
            return [f"{pad}{'async with' if scope == 'async' and r.random() < 0.3 else 'with'} {manager}:"] + inner()
        if choice == 15:
            out = [f"{pad}try:"] + inner() + [f"{pad}except {r.choice(('Exception', 'ValueError as error', '(KeyError, IndexError)', ''))}:".replace("except :", "except:")] + inner()
            if r.random() < 0.3:
                out += [f"{pad}finally:"] + inner()
            return out
        if choice in (16, 17):
            return self.function(indent, depth)
        if choice == 18:
            return self.model_class(r.choice(("Net", "Model", "Block", "Loss")), indent)
        if choice == 19 and sys.version_info >= (3, 10):
            out = [f"{pad}match {e()}:"]
            patterns = r.sample(("1", "'a'", "[x, *rest]", "{'k': v}", "Point(x=0)", "_", "None | True"), r.randint(1, 3))
            for pattern in sorted(patterns, key=lambda p: p == "_"):  # a wildcard last
                out += [f"{pad}    case {pattern}:"] + self.block(indent + 2, scope, depth - 1)
            return out
        if choice == 20:
            return [f"{pad}{name} = {self.expr(2, scope)}" for name in r.sample(NAMES, 3)]
        if choice == 21:
            return [f"{pad}for {self.name()}, ({self.name()}, {self.name()}) in enumerate(loader):"] + self.train_step(indent + 1)
        if choice == 23 or (choice == 6 and r.random() < 0.5):  # a known idiom, indented here
            return [pad + line for line in r.choice(IDIOMS).split("\n")]
        if choice == 22:
            self._comprehension += 1
            try:
                return [f"{pad}{self.name()} = [{e()} for {self.name()} in range(3)]", f"{pad}{self.name()} = {{k: v for k, v in {e()}.items()}}"]
            finally:
                self._comprehension -= 1
        return self.train_step(indent)

    def block(self, indent: int, scope: str, depth: int) -> List[str]:
        out: List[str] = []
        for _ in range(self.random.randint(1, 3)):
            out.extend(self.statement(indent, scope, depth))
        return out

    def function(self, indent: int, depth: int) -> List[str]:
        r = self.random
        pad = "    " * indent
        params = r.choice(("", "x", "x, y", "model, loader, epochs=3", "x, *args, **kw", "x, /, y=None, *, z=1", "self, x"))
        asynchronous = r.random() < 0.15
        decorator = [pad + r.choice(("@torch.no_grad()", "@staticmethod", "@property", "@functools.lru_cache()"))] if r.random() < 0.2 else []
        head = f"{pad}{'async def' if asynchronous else 'def'} {r.choice(('f', 'g', 'forward', 'train', 'step', 'compute_loss', 'main', 'helper'))}({params}):"
        declaration = [f"{pad}    global counter"] if r.random() < 0.1 else []
        self._functions += 1
        try:
            return decorator + [head] + declaration + self.block(indent + 1, "async" if asynchronous else "function", depth - 1)
        finally:
            self._functions -= 1

    def model_class(self, name: str, indent: int = 0) -> List[str]:
        r = self.random
        pad = "    " * indent
        base = r.choice(("nn.Module", "torch.nn.Module", "pl.LightningModule", "Net", "object", ""))
        out = [f"{pad}class {name}({base}):", f"{pad}    def __init__(self, in_features=4, num_classes=3):", f"{pad}        super().__init__()"]
        for attribute in r.sample(("fc", "head", "act", "body", "criterion", "loss_fn"), r.randint(1, 4)):
            out.append(f"{pad}        self.{attribute} = {self.layer() if attribute != 'criterion' and attribute != 'loss_fn' else r.choice(LOSS_LAYERS)}")
        out.append(f"{pad}    def forward(self, x):")
        self._functions += 1
        try:
            out.extend(self.block(indent + 2, "function", 1))
        finally:
            self._functions -= 1
        out.append(f"{pad}        return {r.choice(WRAPPERS).format(*(['self.fc(x)'] * 2))}")
        return out

    def train_step(self, indent: int) -> List[str]:
        r = self.random
        pad = "    " * indent
        out = r.choice(("model(x)", "self(x)", "net(batch)", "F.softmax(model(x), dim=1)", "torch.sigmoid(model(x))", "model(x).log_softmax(-1)"))
        loss = r.choice(("criterion(out, y)", f"{r.choice(LOSS_FUNCTIONS)}(out, y)", f"{r.choice(LOSS_LAYERS)}(out, y.float())"))
        lines = [f"{pad}optimizer.zero_grad()", f"{pad}out = {out}", f"{pad}loss = {loss}"]
        if r.random() < 0.3:
            lines.append(f"{pad}total += loss")
        return lines + [f"{pad}loss.backward()", f"{pad}optimizer.step()"]

    def train_function(self) -> List[str]:
        r = self.random
        return [
            "",
            f"def {r.choice(('train', 'main', 'fit'))}(model=None, loader=(), epochs=2):",
            f"    criterion = {r.choice(LOSS_LAYERS)}",
            "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)",
            "    total = 0",
            "    for epoch in range(epochs):",
            "        for x, y in loader:",
        ] + self.train_step(3) + ["    return total"]

    # --- mutations of real scripts ----------------------------------------------------

    def mutant(self) -> Unit:
        r = self.random
        project = r.choice(self.projects)
        files = dict(project.files)
        notes = []
        targets = r.sample(sorted(files), r.randint(1, len(files)))
        encoded: Dict[str, bytes] = {}
        for path in targets:
            text = files[path]
            for _ in range(r.randint(1, 4)):
                operation = r.choice(TEXT_MUTATIONS)
                text = operation(self, text)
                notes.append(f"{path}:{operation.__name__}")
            data = text.encode("utf-8", "surrogatepass")
            if r.random() < 0.12:
                operation = r.choice(BYTE_MUTATIONS)
                data = operation(self, data)
                notes.append(f"{path}:{operation.__name__}")
            encoded[path] = data
        for path, text in files.items():
            encoded.setdefault(path, text.encode())
        return Unit("mutant", encoded, f"{project.name}: " + ", ".join(notes))

    def cap(self, depth: int) -> int:
        return min(depth, SHALLOW) if self.shallow else depth

    def lines_of(self, text: str) -> List[str]:
        return text.split("\n")

    def span(self, lines: List[str]) -> Tuple[int, int]:
        start = self.random.randrange(max(len(lines), 1))
        return start, min(len(lines), start + self.random.randint(1, 8))

    # --- deep and large ------------------------------------------------------------------

    def deep(self) -> Unit:
        r = self.random
        n = self.cap(r.choice((r.randint(50, 600), r.randint(900, 3200))))
        constructs: Dict[str, Callable[[int], str]] = {
            "elif": lambda n: "if x == 0:\n    y = 0\n" + "".join(f"elif x == {i}:\n    y = F.softmax(z, dim={i % 2})\n" for i in range(1, n)),
            "unary": lambda n: "y = " + "".join(r.choice("-+~") for _ in range(n)) + "x\n",
            "not": lambda n: "y = " + "not " * n + "x\n",
            "attributes": lambda n: "y = x" + ".a" * n + "\n",
            "subscripts": lambda n: "y = x" + "[0]" * n + "\n",
            "calls": lambda n: "y = f" + "()" * n + "\n",
            "methods": lambda n: "y = x" + ".softmax(1)" * (n // 2) + "\n",
            "conditional": lambda n: "y = " + "F.softmax(a, dim=1) if c else " * n + "b\n",
            "operators": lambda n: "y = x" + "".join(f" {r.choice(('+', '-', '*', '/', '**', '@'))} x" for _ in range(n)) + "\n",
            "brackets": lambda n: "y = " + "(" * min(n, 250) + "x" + ")" * min(n, 250) + "\n",
            "lists": lambda n: "y = " + "[" * min(n, 250) + "]" * min(n, 250) + "\n",
            "lambdas": lambda n: "y = " + "lambda: " * n + "x\n",
            "blocks": lambda n: "".join("    " * i + r.choice(("if x:\n", "for i in x:\n", "with x:\n", "while x:\n", "try:\n")) for i in range(min(n, 25))) + "    " * min(n, 25) + "pass\n",
            "functions": lambda n: "".join("    " * i + f"def f{i}(x):\n" for i in range(min(n, 105))) + "    " * min(n, 105) + "return F.softmax(x)\n",
            "strings": lambda n: "y = " + " ".join(["'a'"] * n) + "\n",
            "statements": lambda n: "".join(f"x{i} = F.softmax(x{i - 1}, dim=1)\n" for i in range(1, n)),
        }
        name = r.choice(sorted(constructs))
        text = "import torch\nimport torch.nn.functional as F\n" + constructs[name](n) + "loss = F.cross_entropy(F.softmax(z, dim=1), t)\n"
        if r.random() < 0.02:  # over the 2 MB limit, naming a loss or not
            text = ("x = 1\n" * 400_000) + (text if r.random() < 0.5 else "")
            name = "huge"
        return Unit("deep", {"deep.py": text.encode()}, f"{name} x{n}")

    # --- notebooks ----------------------------------------------------------------------

    def notebook(self) -> Unit:
        r = self.random
        if r.random() < 0.5:
            source = r.choice([t for p in self.projects for t in p.files.values()])
        else:
            source = self.program_text(r.randint(2, 10))
        if r.random() < 0.3:
            source = r.choice(TEXT_MUTATIONS)(self, source)
        lines = source.split("\n")
        cells: List[Dict[str, object]] = []
        start = 0
        while start < len(lines):
            end = min(len(lines), start + r.randint(1, 15))
            chunk = lines[start:end]
            if r.random() < 0.2:
                chunk.insert(0, r.choice(MAGICS))
            kind = r.choices(("code", "markdown", "raw"), (8, 1, 1))[0]
            text = "\n".join(chunk)
            source_field: object = text if r.random() < 0.5 else [line + "\n" for line in chunk[:-1]] + chunk[-1:]
            cell: Dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source_field}
            if kind == "code":
                cell.update(execution_count=None, outputs=[])
            cells.append(cell)
            start = end
        document: object = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
        notes = []
        if r.random() < 0.5:
            operation = r.choice(JSON_MUTATIONS)
            document = operation(self, document)
            notes.append(operation.__name__)
        data = json.dumps(document, indent=r.choice((None, 1)), ensure_ascii=r.random() < 0.5).encode("utf-8", "surrogatepass")
        if r.random() < 0.25:
            operation = r.choice(BYTE_MUTATIONS + (_truncate_json, _deep_json))
            data = operation(self, data)
            notes.append(operation.__name__)
        return Unit("notebook", {"notebook.ipynb": data}, ", ".join(notes))

    # --- noise --------------------------------------------------------------------------

    def noise(self) -> Unit:
        r = self.random
        if r.random() < 0.3:
            data = bytes(r.randrange(256) for _ in range(r.randint(0, 3000)))
        else:
            tokens = TOKENS + NAMES + ("\n", "\n    ", "\n        ", " ", "F.softmax(x, dim=1)", "nn.CrossEntropyLoss()")
            data = "".join(r.choice(tokens) for _ in range(r.randint(0, 400))).encode()
        return Unit("noise", {"noise.py" if r.random() < 0.8 else "noise.ipynb": data})


TOKENS = tuple(
    "( ) [ ] { } : , . ; = == + - * / ** @ -> ' \" ''' # \\ if elif else for while with try except finally def "
    "class return yield await async lambda import from as global nonlocal del pass break continue raise not and "
    "or is in None True False 0 1 1.5 0x1F 'a' b'b' f'{x}' ... :=".split(" ")
)
MAGICS = ("%matplotlib inline", "!pip install torch", "%%time", "%timeit f(x)", "model?", "%load_ext autoreload", "  %time x = 1", "x = !ls", "%%bash", "?model", "%%capture out")


# --- text mutations (each takes the fuzzer and a text, and returns a text) -----------


def delete_lines(f: Fuzzer, text: str) -> str:
    lines = f.lines_of(text)
    start, end = f.span(lines)
    return "\n".join(lines[:start] + lines[end:])


def duplicate_lines(f: Fuzzer, text: str) -> str:
    lines = f.lines_of(text)
    start, end = f.span(lines)
    at = f.random.randrange(len(lines) + 1)
    return "\n".join(lines[:at] + lines[start:end] + lines[at:])


def shuffle_lines(f: Fuzzer, text: str) -> str:
    lines = f.lines_of(text)
    start, end = f.span(lines)
    middle = lines[start:end]
    f.random.shuffle(middle)
    return "\n".join(lines[:start] + middle + lines[end:])


def reindent(f: Fuzzer, text: str) -> str:
    lines = f.lines_of(text)
    start, end = f.span(lines)
    change = f.random.choice(("    ", "\t", " ", ""))
    strip = f.random.random() < 0.5
    return "\n".join(lines[:start] + [(line[4:] if strip else change + line) for line in lines[start:end]] + lines[end:])


def truncate(f: Fuzzer, text: str) -> str:
    return text[: f.random.randrange(len(text) + 1)]


def insert_characters(f: Fuzzer, text: str) -> str:
    r = f.random
    out = list(text)
    for _ in range(r.randint(1, 5)):
        at = r.randrange(len(out) + 1)
        out[at:at] = r.choice(("(", ")", "[", "]", ":", '"', "'", "\\", "#", "\t", "\f", "\x0b", "\r", "\u00e9", "\u2028", "\ud800", "\U0001f600", "\x00", "\ufeff", "0", "=", "*", ","))
    return "".join(out)


def replace_words(f: Fuzzer, text: str) -> str:
    r = f.random
    swaps = (
        ("CrossEntropyLoss", "BCELoss"), ("BCEWithLogitsLoss", "NLLLoss"), ("cross_entropy", "binary_cross_entropy"),
        ("softmax", "log_softmax"), ("sigmoid", "softmax"), ("dim=1", "dim=0"), ("dim=1", ""), ("logits", "probs"),
        ("return", "yield"), ("def ", "async def "), ("self", "cls"), ("import torch", "import torch as t"),
        ("for ", "async for "), ("with ", "async with "), ("x", "x.x"), ("(", "(("),
    )
    old, new = r.choice(swaps)
    if r.random() < 0.5:
        old, new = new, old
    if not old:
        return text
    count = text.count(old)
    if not count:
        return text
    skip = r.randrange(count)
    at = -1
    for _ in range(skip + 1):
        at = text.find(old, at + 1)
    return text[:at] + new + text[at + len(old) :]


def insert_refused_statement(f: Fuzzer, text: str) -> str:
    """What parses but does not compile, or barely compiles."""
    lines = f.lines_of(text)
    at = f.random.randrange(len(lines) + 1)
    indent = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip())] if at and lines[at - 1].strip() else ""
    statement = f.random.choice(
        ("return x", "break", "continue", "await x", "yield x", "nonlocal x", "global x", "__debug__ = 1", "a, *b, *c = d",
         "from __future__ import braces", "from os import *", "def f(a, a): pass", "async with x: pass", "f(a=1, a=2)",
         "x = [(yield i) for i in y]", "del f()", "f() = 1", "print 'x'", "exec 'x'", "x = 0777", "lambda: (yield)")
    )
    return "\n".join(lines[:at] + [indent + statement] + lines[at:])


def wrap_deep(f: Fuzzer, text: str) -> str:
    """Wrap a run of lines in many levels of blocks, or append a long elif chain."""
    r = f.random
    lines = f.lines_of(text)
    if r.random() < 0.5:
        n = f.cap(r.choice((30, 300, 1000, 2500)))
        chain = ["if mode == 0:", "    pass"] + [line for i in range(1, n) for line in (f"elif mode == {i}:", "    out = F.softmax(h, dim=1)")]
        at = r.randrange(len(lines) + 1)
        return "\n".join(lines[:at] + chain + lines[at:])
    start, end = f.span(lines)
    levels = r.randint(1, 24)
    heads = [("    " * i) + r.choice(("if True:", "for _ in range(1):", "with torch.no_grad():", "try:", "while True:")) for i in range(levels)]
    body = [("    " * levels) + line for line in lines[start:end]] or [("    " * levels) + "pass"]
    tails = [("    " * i) + "except Exception:\n" + ("    " * (i + 1)) + "pass" for i in reversed(range(levels)) if heads[i].strip() == "try:"]
    return "\n".join(lines[:start] + heads + body + tails + lines[end:])


def wrap_expression(f: Fuzzer, text: str) -> str:
    """Nest a call argument in many brackets or unary operators."""
    r = f.random
    at = text.find("(", r.randrange(len(text) + 1))
    if at < 0:
        return text
    n = f.cap(r.choice((10, 150, 199, 201, 1500)))
    opener, closer = r.choice((("(" * n, ")" * n), ("-" * n, ""), ("not " * n, ""), ("[" * min(n, 199), "]" * min(n, 199))))
    end = text.find(")", at)
    if end < 0:
        return text
    return text[: at + 1] + opener + text[at + 1 : end] + closer + text[end:]


def splice(f: Fuzzer, text: str) -> str:
    """The first part of this script and the rest of another (or of a program)."""
    r = f.random
    other = r.choice([t for p in f.projects for t in p.files.values()]) if r.random() < 0.7 else f.program_text(r.randint(2, 8))
    mine, theirs = f.lines_of(text), f.lines_of(other)
    return "\n".join(mine[: r.randrange(len(mine) + 1)] + theirs[r.randrange(len(theirs) + 1) :])


TEXT_MUTATIONS = (
    splice,
    delete_lines, duplicate_lines, shuffle_lines, reindent, truncate, insert_characters, replace_words,
    insert_refused_statement, wrap_deep, wrap_expression,
)


# --- byte mutations -------------------------------------------------------------------


def random_bytes(f: Fuzzer, data: bytes) -> bytes:
    r = f.random
    out = bytearray(data)
    for _ in range(r.randint(1, 6)):
        at = r.randrange(len(out) + 1)
        out[at:at] = bytes(r.randrange(256) for _ in range(r.randint(1, 4)))
    return bytes(out)


def flip_bytes(f: Fuzzer, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(f.random.randint(1, 6)):
        if out:
            out[f.random.randrange(len(out))] ^= 1 << f.random.randrange(8)
    return bytes(out)


def reencode(f: Fuzzer, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = f.random.randrange(5)
    if choice == 0:
        return b"\xef\xbb\xbf" + data
    if choice == 1:
        return data.replace(b"\n", b"\r\n")
    if choice == 2:
        return data.replace(b"\n", b"\r")
    if choice == 3:
        return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1", "replace")
    return "# coding: utf-16\n".encode() + text.encode("utf-16")


BYTE_MUTATIONS = (random_bytes, flip_bytes, reencode)


# --- notebook corruptions ---------------------------------------------------------------


def _cells(document: object) -> List[Dict[str, object]]:
    cells = document.get("cells") if isinstance(document, dict) else None
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def break_cell(f: Fuzzer, document: object) -> object:
    cells = _cells(document)
    if cells:
        cell = f.random.choice(cells)
        key = f.random.choice(("source", "cell_type", "outputs", "metadata"))
        cell[key] = f.random.choice((None, 1, 2.5, True, [], [1, 2], {"a": "b"}, ["x = 1\n", None], "", "\ud800", "x" * 3))
    return document


def drop_key(f: Fuzzer, document: object) -> object:
    if isinstance(document, dict) and document:
        document.pop(f.random.choice(sorted(document)))
    return document


def replace_cells(f: Fuzzer, document: object) -> object:
    if isinstance(document, dict):
        document["cells"] = f.random.choice((None, {}, "cells", 3, [None, 1, "x"], [[]], [{"cell_type": "code"}]))
    return document


def old_format(f: Fuzzer, document: object) -> object:
    if isinstance(document, dict):
        cells = document.pop("cells", [])
        document["nbformat"] = 3
        document["worksheets"] = f.random.choice(([{"cells": cells}], [], None, [{"cells": None}], "x"))
    return document


def not_an_object(f: Fuzzer, document: object) -> object:
    return f.random.choice(([document], "notebook", None, 1, [], _cells(document)))


def surrogates(f: Fuzzer, document: object) -> object:
    cells = _cells(document)
    if cells:
        f.random.choice(cells)["source"] = f.random.choice(("x = '\ud800'\n", "\udfff", "# \ud83d\n"))
    return document


def deep_metadata(f: Fuzzer, document: object) -> object:
    if isinstance(document, dict):
        deep: object = "x"
        for _ in range(f.random.choice((10, 500))):
            deep = [deep]
        document["metadata"] = {"deep": deep}
    return document


JSON_MUTATIONS = (break_cell, drop_key, replace_cells, old_format, not_an_object, surrogates, deep_metadata)


def _truncate_json(f: Fuzzer, data: bytes) -> bytes:
    return data[: f.random.randrange(len(data) + 1)]


def _deep_json(f: Fuzzer, data: bytes) -> bytes:
    n = f.random.choice((1000, 100_000))
    return b'{"metadata": ' + b"[" * n + b"]" * n + b', "cells": [], "nbformat": 4}'


# --- checking ------------------------------------------------------------------------


@dataclass
class Problem:
    """A failed check: what went wrong and the inputs that show it."""

    check: str
    message: str
    units: List[Unit] = field(default_factory=list)


def write(units: Sequence[Unit], folder: Path) -> Dict[str, Unit]:
    """Each unit in its own sub-folder; relative file path -> its unit."""
    where: Dict[str, Unit] = {}
    for number, unit in enumerate(units):
        for path, data in unit.files.items():
            target = folder / f"u{number:04d}_{unit.kind}" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            where[str(target.relative_to(folder))] = unit
    return where


def losslint(folder: Path, *options: str, timeout: float = 600, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "losslint", "--no-cache", "--select", "ALL", "--output-format", "json", *options]
    command += ["-"] if stdin is not None else ["."]
    return subprocess.run(command, cwd=folder, capture_output=True, timeout=timeout, input=stdin)


STDIN_CHECKS = 2
"""Inputs of each batch also linted from standard input (``-``, ``--stdin-filename``)."""


def check_cli(units: Sequence[Unit], folder: Path, fix: bool = False, jobs: Optional[int] = None) -> List[Problem]:
    """One losslint process over the batch; with ``fix``, also ``--fix --unsafe-fixes``
    on a copy: every file it changes must still compile."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    where = write(units, folder)
    extra = ("--jobs", str(jobs)) if jobs else ()
    done = losslint(folder, *extra)
    problems = _judge("cli", done, units, expect_json=True)
    if not problems:
        problems += check_ll000(json.loads(done.stdout), where)
    for unit in [u for u in units if len(u.files) == 1][:STDIN_CHECKS]:
        ((name, data),) = unit.files.items()
        options = ("--stdin-filename", name) + (("--fix", "--unsafe-fixes") if fix else ())
        done = losslint(folder, *options, stdin=data)
        problems += _judge("stdin-fix" if fix else "stdin", done, [unit], expect_json=not fix)
        fixed = done.stdout if fix and done.returncode in (0, 1) else data
        if fixed != data and name.endswith(".py") and not compile_error(data, name):
            error = compile_error(fixed, name)
            if error:
                problems.append(Problem("stdin-fix", f"{name} no longer compiles after --fix on standard input: {error}", [unit]))
    if fix:
        copy = folder.with_name(folder.name + "-fixed")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(folder, copy)
        done = losslint(copy, "--fix", "--unsafe-fixes", *extra)
        problems += _judge("fix", done, units, expect_json=False)
        for relative, unit in sorted(where.items()):
            before, after = (folder / relative).read_bytes(), (copy / relative).read_bytes()
            if before != after and relative.endswith(".py"):
                error = compile_error(after, relative)
                if error:
                    problems.append(Problem("fix", f"{relative} no longer compiles after --fix: {error}", [unit]))
            elif before != after and relative.endswith(".ipynb"):
                try:
                    json.loads(after)
                except ValueError as error:
                    problems.append(Problem("fix", f"{relative} is no longer JSON after --fix: {error}", [unit]))
    return problems


def check_ll000(found: List[Dict[str, object]], where: Dict[str, Unit]) -> List[Problem]:
    """The oracle: a Python file gets LL000 exactly when CPython does not compile it
    (from a fresh stack, as an import or ``python -m py_compile`` does). Files over the
    size limit are left out: they are LL000 (naming a loss) or read as empty."""
    from losslint.analysis.summary import MAX_FILE_BYTES

    refused = {os.path.normpath(str(d["filename"])) for d in found if d["code"] == "LL000"}
    problems = []
    for relative, unit in sorted(where.items()):
        data = unit.files[relative.split(os.sep, 1)[1]]
        if not relative.endswith(".py") or len(data) > MAX_FILE_BYTES:
            continue
        error = compile_error(data, relative, fresh=True)
        if bool(error) != (relative in refused):
            said = "no LL000 for a file CPython refuses" if error else "LL000 for a file CPython compiles"
            problems.append(Problem("ll000", f"{said}: {relative} {error}", [unit]))
    return problems


def compile_error(data: bytes, path: str, fresh: bool = False) -> str:
    """Why CPython does not compile ``data`` ("" when it does), warnings silenced;
    ``fresh``: in a new thread, its recursion counted from an empty stack."""
    if fresh:
        outcome: List[str] = []
        thread = threading.Thread(target=lambda: outcome.append(compile_error(data, path)))
        thread.start()
        thread.join()
        return outcome[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return repr(error)[:300]
    return ""


def _judge(check: str, done: subprocess.CompletedProcess, units: Sequence[Unit], expect_json: bool) -> List[Problem]:
    stderr = done.stderr.decode("utf-8", "replace")
    problems = []
    if done.returncode not in (0, 1):
        problems.append(Problem(check, f"exit status {done.returncode}: {stderr[-20000:]}", list(units)))
    elif "Traceback" in stderr or "internal error" in stderr:
        problems.append(Problem(check, f"traceback on standard error: {stderr[-20000:]}", list(units)))
    if expect_json and not problems:  # (a crash leaves no JSON: said once)
        try:
            json.loads(done.stdout)
        except ValueError as error:
            problems.append(Problem(check, f"the JSON output does not parse: {error}", list(units)))
    return problems


def check_in_process(units: Sequence[Unit], fixes: bool = True) -> List[Problem]:
    """The API over the batch (sources in memory), every reporter, and with ``fixes``
    the fixes (``--fix --unsafe-fixes`` without writing): cheaper than a process."""
    from losslint.fixer.run import fix
    from losslint.reporters import REPORTERS, reporter
    from losslint.runner import lint
    from losslint.selection import resolve

    sources: Dict[str, bytes] = {}
    owner: Dict[str, Unit] = {}
    for number, unit in enumerate(units):
        for path, data in unit.files.items():
            name = f"u{number:04d}_{unit.kind}/{path}"
            sources[name], owner[name] = data, unit
    selected = resolve(["ALL"])
    problems: List[Problem] = []

    def run(overrides: Dict[str, bytes]):
        return lint([], selected, {**sources, **overrides})

    try:
        report = run({})
        for name in REPORTERS:
            reporter(name)(report, io.StringIO())
        for message in report.internal_errors:
            culprits = [owner[p] for p in owner if f" {p}:" in message] or list(units)
            problems.append(Problem("api", message, culprits))
        if not fixes:
            return problems
        outcome = fix(run, True, will_write=False, sources=sources)
    except Exception:  # noqa: BLE001 - what the fuzzer is looking for
        return problems + [Problem("api", traceback.format_exc()[-20000:], list(units))]
    for path, (_, after) in sorted(outcome.changes.items()):
        error = compile_error(after, path) if path.endswith(".py") else ""
        if error:
            problems.append(Problem("api-fix", f"{path} no longer compiles after the fixes: {error}", [owner[path]]))
    return problems


def signature(problem: Problem) -> str:
    """What tells one crash from another: the exception and the last frame in losslint
    (or the first line of the message when it is no traceback)."""
    lines = problem.message.splitlines()
    frames = [line.strip() for line in lines if line.strip().startswith('File "') and "losslint" in line]
    errors = [line for line in lines if re.match(r"^[A-Za-z_.]+(Error|Exception|Exit|Warning)\b", line)]
    if errors or frames:
        where = re.sub(r'^File ".*?(losslint/[^"]*)"', r"\1", frames[-1]) if frames else ""
        return f"{problem.check}: {(errors or ['?'])[-1][:120]} at {where}"
    return f"{problem.check}: {lines[0][:160] if lines else ''}"


def isolate(problem: Problem, check: Callable[[Sequence[Unit]], List[Problem]]) -> Problem:
    """The inputs of a failing batch that fail alone (all of them if none does)."""
    if len(problem.units) <= 1:
        return problem
    alone = [unit for unit in problem.units if check([unit])]
    return Problem(problem.check, problem.message, alone or problem.units)


# --- the long run ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="inputs to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=100, help="inputs per losslint process")
    parser.add_argument("--fix-every", type=int, default=5, help="every Nth batch also runs --fix --unsafe-fixes (0: never)")
    parser.add_argument("--api-every", type=int, default=3, help="every Nth batch also runs through the API (0: never)")
    parser.add_argument("--jobs", type=int, default=0, help="losslint --jobs (default: its own)")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "losslint-fuzz"), help="where failing batches are saved")
    parser.add_argument("--deep-fixes", action="store_true", help=f"--fix batches nest deeper than {SHALLOW} levels too")
    options = parser.parse_args()

    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    fuzzer = Fuzzer(options.seed)
    shallow = Fuzzer(options.seed + 1_000_003, shallow=True)  # what --fix batches read (see SHALLOW)
    started = time.perf_counter()
    found: List[Problem] = []
    kinds: Dict[str, int] = {}
    done = 0
    batch_number = 0
    with tempfile.TemporaryDirectory() as scratch:
        while done < options.count:
            batch_number += 1
            fix = options.fix_every > 0 and batch_number % options.fix_every == 0
            source = shallow if fix and not options.deep_fixes else fuzzer
            units = list(source.units(min(options.batch, options.count - done)))
            for unit in units:
                kinds[unit.kind] = kinds.get(unit.kind, 0) + 1
            folder = Path(scratch) / "batch"
            cli = lambda group, fix=fix: check_cli(group, folder, fix=fix, jobs=options.jobs or None)  # noqa: E731
            try:
                problems = cli(units)
            except subprocess.TimeoutExpired:
                problems = [Problem("cli", "timed out", units)]
            problems = [isolate(p, cli) for p in problems]
            if options.api_every > 0 and batch_number % options.api_every == 0:
                api = lambda group, fix=fix or options.deep_fixes: check_in_process(group, fixes=fix)  # noqa: E731
                problems += [isolate(p, api) for p in api(units)]
            for number, problem in enumerate(problems):
                found.append(problem)
                _save(out / f"seed{options.seed}-batch{batch_number:04d}-{number}", problem)
            done += len(units)
            elapsed = time.perf_counter() - started
            kinds_found = len({signature(p) for p in found})
            print(f"{done:6d} inputs  {elapsed:7.1f} s  {len(found)} problems of {kinds_found} kinds", flush=True)
    elapsed = time.perf_counter() - started
    summary = {
        "seed": options.seed,
        "inputs": done,
        "kinds": dict(sorted(kinds.items())),
        "seconds": round(elapsed, 1),
        "problems": [{"signature": signature(p), "inputs": [f"{u.kind}: {u.note}" for u in p.units]} for p in found],
        "kinds of problems": sorted({signature(p) for p in found}),
    }
    (out / f"seed{options.seed}-summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    sys.exit(1 if found else 0)


def _save(target: Path, problem: Problem) -> None:
    target.mkdir(parents=True, exist_ok=True)
    (target / "problem.txt").write_text(
        f"{signature(problem)}\n\n{problem.message}\n\n" + "".join(f"- {u.kind}: {u.note}\n" for u in problem.units)
    )
    write(problem.units, target / "inputs")


if __name__ == "__main__":
    main()
