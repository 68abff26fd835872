"""Fuzzing, a few hundred inputs per run with fixed seeds (benchmarks/fuzz.py is the
generator; ``python benchmarks/fuzz.py --count 20000 --seed N`` is the long run).

Generated programs, mutated training scripts, deep nesting, corrupted notebooks and
noise, in batches: a batch passes when losslint exits with 0 or 1, prints no
traceback, its JSON parses, a Python file has an LL000 exactly when CPython does not
compile it, and every file ``--fix --unsafe-fixes`` changes still compiles."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_fuzz():
    spec = importlib.util.spec_from_file_location("losslint_fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = load_fuzz()


def explain(problems) -> str:
    return "\n\n".join(
        f"[{p.check}] {p.message}\ninputs: " + "; ".join(f"{u.kind} {u.note} {sorted(u.files)}" for u in p.units) for p in problems
    )


def test_a_seed_names_the_same_inputs():
    first = [(u.kind, u.files, u.note) for u in fuzz.Fuzzer(3).units(40)]
    again = [(u.kind, u.files, u.note) for u in fuzz.Fuzzer(3).units(40)]
    assert first == again
    assert {kind for kind, _, _ in first} == {name for name, _ in fuzz.KINDS}


def test_generated_programs_are_mostly_valid_python():
    programs = [data for u in fuzz.Fuzzer(5).units(60, kinds=(("program", 1),)) for data in u.files.values()]
    valid = [data for data in programs if not fuzz.compile_error(data, "program.py")]
    assert len(valid) >= 0.8 * len(programs)


@pytest.mark.parametrize("seed", [11, 12, 15])
def test_a_batch_through_the_cli(tmp_path, seed):
    units = list(fuzz.Fuzzer(seed).units(100))
    problems = fuzz.check_cli(units, tmp_path / "batch")
    assert not problems, explain(problems)


def test_a_batch_fixed_through_the_cli(tmp_path):
    units = list(fuzz.Fuzzer(13, shallow=True).units(80))
    problems = fuzz.check_cli(units, tmp_path / "batch", fix=True)
    assert not problems, explain(problems)


def test_notebooks_through_the_cli(tmp_path):
    units = list(fuzz.Fuzzer(14).units(100, kinds=(("notebook", 1),)))
    problems = fuzz.check_cli(units, tmp_path / "batch", jobs=2)
    assert not problems, explain(problems)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_batches_through_the_api_with_every_reporter_and_the_fixes(seed):
    units = list(fuzz.Fuzzer(seed, shallow=True).units(60))
    problems = fuzz.check_in_process(units)
    assert not problems, explain(problems)


def test_deep_inputs_through_the_api():
    units = list(fuzz.Fuzzer(31).units(60, kinds=(("deep", 1),)))
    problems = fuzz.check_in_process(units, fixes=False)  # the fixer's libcst: see fuzz.SHALLOW
    assert not problems, explain(problems)

