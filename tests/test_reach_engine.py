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
                return nn.BCELoss()(net(img), target)  # expect: LL111
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


RECURSION_FOUND = {
    "a recursive builder with fresh arguments at module level": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Tree:
            def __init__(self, label):
                self.label = label
                self.left = None
                self.right = None

        def build(tokens, parent=None):
            node = Tree(tokens[0])
            node.parent = parent
            if len(tokens) > 2:
                node.left = build(tokens[1:len(tokens) // 2], parent=node)
                node.right = build(tokens[len(tokens) // 2:], parent=node)
            return node

        def leaves(node):
            if node.left is None:
                return [node]
            return leaves(node.left) + leaves(node.right)

        trees = [build(list(line)) for line in ["abcdefgh", "ijklmnop"]]
        n_leaves = sum(len(leaves(t)) for t in trees)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 5)

            def forward(self, x):
                return F.softmax(self.fc(x), dim=1)

        loss = nn.CrossEntropyLoss()(Net()(x), y)  # expect: LL101
    """,
    "a recursion over fresh receivers": """
        import torch.nn as nn

        class Node:
            def __init__(self, depth, parent=None):
                self.depth = depth
                self.parent = parent

            def expand(self):
                a = Node(self.depth + 1, parent=self)
                b = Node(self.depth + 2, parent=self)
                a.expand()
                b.expand()
                return self

        root = Node(0).expand()
        net = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss()(net(x), y)  # expect: LL101
    """,
}


@pytest.mark.parametrize("code", RECURSION_FOUND.values(), ids=RECURSION_FOUND.keys())
def test_recursion_does_not_exhaust_its_module(code):
    check_invalid(code)


RECURSIVE_MODEL = """
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, inner=None, out=4):
            super().__init__()
            self.inner = inner
            self.fc = nn.Linear(8, out)

        def forward(self, x):
            if self.inner is None:
                return self.fc(x).softmax(dim=1)
            return self.inner(x)

    model = Block(Block(Block(Block(Block(out=3)))))
    loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
"""


def test_nested_modules_of_one_class_are_followed_to_the_innermost():
    check_invalid(RECURSIVE_MODEL)


RUNAWAY = """
import torch.nn as nn
import torch.nn.functional as F

def slow(a, b, c):
    head = nn.Linear(8, 3)
    loss = F.cross_entropy(F.softmax(head(a), dim=1), b)
    for i in a:
        for j in b:
            for k in c:
                for l in a:
                    for m in b:
                        for n in c:
                            for o in a:
                                for p in b:
                                    for q in c:
                                        t = i
    return loss

slow(xs, ys, zs)

net = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(net(x), y)
"""


def test_a_runaway_call_stops_alone_and_says_which_function(monkeypatch):
    from losslint import runner
    from losslint.analysis.engine import Interpreter
    from losslint.selection import resolve

    made = []

    def small(modules, **kw):
        made.append(Interpreter(modules, **{**kw, "budget": 600}))
        return made[-1]

    monkeypatch.setattr(runner, "Interpreter", small)
    report = runner.lint([], resolve(["ALL"]), {"runaway.py": RUNAWAY.encode()})
    found = {(d.code, d.location.row, d.message) for d in report.diagnostics}
    assert ("LL101", 23) in {(c, r) for c, r, _ in found}  # the code after the runaway call
    stopped = [m for c, r, m in found if c == "LL900" and r == 7]  # a loss call inside it: unresolved
    assert stopped and "slow() stopped at its step budget" in stopped[0]
    assert ("runaway.py", "slow") in made[0].budget_notes
    assert "runaway.py" not in made[0].exhausted
    assert any("slow() in runaway.py stopped at its step budget" in note for note in report.notes)


CONTAINERS_FOUND = {
    "a dict merged with update from models' dicts": """
        import torch
        import torch.nn as nn

        class Branch(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                return {"probs": torch.sigmoid(self.fc(x)), "feat": x}

        branch = Branch()
        out = {"aux": x}
        out.update(branch(x))
        out.update(extra=x)
        loss = nn.BCEWithLogitsLoss()(out["probs"], y)  # expect: LL104
    """,
    "setdefault, get and in on known keys": """
        import torch.nn as nn

        losses = {}
        losses.setdefault("cls", nn.CrossEntropyLoss())
        probs = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))(x)
        a = losses.get("cls")(probs, y)  # expect: LL101
        if "cls" in losses:
            b = losses["cls"](probs, y)  # expect: LL101
    """,
    "a registry of classes and a factory returning a tuple": """
        import torch.nn as nn
        import torch.nn.functional as F

        class ResNet(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.fc = nn.Linear(8, num_classes)

            def forward(self, x):
                return F.softmax(self.fc(x), dim=1)

        MODELS = {"resnet": ResNet, "identity": nn.Identity}

        def build(name):
            return MODELS[name](num_classes=5), nn.CrossEntropyLoss(), None

        model, criterion, _ = build("resnet")
        loss = criterion(model(x), y)  # expect: LL101
    """,
    "a loop over an nn.ModuleList ends with its last layer": """
        import torch.nn as nn

        class Stack(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)])
                self.layers.append(nn.Softmax(dim=1))

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x

        loss = nn.CrossEntropyLoss()(Stack()(x), y)  # expect: LL101
    """,
    "a loop over a dict's items": """
        import torch
        import torch.nn as nn

        heads = {"a": nn.Linear(8, 4), "b": nn.Linear(8, 4)}
        outputs = {}
        for name, head in heads.items():
            outputs[name] = torch.sigmoid(head(x))
        loss = nn.BCEWithLogitsLoss()(outputs["b"], y)  # expect: LL104
    """,
}

CONTAINERS_SILENT = {
    "a dict updated from what the analysis does not know": """
        import json
        import torch.nn as nn

        acts = {"out": nn.Softmax(dim=1)}
        acts.update(json.load(open("cfg.json")))
        loss = nn.CrossEntropyLoss()(acts["out"](nn.Linear(8, 3)(x)), y)
    """,
    "a function that rebinds its parameter leaves the caller's dict alone": """
        import torch.nn as nn

        def fresh(d):
            d = dict()
            d["out"] = nn.Softmax(dim=1)
            return d

        acts = {"out": nn.Identity()}
        fresh(acts)
        loss = nn.CrossEntropyLoss()(acts["out"](nn.Linear(8, 3)(x)), y)
    """,
    "a key absent from a dict is not known absent": """
        import torch.nn as nn

        acts = {}
        load_into(acts)
        act = acts.get("out", nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss()(act(nn.Linear(8, 3)(x)), y)
    """,
    "a loop that may stop early over a ModuleList": """
        import torch.nn as nn

        class Stack(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(8, 3), nn.Softmax(dim=1)])

            def forward(self, x, stop):
                for i, layer in enumerate(self.layers):
                    x = layer(x)
                    if stop:
                        break
                return x

        loss = nn.CrossEntropyLoss()(Stack()(x, flag), y)
    """,
    "a loop over a ModuleList whose last layer is linear": """
        import torch.nn as nn

        class Stack(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(8, 8), nn.Softmax(dim=1), nn.Linear(8, 3)])

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x

        loss = nn.CrossEntropyLoss()(Stack()(x), y)
    """,
}


@pytest.mark.parametrize("code", CONTAINERS_FOUND.values(), ids=CONTAINERS_FOUND.keys())
def test_containers_and_objects_are_followed(code):
    check_invalid(code)


@pytest.mark.parametrize("code", CONTAINERS_SILENT.values(), ids=CONTAINERS_SILENT.keys())
def test_containers_the_analysis_cannot_follow_stay_silent(code):
    check_valid(code)


FILLED_BY_A_CALLEE = """
        import torch.nn as nn

        def add_heads(heads, width):
            heads["cls"] = nn.Sequential(nn.Linear(width, 4), nn.Softmax(dim=1))

        def add_layers(layers):
            layers.append(nn.Linear(8, 3))
            layers.append(nn.Sigmoid())

        heads = {}
        add_heads(heads, 8)
        layers = []
        add_layers(layers)
        a = nn.CrossEntropyLoss()(heads["cls"](x), y)  # expect: LL101
        b = nn.BCEWithLogitsLoss()(nn.Sequential(*layers)(x), t)  # expect: LL104
    """


def test_dicts_and_lists_filled_by_a_called_function():
    check_invalid(FILLED_BY_A_CALLEE)


def test_a_callee_that_rebinds_its_parameter_fills_its_own_dict():
    check_valid(
        """
        import torch.nn as nn

        def add_heads(heads, width):
            heads = {}
            heads["cls"] = nn.Sequential(nn.Linear(width, 4), nn.Softmax(dim=1))
            return heads

        heads = {"cls": nn.Linear(8, 4)}
        other = add_heads(heads, 8)
        a = nn.CrossEntropyLoss()(heads["cls"](x), y)
        """
    )


MODULE_CONTAINERS = """
    import torch.nn as nn

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
            self.blocks.append(nn.Linear(8, 4))
            self.blocks.append({last})
            self.heads = nn.ModuleDict({{"cls": nn.Sequential(nn.Linear(8, 4), {last}), "reg": nn.Linear(8, 1)}})

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x

        def classify(self, x):
            return self.heads["cls"](x)

    class Stack(nn.ModuleList):
        pass

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = Stack([nn.Linear(8, 4), {last}])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    m = Heads()
    a = nn.CrossEntropyLoss()(m(x), y){mark}
    b = nn.CrossEntropyLoss()(m.classify(x), y){mark}
    c = nn.CrossEntropyLoss()(Net()(x), y){mark}
