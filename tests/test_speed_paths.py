"""What makes large repositories cheaper (issue 20) changes no output: the process pool
is used only when it pays and gives the same report, and a file that imports names from
a package only counts as an importer of its loss files when a name may lead there."""

import concurrent.futures
from pathlib import Path

from losslint import runner
from losslint.analysis.modules import ModuleIndex
from losslint.runner import _entry_points, lint
from losslint.selection import resolve

ROOT = Path(__file__).resolve().parent.parent


def outcome(report):
    return (
        [(d.location.path, d.location.row, d.code, d.message, [r.message for r in d.related]) for d in report.diagnostics],
        report.loss_calls,
        report.unresolved,
        report.notes,
    )


def test_the_pool_gives_the_same_report(monkeypatch):
    targets = [str(ROOT / "examples"), str(ROOT / "tests" / "fixtures" / "projects")]
    one = outcome(lint(targets, resolve(["ALL"]), jobs=1))
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    started = []
    original = concurrent.futures.ProcessPoolExecutor

    def counting(*args, **kwargs):
        started.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting)
    two = outcome(lint(targets, resolve(["ALL"]), jobs=2))
    assert started and one == two and one[0]


def test_no_pool_for_a_handful_of_small_files(monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("a pool was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    sources = {f"m{i}.py": b"import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Softmax(dim=1)(x), y)\n" for i in range(20)}
    report = lint(list(sources), resolve(["ALL"]), sources, jobs=2)
    assert len([d for d in report.diagnostics if d.code == "LL101"]) == 20


PACKAGE = {
    "pkg/__init__.py": (
        "from .shapes import ShapeSpec, Wrapped\nfrom .losses import focal\nfrom . import losses\n\n"
        "Wrapped = losses.wrap(Wrapped)\n"
    ),
    "pkg/shapes.py": (
        "class ShapeSpec:\n    def __init__(self, channels):\n        self.channels = channels\n\n\n"
        "class Wrapped:\n    pass\n"
    ),
    "pkg/losses.py": (
        "import torch.nn.functional as F\n\n\n"
        "def focal(logits, target):\n    return F.cross_entropy(logits, target)\n"
    ),
    "uses_shapes.py": "from pkg import ShapeSpec\n\n\ndef make():\n    return ShapeSpec(3)\n",
    "uses_loss.py": "from pkg import focal\n\n\ndef step(x, y):\n    return focal(x, y)\n",
    "uses_module.py": "from pkg import losses\n\n\ndef step(x, y):\n    return losses.focal(x, y)\n",
    "uses_package.py": "import pkg\n\n\ndef step(x, y):\n    return pkg.focal(x, y)\n",
    "uses_star.py": "from pkg import *\n",
    "uses_wrapped.py": "from pkg import Wrapped\n\n\ndef make():\n    return Wrapped()\n",
}


def test_an_importer_of_names_that_cannot_lead_to_a_loss_is_not_an_entry_point(tmp_path):
    for name, text in PACKAGE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    run = runner.Run(resolve(["ALL"]), None, None, {})
    files = sorted(str(tmp_path / name) for name in PACKAGE)
    named, opted = run.summarise(run.read(files), 1)
    assert sorted(Path(p).name for p in named) == ["losses.py"]
    entries = {str(Path(p).relative_to(tmp_path)) for p in _entry_points(named, opted, run.summaries, ModuleIndex(run.summaries))}
    assert entries == {"pkg/__init__.py", "pkg/losses.py", "uses_loss.py", "uses_module.py", "uses_package.py", "uses_star.py", "uses_wrapped.py"}


def test_forgetting_memoised_calls_between_modules_changes_no_finding(monkeypatch):
    from losslint.analysis.engine import driver

    targets = [str(ROOT / "examples"), str(ROOT / "tests" / "fixtures" / "projects")]
    kept = outcome(lint(targets, resolve(["ALL"]), jobs=1))
    forgotten = []
    original = driver.Interpreter.forget_calls
    monkeypatch.setattr(driver, "MEMO_LIMIT", 0)
    monkeypatch.setattr(driver.Interpreter, "forget_calls", lambda self: forgotten.append(1) or original(self))
    assert outcome(lint(targets, resolve(["ALL"]), jobs=1)) == kept
    assert forgotten
