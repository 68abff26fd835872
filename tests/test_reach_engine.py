"""Reach of the engine (issue 18): explicit ``forward`` / ``__call__`` calls, containers
filled through methods and arguments, conditions over known constants, recursion and
budgets. Each kind has cases that must be found and look-alikes that must stay silent."""

import pytest

from tests.conftest import check_invalid, check_valid, lint_sources

FORWARD_FOUND = {
    "self.__call__ in a method": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                return nn.functional.softmax(self.fc(x), dim=1)

            def step(self, x, y):
                return nn.CrossEntropyLoss()(self.__call__(x), y)  # expect: LL101
    """,
    "model.forward(x)": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                return self.fc(x).sigmoid()

        model = Net()
        loss = nn.CrossEntropyLoss()(model.forward(x), y)  # expect: LL102
    """,
    "criterion.forward(out, y) is a loss call": """
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))
        criterion = nn.CrossEntropyLoss()
        loss = criterion.forward(net(x), y)  # expect: LL101
    """,
    "criterion.__call__(out, y) is a loss call": """
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(8, 4), nn.Sigmoid())
        loss = nn.BCEWithLogitsLoss().__call__(net(x), y)  # expect: LL104
    """,
    "seq.forward and a layer's forward": """
        import torch.nn as nn

        seq = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        act = nn.LogSoftmax(dim=1)
        head = nn.Linear(8, 3)
        a = nn.CrossEntropyLoss()(seq.forward(x), y)  # expect: LL101
        b = nn.NLLLoss()(act.forward(head(x)), y)
        c = nn.NLLLoss()(head.forward(x), y)  # expect: LL105
    """,
    "a function's __call__": """
        import torch
        import torch.nn as nn

        def predict(x):
            return torch.sigmoid(nn.Linear(8, 1)(x))

        loss = nn.BCEWithLogitsLoss()(predict.__call__(x), y)  # expect: LL104
    """,
}