"""


def test_module_lists_from_comprehensions_module_dicts_and_container_subclasses():
    check_invalid(MODULE_CONTAINERS.format(last="nn.Softmax(dim=1)", mark="  # expect: LL101"))
    check_valid(MODULE_CONTAINERS.format(last="nn.Dropout(0.1)", mark=""))


def test_a_container_subclass_with_its_own_forward_is_its_own_class():
    check_valid(
        """
        import torch.nn as nn

        class Stack(nn.ModuleList):
            def forward(self, x):
                return x

        net = Stack([nn.Linear(8, 4), nn.Softmax(dim=1)])
        a = nn.CrossEntropyLoss()(net(x), y)
        """
    )


PROCESSES = """
    import torch.multiprocessing as mp
    import torch.nn as nn

    def train(rank, model, criterion):
        for x, y in loader:
            loss = criterion(model(x), y){mark}

    if __name__ == "__main__":
        model = nn.Sequential(nn.Linear(8, 3), {last})
        processes = [mp.Process(target=train, args=(rank, model, nn.CrossEntropyLoss())) for rank in range(2)]
        p = mp.Process(target=train, args=(0, model), kwargs={{"criterion": nn.CrossEntropyLoss()}})
        mp.spawn(train, args=(model, nn.CrossEntropyLoss()), nprocs=2)
