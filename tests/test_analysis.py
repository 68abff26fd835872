"""The analysis engine, observed through findings: joins, data flow, models, scopes."""

import pytest

from tests.conftest import check_invalid, check_valid
from losslint.analysis.engine import Interpreter
from losslint.selection import resolve

JOINS_SILENT = {
    "if/else assignment": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, multi_label):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                if multi_label:
                    self.act = nn.Sigmoid()
                else:
                    self.act = nn.Identity()

            def forward(self, x):
                return self.act(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net(args.multi_label)(x), y)
    """,
    "if/else assignment, other order": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, multi_label):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                if multi_label:
                    self.act = nn.Identity()
                else:
                    self.act = nn.Sigmoid()

            def forward(self, x):
                return self.act(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net(True)(x), y)
    """,
    "assignment in an if without else": """
        import torch
        import torch.nn.functional as F

        out = torch.sigmoid(logits)
        if use_logits:
            out = logits
        loss = F.cross_entropy(out, y)
    """,
    "try / except": """
        import torch
        import torch.nn.functional as F

        try:
            out = torch.softmax(logits, 1)
        except RuntimeError:
            out = logits
        loss = F.cross_entropy(out, y)
    """,
    "early return in forward": """
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

        loss = F.cross_entropy(Net()(x, args.logits), y)
    """,
    "two call sites with different models": """
        import torch.nn as nn

        def train(model, criterion):
            return criterion(model(x), y)

        train(nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1)), nn.CrossEntropyLoss())
        train(nn.Linear(4, 3), nn.CrossEntropyLoss())
    """,
    "two call sites with different losses (different rules)": """
        import torch.nn as nn

        def train(model, criterion):
            return criterion(model(x), y)

        model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
        train(model, nn.CrossEntropyLoss())
        train(model, nn.NLLLoss())
    """,
    "attribute reassigned in another method": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                self.act = nn.Sigmoid()

            def for_training(self):
                self.act = nn.Identity()

            def forward(self, x):
                return self.act(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net()(x), y)
    """,
    "head replaced from outside (transfer learning)": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.backbone = nn.Linear(8, 8)
                self.head = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))

            def forward(self, x):
                return self.head(self.backbone(x))

        model = Net()
        model.head = nn.Linear(8, 4)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "derived class overrides the base activation": """
        import torch.nn as nn

        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                self.act = nn.Softmax(dim=1)

            def forward(self, x):
                return self.act(self.fc(x))

        class Train(Base):
            def __init__(self):
                super().__init__()
                self.act = nn.Identity()

        loss = nn.CrossEntropyLoss()(Train()(x), y)
    """,
    "loss looked up by a computed name": """
        import torch.nn as nn

        criterion = getattr(nn, loss_name)()
        loss = criterion(nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))(x), y)
    """,
    "list mutated in a way the analysis does not follow": """
        import torch.nn as nn

        layers = [nn.Linear(4, 3), nn.Softmax(dim=1)]
        layers.pop()
        loss = nn.CrossEntropyLoss()(nn.Sequential(*layers)(x), y)
    """,
    "a layer inside a loop over ModuleList": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList([nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 4)])

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return x

        loss = nn.CrossEntropyLoss()(Net()(x), y)
    """,
}

