"""Parsing and analysis reliability: every file CPython compiles is analysed, however
deep it nests; every file CPython's compiler refuses is an LL000 at Python's line and
column; a bug in losslint met in one file is reported for that file (exit status 2)
while every other file is still checked."""

from __future__ import annotations

import ast
import json
import pickle
import sys
import textwrap
import threading
import warnings
from typing import Dict, List, Tuple

import pytest
from click.testing import CliRunner

from losslint.analysis import summary
from losslint.analysis.engine import Interpreter
from losslint.cli import main
from losslint.runner import _summarize_job, lint
from losslint.selection import resolve
from tests.conftest import outcome

HEADER = "import torch.nn.functional as F\n"
FINDING = "loss = F.cross_entropy(F.softmax(z, dim=1), t)\n"
GOOD = (HEADER + FINDING).encode()


def run(files: Dict[str, str]):
    return lint([], resolve(), {name: text.encode() for name, text in files.items()})


def found(report) -> List[Tuple[str, str, int]]:
    return [(d.code, d.location.path, d.location.row) for d in report.diagnostics]


def compiles(source: str) -> bool:
    """Whether CPython compiles ``source``, counted from a fresh stack (as an import or
    ``python -m py_compile`` does): the bar these tests hold the analysis to."""
    outcome: List[bool] = []

    def attempt() -> None:
        try:
            compile(source, "deep.py", "exec", dont_inherit=True)
            outcome.append(True)
        except (SyntaxError, RecursionError, MemoryError):
            outcome.append(False)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome[0]


# --- valid code, however deep: analysed --------------------------------------------

