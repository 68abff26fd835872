"""What makes large repositories cheaper (issue 20) changes no output: the process pool
is used only when it pays and gives the same report, and a file that imports names from
a package only counts as an importer of its loss files when a name may lead there."""

import concurrent.futures
from pathlib import Path

from losslint import runner
from losslint.analysis.modules import ModuleIndex
from losslint.runner import _entry_points, lint
from losslint.selection import resolve
from tests.conftest import outcome

ROOT = Path(__file__).resolve().parent.parent




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


# --- files lowered only when the analysis reads them -----------------------------------

LAZY_CASES = {
    "nested imports": (
        "import os, a.b as c\nfrom . import d\nfrom ..e import (f,\n    g as h)\nfrom i import *\n\n"
        "def k():\n    import l.m\n    try:\n        from n import o\n    except ImportError:\n        from p import o\n"
        "    else:\n        import q\n    finally:\n        import r\n\n"
        "class S:\n    with t:\n        import u\n    for v in w:\n        import x\n    else:\n        import y\n"
        "    while z:\n        import aa\n    match bb:\n        case 1:\n            import cc\n"
    ),
    "an import in a docstring": 'def f():\n    """\n    import fake\n    """\n    import real\n',
    "an import after a colon": "import a\nif b: import c\nx = 1; import d\n",
    "dead code": "import a\nif False:\n    import b\n\ndef f():\n    return 1\n    import c\n",
    "many constants": "".join(f"x{n} = {n}.5\n" for n in range(400)) + "from big import name\n\ndef f():\n    from .rel import other\n",
}


def _eager_and_lazy(text):
    from losslint.analysis import summary

    eager, failure = summary.summarize("m.py", text.encode())
    lazy, failure_lazy = summary.summarize("m.py", text.encode(), eager=False)
    assert failure is None and failure_lazy is None
    return eager, lazy


def test_a_file_left_to_lower_when_read_has_the_same_outline_and_ir():
    import pickle

    left_lazy = 0
    for name, text in LAZY_CASES.items():
        eager, lazy = _eager_and_lazy(text)
        # the same imports (in source order: the lowering meets a try's handlers first)
        assert lazy.outline.standalone == eager.outline.standalone, name
        assert sorted(lazy.outline.imports) == sorted(eager.outline.imports), name
        left_lazy += lazy.lazy
        assert pickle.dumps(lazy.module) == pickle.dumps(eager.module), name
        assert not lazy.lazy
    assert left_lazy >= 3  # the others were lowered at once: what the text says is not what runs


def test_a_lazy_file_peeked_is_lowered_but_held_only_pickled():
    """Reach reads every candidate file once (``peek``): a file lowered then is kept
    pickled, as the cache stores it, not as IR (on diffusers with ``--jobs 1`` the
    1,500 files lowered for reach held 80 MB more at the peak)."""
    import pickle

    for name, text in LAZY_CASES.items():
        eager, lazy = _eager_and_lazy(text)
        if not lazy.lazy:
            continue
        peeked = lazy.peek()
        assert pickle.dumps(peeked) == pickle.dumps(eager.module), name
        assert lazy._module is None and lazy.lowered_late and not lazy.lazy, name
        assert lazy.blob == pickle.dumps(eager.module, protocol=pickle.HIGHEST_PROTOCOL), name
        assert list(lazy.module.positions) == list(eager.module.positions), name  # read back when it runs


def test_the_outline_of_a_tree_is_the_lowerings_in_its_order():
    import ast

    from losslint.analysis import summary

    for name, text in LAZY_CASES.items():
        eager, _ = _eager_and_lazy(text)
        assert summary.import_outline(ast.parse(text)) == eager.outline.imports, name


def test_a_file_with_a_softmax_or_a_syntax_error_is_not_left_lazy():
    from losslint.analysis import summary

    lazy, _ = summary.summarize("m.py", b"import torch\ny = torch.softmax(x)\n", eager=False)
    assert not lazy.lazy and lazy.outline.standalone
    for text in ["x = (\n", "return 1\n", "def f(a, a):\n    pass\n", "from __future__ import nope\n", "é = 1; return é\n"]:
        summary_now, failure_now = summary.summarize("m.py", text.encode())
        summary_later, failure_later = summary.summarize("m.py", text.encode(), eager=False)
        assert summary_now is None and summary_later is None and failure_now is not None
        assert failure_later == failure_now, text


def _no_lazy_lowering(monkeypatch):
    from losslint.analysis import summary

    monkeypatch.setattr(summary, "LAZY_RECURSION_LIMIT", summary.DEEP_RECURSION_LIMIT + 1)


