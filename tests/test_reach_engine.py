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
