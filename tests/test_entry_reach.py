"""Which importers of a loss file run as entry points (``analysis/reach.py``): those whose
code names its way to a loss. Each case is a small project; the reaching files are
checked against the ones that must (and must not) be kept."""

import textwrap
from typing import Dict

import pytest

from losslint.analysis import tables as T
from losslint.analysis.modules import ModuleIndex
from losslint.analysis.reach import Reach, reaching_files
from losslint.analysis.summary import summarize
from losslint.runner import lint
from losslint.selection import resolve


def reaching(sources: Dict[str, str]) -> Reach:
    modules = {}
    for path, text in sources.items():
        summary, failure = summarize(path, textwrap.dedent(text).encode())
        assert failure is None and summary is not None and summary.module is not None
        modules[path] = summary.module
    index = ModuleIndex(modules)
    return reaching_files(modules, modules.get, T.LOSS_MENTIONS.named_by, index.resolve)


LOSS_FILE = """
    import torch.nn as nn

    def train(model, loader):
        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            criterion(model(x), y).backward()

    __version__ = "1.0"
"""

KEPT = {
    "a driver calling the training function": {
        "pkg/train.py": LOSS_FILE,
        "main.py": """
            from pkg.train import train
            from pkg.model import Net

            def main():
                train(Net(), [])
        """,
    },
    "a function called through its module": {
        "pkg/train.py": LOSS_FILE,
        "main.py": """
            import pkg.train as training

            def main():
                training.train(None, [])
        """,
    },
    "a subclass of a class whose method holds the loss": {
        "pkg/base.py": """
            import torch.nn.functional as F

            class Base:
                def step(self, x, y):
                    return F.cross_entropy(self.net(x), y)
        """,
        "pkg/sub.py": """
            from pkg.base import Base

            class Sub(Base):
                pass
        """,
        "run.py": """
            from pkg.sub import Sub

            def run():
                Sub().step(None, None)
        """,
    },
    "a registry filled by a decorator": {
        "pkg/registry.py": """
            MODELS = {}
        """,
        "pkg/model.py": """
            import torch.nn.functional as F
            from pkg.registry import MODELS

            @MODELS.register("net")
            class Net:
                def loss(self, x, y):
                    return F.cross_entropy(x, y)
        """,
        "pkg/build.py": """
            from pkg.registry import MODELS

            def build(name):
                return MODELS[name]()
        """,
        "tools/train.py": """
            from pkg.build import build

            def main():
                build("net").loss(None, None)
        """,
    },
    "a registry filled at import time": {
        "pkg/model.py": """
            import torch.nn.functional as F

            class Net:
                def loss(self, x, y):
                    return F.nll_loss(x, y)
        """,
        "pkg/zoo.py": """
            from pkg.model import Net

            ZOO = {}
            ZOO["net"] = Net
        """,
        "tools/train.py": """
            from pkg.zoo import ZOO

            def main():
                ZOO["net"]().loss(None, None)
        """,
    },
    "a module-level instance": {
        "pkg/model.py": """
            import torch.nn.functional as F

            class Net:
                def fit(self, x, y):
                    return F.cross_entropy(x, y)

            model = Net()
        """,
        "tools/train.py": """
            from pkg.model import model

            def main():
                model.fit(None, None)
        """,
    },
    "a renamed import": {
        "pkg/train.py": LOSS_FILE,
        "main.py": """
            from pkg.train import train as fit

            def main():
                fit(None, [])
        """,
    },
    "a script's top level": {
        "pkg/train.py": LOSS_FILE,
        "main.py": """
            from pkg import train

            train.train(None, [])
        """,
    },
}