FLOWS_FOUND = {
    "inheritance: the base class builds the head": """
        import torch.nn as nn

        class Base(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.head = nn.Sequential(nn.Linear(8, n), nn.Sigmoid())

            def forward(self, x):
                return self.head(x)

        class Child(Base):
            def __init__(self):
                super().__init__(5)

        loss = nn.CrossEntropyLoss()(Child()(x), y)  # expect: LL102
    """,
    "helper method called from __init__ builds the layers": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self._build()

            def _build(self):
                self.fc = nn.Linear(8, 4)
                self.out = nn.Softmax(dim=1)

            def forward(self, x):
                return self.out(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net()(x), y)  # expect: LL101
    """,
    "dict returned by forward": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                logits = self.fc(x)
                return {"logits": logits, "probs": F.softmax(logits, dim=1)}

        out = Net()(x)
        good = F.cross_entropy(out["logits"], y)
        bad = F.cross_entropy(out["probs"], y)  # expect: LL101
    """,
    "tuple unpacking of a model's outputs": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                logits = self.fc(x)
                return logits, torch.sigmoid(logits)

        logits, probs = Net()(x)
        a = nn.BCEWithLogitsLoss()(logits, y)
        b = nn.BCEWithLogitsLoss()(probs, y)  # expect: LL104
    """,
    "model and loss defined under the main guard, used by a function": """
        import torch.nn as nn

        def step(x, y):
            return criterion(model(x), y)  # expect: LL103

        if __name__ == "__main__":
            model = nn.Sequential(nn.Linear(4, 1))
            criterion = nn.BCELoss()
            step(x, y)
    """,
    "losses in a dict, keyword arguments": """
        import torch.nn as nn

        losses = {"cls": nn.CrossEntropyLoss(), "bce": nn.BCELoss()}
        model = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid())
        loss = losses["cls"](input=model(x), target=y)  # expect: LL102
    """,
    "getattr with a literal name, import inside a function": """
        def main():
            import torch.nn as nn
            criterion = getattr(nn, "CrossEntropyLoss")()
            model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
            return criterion(model(x), y)  # expect: LL101
    """,
    "add_module on a Sequential": """
        import torch.nn as nn

        model = nn.Sequential()
        model.add_module("fc", nn.Linear(4, 3))
        model.add_module("act", nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
    """,
    "loss as a default argument": """
        import torch.nn as nn

        def train(model, loss_fn=nn.CrossEntropyLoss()):
            return loss_fn(model(x), y)  # expect: LL102

        train(nn.Sequential(nn.Linear(4, 3), nn.Sigmoid()))
    """,
    "functional loss held on an attribute": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Trainer:
            def __init__(self, model):
                self.model = model
                self.loss_func = F.binary_cross_entropy_with_logits

            def step(self, x, y):
                return self.loss_func(self.model(x), y)  # expect: LL104

        Trainer(nn.Sequential(nn.Linear(4, 2), nn.Sigmoid())).step(x, y)
    """,
    "nested function closure sees the enclosing model": """
        import torch.nn as nn

        def main():
            model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))

            def step(x, y):
                return nn.functional.cross_entropy(model(x), y)  # expect: LL108

            return step
    """,
}


@pytest.mark.parametrize("code", JOINS_SILENT.values(), ids=JOINS_SILENT.keys())
def test_joins_and_unknowns_stay_silent(code):
    check_valid(code)


@pytest.mark.parametrize("code", FLOWS_FOUND.values(), ids=FLOWS_FOUND.keys())
def test_value_flow_is_followed(code):
    check_invalid(code)