"""


def test_a_process_target_runs_with_the_arguments_it_is_given():
    check_invalid(PROCESSES.format(last="nn.Softmax(dim=1)", mark="  # expect: LL101"))
    check_valid(PROCESSES.format(last="nn.Dropout(0.1)", mark=""))


IGNITE = """
    import torch.nn as nn
    import torch.nn.functional as F
    from ignite.engine import create_supervised_trainer
    import ignite.distributed as idist

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(784, 10)

        def forward(self, x):
            return {out}

    model = idist.auto_model(Net())
    trainer = create_supervised_trainer(model, optimizer, nn.CrossEntropyLoss()){mark}
    other = create_supervised_trainer(model, optimizer, F.nll_loss, model_transform=lambda out: out.log())
"""


def test_a_library_trainer_calls_the_loss_on_the_models_output():
    check_invalid(IGNITE.format(out="F.softmax(self.fc(x), dim=1)", mark="  # expect: LL101"))
    check_valid(IGNITE.format(out="self.fc(x)", mark=""))


def test_a_module_of_a_package_without_init_is_imported_by_name():
    """``from network import common_network`` where ``network/`` has no ``__init__.py``
    (a namespace package, common in research code)."""
    sources = {
        "proj/network/common_network.py": """
            import torch.nn as nn

            class feat_classifier(nn.Module):
                def __init__(self, n):
                    super().__init__()
                    self.fc = nn.Linear(8, n)

                def forward(self, x):
                    return nn.functional.softmax(self.fc(x), dim=1)
        """,
        "proj/alg/erm.py": """
            import torch.nn.functional as F
            from network import common_network

            classifier = common_network.feat_classifier(4)
            loss = F.cross_entropy(classifier(x), y)
        """,
    }
    found = {(d.location.path, d.code) for d in lint_sources(sources)}
    assert ("proj/alg/erm.py", "LL101") in found


def test_a_copy_of_a_model_computes_what_the_model_computes():
    check_invalid(
        """
        import copy
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        teacher = copy.deepcopy(net)
        loss = nn.CrossEntropyLoss()(teacher(x), y)  # expect: LL101
        """
    )


INDEXED = """
    import torch.nn as nn

    discs = [nn.Sequential(nn.Linear(8, 1), {a}), nn.Sequential(nn.Linear(8, 1), {b})]
    heads = {{"a": nn.Sequential(nn.Linear(8, 3), {c}), "b": nn.Sequential(nn.Linear(8, 4), {d})}}
    for i, key in enumerate(names):
        l1 = nn.BCEWithLogitsLoss()(discs[i](x), y){mark1}
        l2 = nn.CrossEntropyLoss()(heads[key](x), t){mark2}
"""


def test_an_unknown_index_picks_one_of_the_known_items():
    check_invalid(INDEXED.format(a="nn.Sigmoid()", b="nn.Sigmoid()", c="nn.Softmax(dim=1)", d="nn.Softmax(dim=1)",
                                 mark1="  # expect: LL104", mark2="  # expect: LL101"))  # fmt: skip
    check_valid(INDEXED.format(a="nn.Sigmoid()", b="nn.Identity()", c="nn.Softmax(dim=1)", d="nn.Identity()", mark1="", mark2=""))