N = 2000  # CPython compiles ~2,970 levels of these; the analysis' default limit is 1,000
CHAINS = {
    "elif": "x = 0\nif x == 0:\n    y = 0\n" + "".join(f"elif x == {i}:\n    y = {i}\n" for i in range(1, N)),
    "else-if": "if a:\n    pass\nelse:\n    if b:\n        pass\n    else:\n        y = 1\n",
    "unary-minus": "y = " + "-" * N + "1\n",
    "not": "y = " + "not " * N + "1\n",
    "invert": "y = " + "~" * N + "1\n",
    "attributes": "y = a" + ".b" * N + "\n",
    "subscripts": "y = a" + "[0]" * N + "\n",
    "calls": "y = f" + "()" * N + "\n",
    "method-calls": "y = a" + ".m()" * (N // 2) + "\n",
    "conditional-expressions": "y = " + "1 if c else " * N + "0\n",
    "additions": "y = " + " + ".join(["a"] * N) + "\n",
    "mixed-operators": "y = a" + "".join(f" {'+-*/'[i % 4]} a" for i in range(N)) + "\n",
    "powers": "y = " + " ** ".join(["a"] * N) + "\n",
    "lambdas": "y = " + "lambda: " * 900 + "1\n",
    "and": "y = " + " and ".join(["a"] * 10 * N) + "\n",
    "comparisons": "y = " + " < ".join(["a"] * 10 * N) + "\n",
    "lists": "y = " + "[" * 190 + "]" * 190 + "\n",
    "dicts": "y = " + "{1: " * 190 + "1" + "}" * 190 + "\n",
    "nested-functions": "".join("    " * i + f"def f{i}():\n" for i in range(90)) + "    " * 90 + "pass\n",
    "nested-blocks": "".join("    " * i + "with x:\n" for i in range(20)) + "    " * 20 + "pass\n",
}


@pytest.mark.parametrize("construct", sorted(CHAINS))
def test_valid_deep_code_is_analysed(construct):
    source = HEADER + CHAINS[construct] + FINDING
    assert compiles(source)
    report = run({"deep.py": source, "good.py": HEADER + FINDING})
    last = source.count("\n")
    assert found(report) == [("LL101", "deep.py", last), ("LL101", "good.py", 2)]
    assert not report.internal_errors and not report.notes


def test_the_elif_case_of_the_report():
    """500 branches, then a softmax into cross_entropy (the shared case 08)."""
    source = HEADER + CHAINS["elif"].split("elif x == 500:")[0] + FINDING
    assert found(run({"labels.py": source})) == [("LL101", "labels.py", source.count("\n"))]


def test_a_deep_value_flows_through_the_interpreter():
    chain = "p = " + "".join(f"F.softmax(a{i}, dim=1) if c{i} else " for i in range(1500)) + "F.softmax(b, dim=1)\n"
    calls = "".join(f"def f{i}(z):\n    return f{i - 1}(z)\n" for i in range(1, 1500))
    sources = {
        "ifexp.py": HEADER + chain + "loss = F.cross_entropy(p, t)\n",
        "calls.py": HEADER + "def f0(z):\n    return F.softmax(z, dim=1)\n" + calls + "loss = F.cross_entropy(f1499(z), t)\n",
    }
    report = run(sources)
    assert not [d for d in report.diagnostics if d.code == "LL000"]
    assert not report.internal_errors


def test_elif_chains_lower_to_nested_ifs_with_sites_in_source_order():
    source = "if a:\n    f(1)\nelif b:\n    f(2)\nelif c:\n    f(3)\nelse:\n    f(4)\n"
    module = summary.summarize("x.py", source.encode())[0].module
    (outer,) = module.body
    rows = [row for row, _, _, _ in module.positions]
    assert rows == [2, 4, 6, 8]
    second = outer.orelse[0]
    third = second.orelse[0]
    assert third.orelse[0].value.args[0].value.value == 4


def test_a_deep_ir_pickles_for_the_cache_and_the_workers():
    source = HEADER + CHAINS["calls"] + FINDING
    ok, blob, outline, failure = _summarize_job(("deep.py", source.encode()))
    assert ok and failure is None
    module = pickle.loads(blob)
    assert len(module.positions) > N


def test_the_recursion_limit_is_restored():
    before = summary.sys.getrecursionlimit()
    run({"deep.py": HEADER + CHAINS["attributes"] + FINDING})
    assert summary.sys.getrecursionlimit() == before


def test_deep_hands_back_results_and_exceptions():
    assert summary.deep(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(KeyError):
        summary.deep({}.__getitem__, "missing")


# --- deeper than Python allows, or than the analysis can go: LL000 at the construct --


def test_code_python_refuses_as_too_deep_is_ll000_at_the_construct():
    source = HEADER + "y = 1\ny = a" + ".b" * 5000 + "\n"
    assert not compiles(source)
    report = run({"deep.py": source, "good.py": HEADER + FINDING})
    ((code, path, row, column, message),) = [
        (d.code, d.location.path, d.location.row, d.location.column, d.message)
        for d in report.diagnostics
        if d.location.path == "deep.py"
    ]
    assert (code, row) == ("LL000", 3) and column > 1
    assert "nested too deeply" in message
    assert ("LL101", "good.py", 2) in found(report)


def test_beyond_the_parsers_own_stack_the_busiest_line_is_named():
    source = HEADER + "y = 1\ny = " + " ** ".join(["a"] * 8000) + "\n"
    report = run({"deep.py": source})
    ((row, message),) = [(d.location.row, d.message) for d in report.diagnostics]
    assert row == 3 and "nested too deeply" in message


def test_a_limit_of_the_analysis_points_at_the_construct(monkeypatch):
    """Should the raised limit not be enough, the deepest node is named, not 1:1."""
    monkeypatch.setattr(summary, "DEEP_RECURSION_LIMIT", 1200)
    source = HEADER + "y = 1\n\ny = a" + ".b" * N + "\n"
    report = run({"deep.py": source, "good.py": HEADER + FINDING})
    (failure,) = [d for d in report.diagnostics if d.location.path == "deep.py"]
    assert failure.code == "LL000" and failure.message == "nested too deeply to analyse; skipped"
    assert (failure.location.row, failure.location.column) == (4, 5)
    assert ("LL101", "good.py", 2) in found(report)


# --- what CPython's compiler refuses: LL000 with Python's own message and place -------

COMPILE_ERRORS = {
    "return-outside-function": "x = 1\nreturn x\n",
    "yield-outside-function": "x = 1\ny = (yield x)\n",
    "break-outside-loop": "x = 1\nif x:\n    break\n",
    "continue-outside-loop": "x = 1\ncontinue\n",
    "await-outside-function": "x = 1\nawait x\n",
    "await-outside-async": "def f():\n    await x\n",
    "async-with-outside-async": "def f():\n    async with x:\n        pass\n",
    "async-for-outside-async": "def f():\n    async for i in x:\n        pass\n",
    "duplicate-argument": "def f(a, b, a):\n    pass\n",
    "two-starred-targets": "a, *b, *c = d\n",
    "unknown-future-feature": "from __future__ import nonexistent_feature\n",
    "late-future-import": "x = 1\nfrom __future__ import annotations\n",
    "star-import-in-function": "def f():\n    from os import *\n",
    "yield-in-comprehension": "def f():\n    return [(yield i) for i in x]\n",
    "nonlocal-at-module-level": "x = 1\nnonlocal x\n",
    "nonlocal-without-binding": "def f():\n    nonlocal x\n",
    "assign-to-debug": "__debug__ = 1\n",
    "too-many-nested-blocks": "".join("    " * i + "for i in x:\n" for i in range(21)) + "    " * 21 + "pass\n",
    "assigned-before-global": "def f():\n    x = 1\n    global x\n",
    "parameter-and-global": "def f(a):\n    global a\n",
    "walrus-rebinds-comprehension-variable": "y = [i := 0 for i in x]\n",
}


@pytest.mark.parametrize("kind", sorted(COMPILE_ERRORS))
def test_compile_errors_are_ll000_at_pythons_line_and_column(kind):
    source = COMPILE_ERRORS[kind] + "\n" + HEADER + FINDING
    with pytest.raises(SyntaxError) as raised:
        compile(source, "bad.py", "exec", dont_inherit=True)
    error = raised.value
    report = run({"bad.py": source, "good.py": HEADER + FINDING})
    assert found(report) == [("LL000", "bad.py", error.lineno), ("LL101", "good.py", 2)]
    (syntax,) = [d for d in report.diagnostics if d.code == "LL000"]
    assert syntax.message == f"syntax error: {error.msg}"
    assert syntax.location.column == error.offset  # ASCII: bytes and characters agree


def test_the_column_of_a_compile_error_counts_characters():
    report = run({"bad.py": "s = 'ééé'; return s\n"})
    ((code, column),) = [(d.code, d.location.column) for d in report.diagnostics]
    assert (code, column) == ("LL000", 12)  # Python says 15: a UTF-8 byte offset


NOTEBOOK_AWAIT = ["import asyncio\n" + HEADER, "await asyncio.sleep(0)\nasync with lock:\n    pass\n" + FINDING]


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None} for c in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_top_level_await_is_valid_in_a_notebook_only():
    report = run({"nb.ipynb": notebook(*NOTEBOOK_AWAIT), "script.py": "".join(NOTEBOOK_AWAIT)})
    assert [(d.code, d.location.path, d.location.cell, d.location.row) for d in report.diagnostics] == [
        ("LL101", "nb.ipynb", 2, 4),
        ("LL000", "script.py", None, 3),
    ]


def test_a_compile_error_in_a_notebook_names_its_cell():
    report = run({"nb.ipynb": notebook("x = 1\n", "y = 2\nreturn y\n")})
    ((code, cell, row, message),) = [(d.code, d.location.cell, d.location.row, d.message) for d in report.diagnostics]
    assert (code, cell, row, message) == ("LL000", 2, 2, "syntax error: 'return' outside function")


def test_python_warnings_are_neither_printed_nor_findings():
    source = HEADER + "if x is 1:\n    pass\nr = '\\d'\nf = (1, 2)(3)\n" + FINDING
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        report = run({"noisy.py": source})
    assert not caught
    assert found(report) == [("LL101", "noisy.py", 6)]


# --- a bug in losslint: reported for its file, and the run goes on -------------------


def failing_for(path: str, original):
    def replacement(text, name, *args):
        if name == path:
            raise RuntimeError("boom\nsecond line")
        return original(text, name, *args)

    return replacement


def test_an_internal_error_while_summarising_is_reported_and_the_run_goes_on(monkeypatch):
    monkeypatch.setattr(summary, "parse", failing_for("bad.py", summary.parse))
    report = run({"bad.py": HEADER + FINDING, "good.py": HEADER + FINDING})
    assert found(report) == [("LL101", "good.py", 2)]
    (message,) = report.internal_errors
    assert message.startswith("internal error while analysing bad.py: RuntimeError: boom second line (please report)")
    assert message in report.notes


def test_a_workers_internal_error_is_an_internal_failure(monkeypatch):
    monkeypatch.setattr(summary, "parse", failing_for("bad.py", summary.parse))
    ok, blob, outline, failure = _summarize_job(("bad.py", GOOD))
    assert not ok and failure.internal and failure.message.startswith("RuntimeError: boom")


def test_an_internal_error_while_interpreting_one_file_is_reported_and_the_run_goes_on(monkeypatch):
    original = Interpreter._run_module

    def failing(self, name):
        if name == "bad.py":
            raise ZeroDivisionError("division by zero")
        return original(self, name)

    monkeypatch.setattr(Interpreter, "_run_module", failing)
    report = run({"bad.py": HEADER + FINDING, "good.py": HEADER + FINDING})
    assert ("LL101", "good.py", 2) in found(report)
    (message,) = report.internal_errors
    assert message.startswith("internal error while analysing bad.py: ZeroDivisionError: division by zero (please report)")


def test_an_internal_error_of_the_whole_interpretation_is_reported(monkeypatch):
    def failing(self, names=None):
        raise AssertionError("the link step broke")

    monkeypatch.setattr(Interpreter, "run", failing)
    report = run({"bad.py": "x = (\n", "good.py": HEADER + FINDING})
    assert found(report) == [("LL000", "bad.py", 1)]
    (message,) = report.internal_errors
    assert message.startswith("internal error while analysing good.py: AssertionError: the link step broke")


@pytest.mark.parametrize("quiet", [False, True], ids=["notes", "quiet"])
def test_the_cli_prints_every_finding_and_exits_2(tmp_path, monkeypatch, quiet):
    monkeypatch.setattr(summary, "parse", failing_for(str(tmp_path / "bad.py"), summary.parse))
    (tmp_path / "bad.py").write_bytes(GOOD)
    (tmp_path / "good.py").write_bytes(GOOD)
    args = [str(tmp_path), "--no-cache", "--jobs", "1", "--exit-zero", "--output-format", "json"]
    result = CliRunner().invoke(main, args + (["--quiet"] if quiet else []))
    assert result.exit_code == 2, result.output
    assert [d["filename"].rsplit("/", 1)[-1] for d in json.loads(result.stdout)] == ["good.py"]
    assert f"losslint: internal error while analysing {tmp_path / 'bad.py'}: RuntimeError: boom" in result.stderr


def test_an_internal_failure_is_not_cached(tmp_path, monkeypatch):
    """Neither the file's summary nor the run's report: the next run analyses it."""
    from losslint.cache import Cache

    (tmp_path / "bad.py").write_bytes(GOOD)
    bad = str(tmp_path / "bad.py")
    with monkeypatch.context() as patch:
        patch.setattr(summary, "parse", failing_for(bad, summary.parse))
        first = lint([bad], resolve(), cache=Cache(str(tmp_path / "cache")), root=str(tmp_path))
    assert first.internal_errors and not first.diagnostics
    second = lint([bad], resolve(), cache=Cache(str(tmp_path / "cache")), root=str(tmp_path))
    assert not second.internal_errors
    assert [(d.code, d.location.row) for d in second.diagnostics] == [("LL101", 2)]


_PARENT: List[int] = []


def _dying_job(job):
    """A worker's job that kills its worker process for one file, as the kernel's OOM
    killer would (module-level: the pool pickles it by name)."""
    import os

    from losslint.runner import _summarize_safely

    if job[0] == "f3.py" and os.getpid() not in _PARENT:
        os._exit(1)
    summary, failure = _summarize_safely(*job)
    return (True, summary.blob, summary.outline, None) if summary else (False, None, None, failure)


def test_a_worker_that_dies_leaves_its_files_to_the_main_process(monkeypatch):
    import multiprocessing
    import os

    from losslint import runner

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the workers must inherit the patched function")
    monkeypatch.setattr(runner, "_summarize_job", _dying_job)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # small files: a pool all the same
    monkeypatch.setattr(sys.modules[__name__], "_PARENT", [os.getpid()])
    pending = [(f"f{i}.py", GOOD) for i in range(runner.PARALLEL_MIN_FILES + 2)]
    results = runner._summarize_all(pending, jobs=2)
    assert [summary.path for summary, failure in results] == [path for path, _ in pending]
    assert all(failure is None for _, failure in results)


def test_a_bug_checking_a_fix_is_an_internal_error_and_the_finding_stays(monkeypatch):
    import losslint.fixer.engine

    def failing(fix, files):
        raise KeyError("libcst")

    monkeypatch.setattr(losslint.fixer.engine, "preview", failing)
    report = run({"a.py": HEADER + FINDING, "b.py": HEADER + FINDING})
    assert found(report) == [("LL101", "a.py", 2), ("LL101", "b.py", 2)]
    assert all(d.fix is None and "internal error" in d.no_fix for d in report.diagnostics)
    assert [m.split(" (please")[0] for m in report.internal_errors] == [
        "internal error while analysing a.py: KeyError: 'libcst'",
        "internal error while analysing b.py: KeyError: 'libcst'",
    ]


def test_a_bug_in_one_rule_is_an_internal_error_and_the_others_report(monkeypatch):
    import dataclasses

    from losslint import runner

    def failing(facts, describe):
        raise IndexError("rule bug")

    rules = [dataclasses.replace(r, check=failing) if r.code == "LL205" else r for r in runner.RULES]
    monkeypatch.setattr(runner, "RULES", rules)
    report = run({"a.py": HEADER + FINDING})
    assert found(report) == [("LL101", "a.py", 2)]
    (message,) = report.internal_errors
    assert message.startswith("internal error while analysing rule LL205: IndexError: rule bug (please report)")


def test_the_deepest_node_is_found_without_recursion():
    tree = ast.parse("x = 1\n\nif a:\n    y = (b + c)\n")
    assert summary._deepest(tree, "x = 1\n\nif a:\n    y = (b + c)\n") == (4, 10)


def _same_ir(a, b):
    """Field by field: the IR's nodes compare by identity."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same_ir(x, y) for x, y in zip(a, b))
    slots = getattr(type(a), "__slots__", None)
    if slots and type(a).__module__ == "losslint.analysis.ir":
        if type(a).__name__ == "Positions":
            return list(a) == list(b)
        return all(_same_ir(getattr(a, name), getattr(b, name)) for name in slots)
    return a == b


def test_every_kind_of_ir_node_pickles_back_to_the_same_fields():
    source = textwrap.dedent(
        """
        import torch.nn as nn
        from .models import Net as N
        from .helpers import *
        global_value: int = 3
        class Model(nn.Module, metaclass=Meta):
            def __init__(self, width=10, *layers, scale: float = 1.0, **options):
                super().__init__()
                self.fc = nn.Linear(width, options["n"] if options else -width)
            async def forward(self, x):
                global global_value
                async with lock() as held, other():
                    y = [v async for v in x]
                del held
                return {**self.fc(x[1:2, ::3]), "k": (*x, y)} if (z := x) else lambda q: q
        for i, (a, *rest) in enumerate(data):
            if i > 2:
                continue
            elif a:
                break
            total += a
        else:
            total = 0
        while total:
            total -= 1
        try:
            f(total)
        except (KeyError, ValueError) as error:
            raise RuntimeError() from error
        finally:
            g()
        match total:
            case 0:
                h()
            case _:
                pass
        """
    )
    module = summary.summarize("every.py", source.encode())[0].module
    kinds = set()
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend(node)
        elif type(node).__module__ == "losslint.analysis.ir" and type(node).__name__ != "Positions":
            kinds.add(type(node).__name__)
            stack.extend(getattr(node, name) for name in type(node).__slots__)
    assert {"Arg", "Param", "Call", "Attr", "Loop", "Try", "Branches", "ClassDef", "FunctionDef", "ImportFrom", "Outline"} <= kinds
    back = pickle.loads(pickle.dumps(module, protocol=pickle.HIGHEST_PROTOCOL))
    assert _same_ir(module, back)
    assert not _same_ir(module, summary.summarize("other.py", source.replace("width, ", "width + 1, ").encode())[0].module)


def test_an_ir_too_deep_for_pickle_is_analysed_and_cached_to_lower_again(tmp_path, monkeypatch):
    """From Python 3.12 pickle's C code has a recursion limit of its own that no
    recursion limit raises (a chain of 400 method calls on 3.12): such a file is
    analysed from the IR held, the cache stores it to be lowered again when read, and
    the report is the one a picklable IR gives, with one process or two, cold or warm."""
    from losslint import runner
    from losslint.analysis import ir
    from losslint.cache import Cache

    project = tmp_path / "project"
    project.mkdir()
    (project / "common.py").write_text("import torch.nn as nn\ncriterion = nn.CrossEntropyLoss()\n")
    chain = "".join(f".add({i})" for i in range(60))
    for n in range(9):  # lazy entry files, enough for the processes
        (project / f"deep{n}.py").write_text(
            "import torch\nfrom common import criterion\n\n"
            f"def g(b, a):\n    y = torch.softmax(b{chain}, dim=1)\n    return criterion(y, a)\n" + "# padding\n" * 4000
        )
    expected = [outcome(lint([str(project)], resolve(["ALL"]), jobs=jobs)) for jobs in (1, 2)]
    assert expected[0] == expected[1] and any(finding[2] == "LL101" for finding in expected[0][0])
    dumps = summary.pickle.dumps

    def shallow_pickle(value, *args, **kwargs):
        if isinstance(value, ir.Module) and "g" in value.defines:  # the deep files
            raise RecursionError("maximum recursion depth exceeded while pickling an object")
        return dumps(value, *args, **kwargs)

    monkeypatch.setattr(summary.pickle, "dumps", shallow_pickle)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    for jobs in (1, 2):
        cache = Cache(str(tmp_path / f"cache{jobs}"))
        assert outcome(lint([str(project)], resolve(["ALL"]), jobs=jobs)) == expected[0]
        assert outcome(lint([str(project)], resolve(["ALL"]), jobs=jobs, cache=cache)) == expected[0]
        (project / "common.py").write_text((project / "common.py").read_text() + "# edited\n")
        assert outcome(lint([str(project)], resolve(["ALL"]), jobs=jobs, cache=cache)) == expected[0]  # warm


def test_a_fix_libcst_cannot_apply_to_the_whole_file_is_said(tmp_path):
    """The check of a fix parses the statements around it; writing it parses the whole
    file, which libcst refuses for valid code nested deeper than it goes: --fix says so
    instead of leaving the file as it is in silence."""
    import subprocess
    import sys

    path = tmp_path / "deep.py"
    path.write_text(HEADER + CHAINS["elif"] + FINDING)
    done = subprocess.run(
        [sys.executable, "-m", "losslint", "--no-cache", "--fix", "--unsafe-fixes", str(path)], capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stderr
    fixed = path.read_text() != HEADER + CHAINS["elif"] + FINDING
    assert fixed or f"cannot fix {path}: libcst, which rewrites the code, cannot parse the whole file" in done.stderr