DROPPED = {
    "an import of a constant only": {
        "pkg/train.py": LOSS_FILE,
        "pkg/config.py": """
            from pkg.train import __version__

            def describe():
                return "version " + __version__
        """,
    },
    "its own function of the same name": {
        "pkg/train.py": LOSS_FILE,
        "tools/convert.py": """
            import pkg.train

            def train(x):
                return x

            def main():
                return train(1)
        """,
    },
    "a method of a value with the name of a loss function": {
        "pkg/train.py": LOSS_FILE,
        "tools/images.py": """
            import pkg.train

            def load(image):
                return image.train(False)
        """,
    },
    "a local variable with the name of a loss function": {
        "pkg/train.py": LOSS_FILE,
        "tools/flags.py": """
            import pkg.train

            def parse(args):
                train = args.mode == "train"
                return train
        """,
    },
    "a string that is a Keras loss name, outside a compile": {
        "pkg/train.py": LOSS_FILE,
        "pkg/encoder.py": """
            import pkg.train

            def build(kind):
                if kind == "mae":
                    return None
        """,
    },
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_an_importer_that_names_its_way_to_a_loss_runs(name):
    sources = KEPT[name]
    driver = list(sources)[-1]  # each case's last file calls into the loss, through the others
    assert driver in reaching(sources).files


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_an_importer_that_names_no_way_to_a_loss_does_not_run(name):
    sources = DROPPED[name]
    assert reaching(sources).files == {"pkg/train.py"}


@pytest.mark.parametrize(
    "code",
    ['model.compile("adam", "mae")', 'model.compile("adam", loss=["mse", "mae"])', 'getattr(nn, "CrossEntropyLoss")()'],
)
def test_a_loss_named_by_a_string_passed_to_a_call_is_a_seed(code):
    sources = {"train.py": f"def fit(model, nn):\n    {code}\n"}
    assert reaching(sources).files == {"train.py"}


def test_a_kept_driver_still_resolves_the_loss_across_files():
    """End to end: the driver is an entry point, so the loss sees the model's output."""
    sources = {
            "pkg/__init__.py": "",
            "pkg/train.py": textwrap.dedent(LOSS_FILE),
            "pkg/model.py": textwrap.dedent(
                """
                import torch.nn as nn

                class Net(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 3)

                    def forward(self, x):
                        return self.fc(x).softmax(dim=1)
                """
            ),
            "pkg/version.py": "from pkg.train import __version__\n",
            "main.py": textwrap.dedent(
                """
                import torch
                from pkg.train import train
                from pkg.model import Net

                def main():
                    train(Net(), [(torch.randn(2, 4), torch.tensor([0, 1]))])
                """
            ),
    }
    report = lint([], resolve(["ALL"]), {path: text.encode() for path, text in sources.items()})
    assert [d.code for d in report.diagnostics] == ["LL101"]
    assert report.unresolved == 0


def test_an_importer_runs_whole_once_the_activation_it_uses_reaches_a_loss():
    """app.py only imports the loss file: at first only ``main`` (which calls ``fit``)
    runs. Once the model's softmax reaches the loss, ``predict`` runs too: the fix must
    not drop the softmax it thresholds."""
    sources = {
        "models.py": """
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 3)

                def forward(self, x):
                    return self.fc(x).softmax(dim=1)
        """,
        "train.py": """
            import torch.nn as nn

            def fit(model, x, y):
                return nn.CrossEntropyLoss()(model(x), y)
        """,
        "app.py": """
            from models import Net
            from train import fit

            def main(x, y):
                fit(Net(), x, y)

            def predict(x):
                return Net()(x) > 0.5
        """,
    }
    report = lint([], resolve(), {path: textwrap.dedent(text).encode() for path, text in sources.items()})
    (finding,) = report.diagnostics
    assert finding.code == "LL101" and finding.fix is None and "Net()(x) > 0.5" in finding.no_fix


# --- the oracle: reach must not change what a run reports ----------------------------

MODELS_PY = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, num_classes), nn.Softmax(dim=1))

        def forward(self, x):
            return self.body(x)
"""

TRAIN_PY = """
    import torch.nn as nn


    def train(model, loader, optimizer):
        criterion = nn.CrossEntropyLoss()
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
"""

EVALUATE_WITH = """
    import torch
    {imports}
    from models import Net


    def evaluate(model, loader):
        total = 0.0
        with torch.no_grad():
            for x, y in loader:
                total += {criterion}(model(x), y).item()
        return total


    if __name__ == "__main__":
        evaluate(Net(), [])