def test_message_names_both_sites_and_the_model():
    from tests.conftest import lint_sources

    code = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)
                self.act = nn.Sigmoid()

            def forward(self, x):
                return self.act(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net()(x), y)
    """
    (diagnostic,) = lint_sources({"train.py": code})
    assert diagnostic.code == "LL102"
    assert "from Net (train.py:8 nn.Sigmoid())" in diagnostic.message
    assert (diagnostic.location.row, diagnostic.location.column) == (13, 8)
    (related,) = diagnostic.related
    assert (related.location.path, related.location.row, related.location.column) == ("train.py", 8, 20)


def test_linted_code_is_never_imported_or_run(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "train.py"
    script.write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n"
        "import torch.nn as nn\n"
        "loss = nn.CrossEntropyLoss()(nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1))(x), y)\n"
    )
    from losslint.runner import lint
    from losslint.selection import resolve

    report = lint([str(script)], resolve())
    assert [d.code for d in report.diagnostics] == ["LL101"]
    assert not marker.exists()


ENTRY_FILES = {
    "plain.py": ("import os\nprint(os.getcwd())\n", False),
    "softmax_with_dim.py": ("import torch\nx = torch.softmax(y, dim=1)\n", False),
    "softmax_without_dim.py": ("import torch.nn.functional as F\nx = F.softmax(y)\n", True),
    "softmax_layer_without_dim.py": ("import torch.nn as nn\nact = nn.Softmax()\n", True),
    "softmax_and_width_one.py": ("import torch.nn as nn\nm = nn.Sequential(nn.Linear(4, 1), nn.Softmax(dim=1))\n", True),
    "softmax_and_width_one_by_keyword.py": ("import torch.nn as nn\nm = nn.Linear(4, out_features=1)\nF.softmax(m(x), -1)\n", True),
    "sigmoid_only.py": ("import torch\nx = torch.sigmoid(y)\n", False),
    "loss.py": ("import torch.nn as nn\nloss_fn = nn.CrossEntropyLoss()\n", True),
}


def test_only_files_that_can_hold_a_finding_run_as_entry_points(monkeypatch):
    """The others are lowered (an import may lead there) but not run."""
    from losslint import runner

    run = []
    monkeypatch.setattr(runner, "Interpreter", lambda modules, **kw: run.append(sorted(modules)) or Interpreter(modules, **kw))
    sources = {name: text.encode() for name, (text, _) in ENTRY_FILES.items()}
    runner.lint(sorted(sources), resolve(), sources=sources)
    assert run == [sorted(name for name, (_, entry) in ENTRY_FILES.items() if entry)]


def test_a_model_file_whose_activation_reaches_a_loss_runs_whole():
    """models.py names no loss and its softmax has a dim, so it is not an entry point;
    once its softmax reaches train.py's loss, its other functions run too: the fix must
    not drop the softmax that ``predict`` thresholds."""
    sources = {
        "models.py": b"import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        b"        self.fc = nn.Linear(4, 3)\n\n    def forward(self, x):\n        return self.fc(x).softmax(dim=1)\n\n"
        b"    def predict(self, x):\n        return self(x) > 0.5\n",
        "train.py": b"import torch.nn as nn\nfrom models import Net\n\nloss = nn.CrossEntropyLoss()(Net()(x), y)\n",
    }
    from losslint.runner import lint

    report = lint(sorted(sources), resolve(), sources=sources)
    (finding,) = report.diagnostics
    assert finding.code == "LL101" and finding.fix is None and "self(x) > 0.5" in finding.no_fix


LAUNCHERS = {
    "lightning Fabric.setup returns the model": """
        import lightning as L
        import torch
        import torch.nn as nn

        fabric = L.Fabric(accelerator="cpu")
        model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
        model, optimizer = fabric.setup(model, torch.optim.SGD(model.parameters(), lr=0.1))
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
        fabric.backward(loss)
    """,
    "accelerate prepare returns its arguments in order": """
        import torch.nn as nn
        from accelerate import Accelerator

        accelerator = Accelerator()
        net = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
        net, opt, loader = accelerator.prepare(net, opt, loader)
        loss = nn.BCEWithLogitsLoss()(net(x), y)  # expect: LL104
    """,
    "nn.parallel.data_parallel applies the module": """
        import torch.nn as nn

        disc = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())
        out = nn.parallel.data_parallel(disc, x, range(2))
        loss = nn.BCELoss()(out, y)  # expect: LL111
    """,
}


@pytest.mark.parametrize("code", LAUNCHERS.values(), ids=LAUNCHERS.keys())
def test_training_launchers_hand_the_model_back(code):
    check_invalid(code)


def test_launcher_methods_with_keywords_stay_unknown():
    check_valid(
        """
        import lightning as L
        import torch.nn as nn

        fabric = L.Fabric()
        model = fabric.setup(module=nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1)))
        loss = nn.CrossEntropyLoss()(model(x), y)
        """
    )


def test_a_driver_importing_the_loss_file_runs_as_an_entry_point():
    """main.py names no loss and its softmax has a dim; it still runs, since it imports
    train.py (which names the loss) and gives that loss its input."""
    sources = {
        "train.py": b"import torch.nn.functional as F\n\ndef fit(model, x, y):\n    return F.cross_entropy(model(x), y)\n",
        "main.py": b"import torch.nn as nn\nfrom train import fit\n\n"
        b"model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\nfit(model, x, y)\n",
    }
    from losslint.runner import lint

    report = lint(sorted(sources), resolve(), sources=sources)
    assert [d.code for d in report.diagnostics] == ["LL101"] and report.unresolved == 0


def test_an_import_cycle_is_unknown_not_an_internal_error():
    sources = {
        "a.py": b"from b import Net\n",
        "b.py": b"from a import Net\n",
        "train.py": b"import torch.nn as nn\nfrom a import Net\n\nloss = nn.CrossEntropyLoss()(Net()(x), y)\n",
    }
    from losslint.runner import lint

    report = lint(sorted(sources), resolve(), sources=sources)
    assert report.notes == [] and report.unresolved == 1


CLASS_BODY_BLOCKS = {
    "try": "try:\n        probs = F.softmax(logits, dim=1)\n    except RuntimeError:\n        pass",
    "for": "for _ in range(n):\n        probs = F.softmax(logits, dim=1)",
    "match": 'match sys.argv[1]:\n        case "p":\n            probs = F.softmax(logits, dim=1)',
}


@pytest.mark.parametrize("block", sorted(CLASS_BODY_BLOCKS))
def test_a_block_in_a_class_body_joins_the_value_from_before_it(block):
    """A class body's scope keeps its names in the class: joining a block that may not
    run (a ``try`` that fails, a loop run no time, a case not taken) must read the
    value from before the block there, not only the block's."""
    head = "import sys\nimport torch\nimport torch.nn.functional as F\n\nlogits = torch.randn(8, 3)\ny = torch.randint(0, 3, (8,))\nn = int(sys.argv[2])\n\n\nclass Config:\n"
    check_valid(head + "    probs = logits\n    " + CLASS_BODY_BLOCKS[block] + "\n    loss = F.cross_entropy(probs, y)\n")
    check_invalid(head + "    probs = F.softmax(logits, dim=1)\n    " + CLASS_BODY_BLOCKS[block] + "\n    loss = F.cross_entropy(probs, y)  # expect: LL101\n")