FORWARD_SILENT = {
    "seq[:-1].forward skips the softmax": """
        import torch.nn as nn

        body = nn.Sequential(nn.Linear(12, 5), nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss().forward(body[:-1].forward(x), y)
    """,
    "a project module's forward that logs itself is not a torch loss": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class LogThenNLL(nn.Module):
            def forward(self, probs, target):
                return F.nll_loss(torch.log(probs.clamp_min(1e-8)), target)

        body = nn.Sequential(nn.Linear(12, 5), nn.Softmax(dim=1))
        loss = LogThenNLL().forward(body.forward(x), y)
    """,
    "forward of a plain class is its own method": """
        import torch.nn as nn

        class Runner:
            def __init__(self):
                self.net = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))

            def forward(self, x):
                return self.net[0](x)

            def __call__(self, x):
                return self.net(x)

        loss = nn.CrossEntropyLoss()(Runner().forward(x), y)
    """,
    "super().forward in an override": """
        import torch.nn as nn

        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                return self.fc(x)

        class Probs(Base):
            def forward(self, x):
                return super().forward(x).softmax(dim=1)

            def logits(self, x):
                return super().forward(x)

        loss = nn.CrossEntropyLoss()(Probs().logits(x), y)
    """,
}


@pytest.mark.parametrize("code", FORWARD_FOUND.values(), ids=FORWARD_FOUND.keys())
def test_explicit_forward_and_call_are_calls(code):
    check_invalid(code)


@pytest.mark.parametrize("code", FORWARD_SILENT.values(), ids=FORWARD_SILENT.keys())
def test_explicit_forward_look_alikes_stay_silent(code):
    check_valid(code)


FOLDING_FOUND = {
    "an attribute compared with a literal in a function given one model": """
        import torch
        import torch.nn as nn

        class Seg(nn.Module):
            def __init__(self, n_classes=1):
                super().__init__()
                self.n_classes = n_classes
                self.head = nn.Conv2d(8, n_classes, 1)

            def forward(self, x):
                return torch.sigmoid(self.head(x))

        def train(net, img, mask):
            if net.n_classes > 1:
                criterion = nn.CrossEntropyLoss()
            else:
                criterion = nn.BCEWithLogitsLoss()
            return criterion(net(img), mask)  # expect: LL104

        train(Seg(n_classes=1), img, mask)
    """,
    "a default flag decides an early return": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x, return_logits=False):
                logits = self.fc(x)
                if return_logits:
                    return logits
                return F.softmax(logits, dim=1)

        loss = F.cross_entropy(Net()(x), y)  # expect: LL101
    """,
    "two helpers branching on the same attribute agree": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Seg(nn.Module):
            def __init__(self, mode):
                super().__init__()
                self.mode = mode
                self.head = nn.Linear(8, 4)

            def activate(self, x):
                if self.mode == "multiclass":
                    return F.softmax(x, dim=1)
                elif self.mode == "binary":
                    return torch.sigmoid(x)
                return x

            def criterion(self):
                if self.mode == "multiclass":
                    return nn.CrossEntropyLoss()
                if self.mode == "binary":
                    return nn.BCEWithLogitsLoss()
                return nn.MSELoss()

            def step(self, x, y):
                return self.criterion()(self.activate(self.head(x)), y)  # expect: LL101

        Seg("multiclass").step(x, y)
    """,
    "an elif chain on a parameter given a literal": """
        import torch
        import torch.nn as nn

        def head(x, kind):
            if kind == "softmax":
                out = torch.softmax(x, dim=1)
            elif kind == "log_softmax":
                out = torch.log_softmax(x, dim=1)
            else:
                out = x
            return out

        logits = nn.Linear(8, 3)(x)
        loss = nn.NLLLoss()(head(logits, "softmax"), y)  # expect: LL106
    """,
    "a conditional expression and is None over known objects": """
        import torch
        import torch.nn as nn

        class Trainer:
            def __init__(self, model, criterion=None, multi=True):
                self.model = model
                self.criterion = criterion if criterion is not None else (nn.CrossEntropyLoss() if multi else nn.BCELoss())

            def step(self, x, y):
                return self.criterion(self.model(x), y)  # expect: LL101

        net = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        Trainer(net).step(x, y)
    """,
}

FOLDING_SILENT = {
    "two models with different class counts keep both branches": """
        import sys
        import torch.nn as nn

        class MaskNet(nn.Module):
            def __init__(self, n_classes):
                super().__init__()
                self.n_classes = n_classes
                self.conv = nn.Conv2d(3, n_classes, 1)

            def forward(self, x):
                return self.conv(x)

        def fit(net, img, target):
            if net.n_classes > 1:
                crit = nn.CrossEntropyLoss()
            else:
                crit = nn.BCEWithLogitsLoss()
            return crit(net(img), target)

        fit(MaskNet(4) if "--multi" in sys.argv else MaskNet(1), img, target)
        for n in (1, 4):
            fit(MaskNet(n), img, target)
    """,
    "the branch taken narrows the instance it tested": """
        import torch.nn as nn

        class MaskNet(nn.Module):
            def __init__(self, n_classes):
                super().__init__()
                self.n_classes = n_classes
                self.conv = nn.Conv2d(3, n_classes, 1)

            def forward(self, x):
                out = self.conv(x)
                return out.sigmoid() if self.n_classes == 1 else out.log_softmax(dim=1)

        def fit(net, img, target):
            if net.n_classes == 1:
                return nn.BCELoss()(net(img), target)
            return nn.NLLLoss()(net(img), target)

        for n in (1, 4):
            fit(MaskNet(n), img, target)
    """,
    "helpers on one attribute of two instances, each consistent": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Seg(nn.Module):
            def __init__(self, mode):
                super().__init__()
                self.mode = mode
                self.head = nn.Linear(8, 4)

            def activate(self, x):
                if self.mode == "multiclass":
                    return F.log_softmax(x, dim=1)
                return x

            def criterion(self):
                if self.mode == "multiclass":
                    return nn.NLLLoss()
                return nn.BCEWithLogitsLoss()

            def step(self, x, y):
                return self.criterion()(self.activate(self.head(x)), y)

        Seg("multiclass").step(x, y)
        Seg("binary").step(x, y)
        Seg(args.mode).step(x, y)
    """,
    "a module constant rebound through global is not folded": """
        import torch
        import torch.nn as nn

        USE_LOGITS = False
        fc = nn.Linear(8, 1)

        def configure():
            global USE_LOGITS
            USE_LOGITS = True

        def head(x):
            if USE_LOGITS:
                return fc(x)
            return torch.sigmoid(fc(x))

        configure()
        loss = nn.BCEWithLogitsLoss()(head(x), y)
    """,
    "a key missing from a dict a library filled is not known absent": """
        import json
        import torch
        import torch.nn as nn

        cfg = {}
        json_fill(cfg)
        fc = nn.Linear(8, 1)
        out = fc(x) if "logits" in cfg else torch.sigmoid(fc(x))
        loss = nn.BCEWithLogitsLoss()(out, y)
    """,
}


@pytest.mark.parametrize("code", FOLDING_FOUND.values(), ids=FOLDING_FOUND.keys())
def test_conditions_over_known_constants_follow_one_branch(code):
    check_invalid(code)


@pytest.mark.parametrize("code", FOLDING_SILENT.values(), ids=FOLDING_SILENT.keys())
def test_conditions_that_may_go_either_way_keep_both_branches(code):
    check_valid(code)