def test_lowering_when_read_changes_no_output(monkeypatch):
    targets = [str(ROOT / "examples"), str(ROOT / "tests" / "fixtures" / "projects")]
    lazily = outcome(lint(targets, resolve(["ALL"]), jobs=1))
    _no_lazy_lowering(monkeypatch)
    assert outcome(lint(targets, resolve(["ALL"]), jobs=1)) == lazily


def test_a_warm_run_after_one_edit_equals_a_cold_run(tmp_path):
    """Cached summaries left lazy, lowered and stored later, read back: the report of a
    run after an edit is the report of a cold run over the edited tree."""
    import shutil

    from losslint.cache import Cache

    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects", tree)
    cache = Cache(str(tmp_path / "cache"))
    lint([str(tree)], resolve(["ALL"]), cache=cache)
    edited = sorted(tree.rglob("*.py"))
    trained = next(p for p in edited if "CrossEntropyLoss" in p.read_text() or "cross_entropy" in p.read_text())
    trained.write_text(trained.read_text().replace("dim=1", "dim=-1") + "\n# edited\n")
    warm = outcome(lint([str(tree)], resolve(["ALL"]), cache=cache))
    cold = outcome(lint([str(tree)], resolve(["ALL"]), cache=Cache(str(tmp_path / "fresh"))))
    uncached = outcome(lint([str(tree)], resolve(["ALL"])))
    assert warm == cold == uncached and cold[0]


def test_entry_points_lowered_by_the_pool_give_the_same_report(monkeypatch, tmp_path):
    project = tmp_path / "project"
    for name, text in PACKAGE.items():  # importers of a loss file that name no loss: lazy entry points
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    targets = [str(project), str(ROOT / "tests" / "fixtures" / "projects")]
    from losslint.cache import Cache

    probes = []  # what each run records of the disk, for a later run to check
    recorded_run = runner.RunRecord
    monkeypatch.setattr(runner, "RunRecord", lambda dependencies, probed, report: probes.append(dict(probed)) or recorded_run(dependencies, probed, report))
    here = outcome(lint(targets, resolve(["ALL"]), jobs=1, cache=Cache(str(tmp_path / "one"))))
    lowered = []
    collected = []
    original = runner._lowered_meanwhile

    def recorded(lazy, jobs, linted):
        for done in original(lazy, jobs, linted):
            lowered.extend([done.summary] if not done.summary.lazy else [])  # a worker lowered it
            collected.extend([done.units] if done.units is not None else [])  # and split it into reach's units
            yield done

    import concurrent.futures
    import threading

    forked_from = []  # the threads that started pools: a fork from another thread forks a multi-threaded process
    mapped = concurrent.futures.ProcessPoolExecutor.map
    monkeypatch.setattr(
        concurrent.futures.ProcessPoolExecutor, "map", lambda pool, *a, **k: forked_from.append(threading.current_thread()) or mapped(pool, *a, **k)
    )
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(runner, "_lowered_meanwhile", recorded)
    assert outcome(lint(targets, resolve(["ALL"]), jobs=2, cache=Cache(str(tmp_path / "two")))) == here
    assert len(lowered) >= 4 and len(collected) == len(lowered) and here[1]
    assert len(probes) == 2 and probes[0] == probes[1] and probes[0]  # the workers' probes are recorded too
    assert forked_from and all(thread is threading.main_thread() for thread in forked_from)


def test_a_spawned_lowering_process_reads_the_users_knowledge(tmp_path):
    """A worker started by spawn or forkserver (macOS; Linux from Python 3.14) inherits no
    tables: it configures the user's knowledge again, and the reach units it collects are
    the ones this process would collect (``[library] roots`` says ``acme`` is a
    library, not the local package of that name)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from losslint.analysis import tables as T
    from losslint.analysis.reach import file_units
    from losslint.analysis.summary import lower_text

    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "__init__.py").write_text("def train(model):\n    return model\n")
    (tmp_path / "common.py").write_text("import torch.nn as nn\nmodel = nn.Linear(2, 2)\ncriterion = nn.CrossEntropyLoss()\n")
    text = "import acme\nimport common\n\n\ndef main():\n    acme.train(common.model)\n"
    (tmp_path / "script.py").write_text(text)
    (tmp_path / "knowledge.toml").write_text('[library]\nroots = ["acme"]\n')
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    script = str(tmp_path / "script.py")
    T.configure([str(tmp_path / "knowledge.toml")])
    try:
        here = file_units(script, lower_text(text, script), T.LOSS_MENTIONS.named_by, ModuleIndex(paths).resolve)
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn, initializer=runner._start_lowering, initargs=(T.USER_FILES, paths)) as pool:
            blob, there, probes = pool.submit(runner._lower_job, (script, text)).result()
    finally:
        T.configure([])
    assert blob and there == here
    assert [sorted(unit.attributes) for unit in here.units] == [[], ["model"]]  # acme.train is the library's