"""

PROJECTS = {
    "an import inside main()": {
        "main.py": """
            def main():
                import torch
                from models import Net
                from train import train

                model = Net()
                train(model, [], torch.optim.SGD(model.parameters(), lr=0.1))


            if __name__ == "__main__":
                main()
        """,
    },
    "a factory importing the training function when called": {
        "factory.py": """
            def get_train_fn(name):
                if name == "supervised":
                    from train import train
                    return train
                raise ValueError(name)
        """,
        "main.py": """
            from factory import get_train_fn
            from models import Net


            def main():
                get_train_fn("supervised")(Net(), [], None)
        """,
    },
    "a module-level loss read as the module's attribute": {
        "losses.py": "import torch.nn as nn\n\ncriterion = nn.CrossEntropyLoss(label_smoothing=0.1)\n",
        "evaluate.py": EVALUATE_WITH.format(imports="import losses", criterion="losses.criterion"),
    },
    "a partial of the training function read as a module's attribute": {
        "config.py": "from functools import partial\n\nfrom train import train\n\nrun_training = partial(train, optimizer=None)\n",
        "main.py": """
            import config
            from models import Net


            def main():
                config.run_training(Net(), [])
        """,
    },
    "a module-level loss through a star import": {
        "losses.py": 'import torch.nn as nn\n\n__all__ = ["criterion"]\n\ncriterion = nn.CrossEntropyLoss()\n',
        "evaluate.py": EVALUATE_WITH.format(imports="from losses import *", criterion="criterion"),
    },
    "losses bound by unpacking a tuple": {
        "losses.py": "import torch.nn as nn\n\ncriterion, aux_criterion = nn.CrossEntropyLoss(), nn.SmoothL1Loss()\n",
        "evaluate.py": EVALUATE_WITH.format(imports="from losses import criterion", criterion="criterion"),
    },
    "an import with a fallback definition": {
        "main.py": """
            from models import Net

            try:
                from train import train
            except ImportError:
                def train(*args, **kwargs):
                    raise SystemExit("training needs the [train] extras")


            def main():
                train(Net(), [], None)
        """,
    },
    "a loss function picked from a project module by name": {
        "losses.py": """
            import torch.nn.functional as F


            def ce(logits, target):
                return F.cross_entropy(logits, target)


            def nll(log_probs, target):
                return F.nll_loss(log_probs, target)
        """,
        "evaluate.py": EVALUATE_WITH.format(imports="import losses", criterion='getattr(losses, "ce")'),
    },
    "a loss class named by a string in a config dict": {
        "config.py": 'CFG = {"loss": "CrossEntropyLoss", "lr": 0.1}\n',
        "evaluate.py": EVALUATE_WITH.format(imports="import torch.nn as nn\n    from config import CFG", criterion='getattr(nn, CFG["loss"])()'),
    },
    "a method defined in an if block of a class body": {
        "trainer.py": """
            import torch.nn as nn

            USE_AMP = False


            class Trainer:
                def __init__(self, model):
                    self.model = model
                    self.criterion = nn.CrossEntropyLoss()

                if USE_AMP:
                    def step(self, x, y):
                        return self.criterion(self.model(x).float(), y)
                else:
                    def step(self, x, y):
                        return self.criterion(self.model(x), y)
        """,
        "main.py": """
            from models import Net
            from trainer import Trainer


            def main(batches):
                t = Trainer(Net())
                for x, y in batches:
                    t.step(x, y)
        """,
    },
    "a project module bound to another name": {
        "main.py": """
            import train as train_single
            from models import Net

            engine = train_single


            def main(loader):
                engine.train(Net(), loader, None)
        """,
    },
    "project modules held in a dict": {
        "main.py": """
            import train
            from models import Net

            ENGINES = {"fp32": train}


            def main(precision):
                ENGINES[precision].train(Net(), [], None)
        """,
    },
    "a function's import of a name its module defines too": {
        "cli.py": """
            from models import Net


            def cli():
                pass


            def train(lr):
                from train import train
                train(Net(), [], None)
        """,
    },
    "a class defined in the driver with a method named like the training function": {
        "finetune.py": """
            import torch.nn as nn
            from models import Net
            from train import train


            def main(loader):
                class Frozen(Net):
                    def train(self, mode=True):
                        return super().train(mode)

                train(Frozen(), loader, None)
        """,
    },
    "a comprehension variable named like the training function": {
        "cv.py": """
            from models import Net
            from train import train


            def cross_validate(splits):
                folds = [(train, val) for train, val in splits]
                for fold in folds:
                    train(Net(), [], None)
        """,
    },
    "a star import, then the name wrapped again": {
        "main.py": """
            import os
            from models import *
            from train import *

            if os.environ.get("PROFILE"):
                from profiling import profiled
                train = profiled(train)


            def main():
                train(Net(), [], None)
        """,
        "profiling.py": """
            def profiled(fn):
                return fn
        """,
    },
    "a library loss re-exported under another name": {
        "common.py": "from torch.nn import CrossEntropyLoss as CE  # noqa: F401\n",
        "evaluate.py": EVALUATE_WITH.format(imports="from common import CE", criterion="CE()"),
    },
    "a module-level object a module-level call fills": {
        "setup_utils.py": """
            import torch.nn as nn


            class Config:
                def __init__(self):
                    self.criterion = None


            def attach_criterion(cfg):
                cfg.criterion = nn.CrossEntropyLoss()
        """,
        "evaluate.py": EVALUATE_WITH.format(
            imports="from setup_utils import Config, attach_criterion\n    cfg = Config()\n    attach_criterion(cfg)",
            criterion="cfg.criterion",
        ),
    },
    "a dispatch dict a module-level loop fills": {
        "main.py": """
            from models import Net
            from train import train

            COMMANDS = {}
            for name, fn in [("train", train)]:
                COMMANDS[name] = fn


            def run(loader):
                return COMMANDS["train"](Net(), loader, None)
        """,
    },
    "a project module re-exported by a plain module": {
        "common.py": "import train  # noqa: F401\nimport models  # noqa: F401\n",
        "app.py": """
            from common import train, models


            def main(loader):
                return train.train(models.Net(), loader, None)
        """,
    },
    "an event handler class the driver instantiates with the model and the loss": {
        "utils.py": """
            import torch.nn.functional as F


            class AverageMeter:
                def update(self, value):
                    self.last = value


            def smooth_nll(log_probs, target):
                return F.nll_loss(log_probs, target)
        """,
        "callbacks.py": """
            import torch
            from utils import AverageMeter


            class ValidationLoss:
                def __init__(self, model, criterion, loader):
                    self.model, self.criterion, self.loader = model, criterion, loader

                def __call__(self, engine):
                    meter = AverageMeter()
                    with torch.no_grad():
                        for x, y in self.loader:
                            meter.update(self.criterion(self.model(x), y).item())
        """,
        "app.py": """
            import torch.nn as nn
            from ignite.engine import Events, create_supervised_trainer
            from callbacks import ValidationLoss
            from models import Net


            def main(train_loader, val_loader):
                model, criterion = Net(), nn.CrossEntropyLoss()
                trainer = create_supervised_trainer(model, None, criterion)
                trainer.add_event_handler(Events.EPOCH_COMPLETED, ValidationLoss(model, criterion, val_loader))
        """,
    },
    "a metric class the driver instantiates thresholds the model's output": {
        "utils.py": "import torch.nn.functional as F\n\n\ndef smooth_nll(log_probs, target):\n    return F.nll_loss(log_probs, target)\n",
        "metrics.py": """
            import torch
            import utils


            class ConfidentAccuracy:
                def __init__(self, model, loader):
                    self.model, self.loader = model, loader

                def __call__(self, engine):
                    with torch.no_grad():
                        for x, y in self.loader:
                            confident = self.model(x).max(dim=1).values > 0.9
        """,
        "app.py": """
            from ignite.engine import Engine, Events
            from metrics import ConfidentAccuracy
            from models import Net
            from train import train


            def main(train_loader, val_loader):
                model = Net()
                train(model, train_loader, None)
                evaluator = Engine(lambda engine, batch: None)
                evaluator.add_event_handler(Events.COMPLETED, ConfidentAccuracy(model, val_loader))
        """,
    },
}


def _report(sources):
    files = {"models.py": MODELS_PY, "train.py": TRAIN_PY, **sources}
    report = lint([], resolve(["ALL"]), {path: textwrap.dedent(text).encode() for path, text in files.items()})
    return (
        [(d.code, d.location.path, d.location.row, d.message, d.fix is not None) for d in report.diagnostics],
        (report.loss_calls, report.unresolved, sorted(report.unresolved_by_reason.items())),
    )


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_reach_reports_what_running_every_candidate_reports(name, monkeypatch):
    """Each project resolves its loss through a file that only imports it; with reach the
    report must be the one a run of every candidate file, every function, gives."""
    with_reach = _report(PROJECTS[name])
    from losslint import runner
    from losslint.analysis import reach

    def everything(paths, load, seed, resolve, collected):
        found = reach.reaching_files(paths, load, seed, resolve, collected)
        every = frozenset(p for p in paths if load(p) is not None)
        return reach.Reach(every, every, found.definitions)

    monkeypatch.setattr(runner, "reaching_files", everything)
    assert with_reach == _report(PROJECTS[name])
    assert "LL101" in [code for code, *_ in with_reach[0]]  # the softmax is found through the importer
