"""Every case of ``../shared/cases`` (inputs written for this project that earlier
versions got wrong), run as the CLI runs: each folder copied to a temporary place and
linted with ``--select ALL``. Skipped cleanly when the folder is absent.

- In ``.py`` files, ``# expect: LLxxx`` marks where a finding must be, ``# may: LLxxx``
  where one is allowed, and a file starting with ``# clean`` must stay silent; files of a
  folder that has any marker may hold no other finding (LL900 aside).
- ``reliability/*/README.txt`` says a command and what should happen: ``RELIABILITY``
  below checks that for each folder, by kind (the folder name's prefix).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

import pytest

CASES = Path(__file__).resolve().parent.parent.parent / "shared" / "cases"
MARK = re.compile(r"#\s*(expect|may):\s*((?:LL\d{3}[\s,]*)+)")
LOSSLINT = [sys.executable, "-m", "losslint"]


def folders(group: str) -> List[Path]:
    base = CASES / group
    return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def run(cwd: Path, *args: str, stdin: bytes = b"", timeout: int = 120, prefix: Tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*prefix, *LOSSLINT, "--no-cache", *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return done


def findings(cwd: Path, *args: str, **kwargs) -> List[dict]:
    done = run(cwd, "--select", "ALL", "--ignore", "LL900", "--output-format", "json", *args, **kwargs)
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    return json.loads(done.stdout)


def where(found: List[dict]) -> Set[Tuple[str, int, str]]:
    return {(d["filename"], d["location"]["row"], d["code"]) for d in found}


def copy(case: Path, tmp_path: Path) -> Path:
    target = tmp_path / case.name
    shutil.copytree(case, target, symlinks=True)
    return target


def marks(folder: Path) -> Tuple[Set[Tuple[str, int, str]], Set[Tuple[str, int, str]], Set[str]]:
    """(expected, allowed, checked files) from the markers of the folder's .py files."""
    expected, allowed, checked = set(), set(), set()
    for path in sorted(folder.rglob("*.py")):
        name = path.relative_to(folder).as_posix()
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if lines and lines[0].strip() == "# clean":
            checked.add(name)
        for row, line in enumerate(lines, start=1):
            for kind, codes in MARK.findall(line):
                checked.add(name)
                for code in re.findall(r"LL\d{3}", codes):
                    (expected if kind == "expect" else allowed).add((name, row, code))
    return expected, allowed, checked


def marked_folders() -> List[Path]:
    return [f for group in ("reach", "reliability") for f in folders(group) if marks(f)[2]]


# Kinds of the reach issue (18) not all handled yet: run, but expected to fail until it is.
REACH_OPEN = "issue 18 (reach on real code) is open"
# the reach folders whose kind is not handled yet: remove a name once its kind is
STILL_OPEN: set = set()


@pytest.mark.parametrize("case", marked_folders(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_markers(case: Path, tmp_path: Path, request) -> None:
    if case.parent.name == "reach" and case.name in STILL_OPEN:
        request.applymarker(pytest.mark.xfail(reason=REACH_OPEN, strict=False))
    folder = copy(case, tmp_path)
    expected, allowed, checked = marks(folder)
    found = {f for f in where(findings(folder, ".")) if f[0] in checked}
    assert expected <= found, f"missed: {sorted(expected - found)}"
    assert found <= expected | allowed, f"not marked: {sorted(found - expected - allowed)}"


# --- reliability/NN_*: the README's command and what should happen ----------------------


def _silent(*codes: str, args: Tuple[str, ...] = ()) -> Callable[[Path], None]:
    """No finding of ``codes`` (all error/warning findings when empty)."""

    def check(folder: Path) -> None:
        found = findings(folder, ".", *args)
        bad = [d for d in found if (d["code"] in codes if codes else d["severity"] in ("error", "warning"))]
        assert bad == [], bad

    return check


def _syntax_errors_and_the_rest_goes_on(messages: Dict[str, str]) -> Callable[[Path], None]:
    """LL000 for each named file (its message containing the text given), and train.py's
    LL101 still reported when there is a train.py."""

    def check(folder: Path) -> None:
        found = findings(folder, ".")
        ll000 = {d["filename"]: d["message"] for d in found if d["code"] == "LL000"}
        for name, text in messages.items():
            assert name in ll000 and text in ll000[name], (name, ll000)
        if (folder / "train.py").exists():
            assert ("train.py", 5, "LL101") in where(found)

    return check


def _compile_errors(folder: Path) -> None:
    found = {d["filename"]: d for d in findings(folder, ".") if d["code"] == "LL000"}
    for path in sorted(folder.glob("*.py")):
        try:
            compile(path.read_bytes(), path.name, "exec", dont_inherit=True)
        except SyntaxError as error:
            assert path.name in found, f"no LL000 for {path.name}"
            assert error.msg in found[path.name]["message"]
            assert found[path.name]["location"]["row"] == error.lineno
        else:
            pytest.fail(f"{path.name} compiles: not a case of this kind")


def _long_chains(folder: Path) -> None:
    found = findings(folder, ".")
    assert not [d for d in found if d["code"] == "LL000"]
    last = len((folder / "labels.py").read_text().splitlines())
    assert ("labels.py", last, "LL101") in where(found)


def _setup(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "made"
    subprocess.run(["sh", str(folder / "setup.sh"), str(target)], check=True, capture_output=True)
    return target


def _special_files(folder: Path, tmp_path: Path) -> None:
    made = _setup(folder, tmp_path)
    for sub, name in (("fifo", "pipe.py"), ("zero", "zero.py"), ("urandom", "rand.py")):
        found = findings(made / sub, ".", timeout=60)
        ll000 = [d for d in found if d["code"] == "LL000" and d["filename"] == name]
        assert ll000 and "not a regular file" in ll000[0]["message"], found
        assert ("train.py", 5, "LL101") in where(found)


def _unreadable_folder(folder: Path, tmp_path: Path) -> None:
    made = _setup(folder, tmp_path)
    try:
        prefix: Tuple[str, ...] = ()
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: a mode-000 folder is readable")
            prefix = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")
        done = run(made, "--output-format", "json", ".", prefix=prefix)
        if done.returncode != 1 and b"Operation not permitted" in done.stderr:
            pytest.skip("setpriv is not allowed here")
        found = json.loads(done.stdout)
        assert any(d["code"] == "LL000" and "cannot read the folder" in d["message"] for d in found), found
        assert done.returncode == 1
    finally:
        os.chmod(made / "models", 0o755)


def _junit(folder: Path) -> None:
    done = run(folder, "--output-format", "junit", ".")
    ElementTree.fromstring(done.stdout)  # well-formed
    control = folder / "ctl\x01.py"
    control.write_bytes((folder / "formfeed.py").read_bytes())
    ElementTree.fromstring(run(folder, "--output-format", "junit", ".").stdout)


def _stdin_notebook(folder: Path, tmp_path: Path) -> None:
    buffer = (folder / "softmax_ce.ipynb").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    for cwd, on_disk in ((empty, None), (folder, folder / "on_disk_version.ipynb")):
        if on_disk is not None:
            shutil.copy(on_disk, cwd / "nb.ipynb")
        done = run(cwd, "--fix", "--unsafe-fixes", "-", "--stdin-filename", "nb.ipynb", stdin=buffer)
        fixed = json.loads(done.stdout)
        original = json.loads(buffer)
        assert len(fixed["cells"]) == len(original["cells"])
        assert [c["cell_type"] for c in fixed["cells"]] == [c["cell_type"] for c in original["cells"]]
        assert "softmax" not in "".join("".join(c["source"]) for c in fixed["cells"] if c["cell_type"] == "code")
        assert "cell deleted in the editor" not in done.stdout.decode()


def _git_config_not_run(folder: Path, tmp_path: Path) -> None:
    made = _setup(folder, tmp_path)
    run(made / "repo", ".")
    assert not (made / "MARKER_written_by_fsmonitor").exists()


def _cache_not_unpickled(folder: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    subprocess.run([sys.executable, str(folder / "plant.py"), str(project)], check=True, capture_output=True)
    marker = tmp_path / "MARKER_from_cache_pickle"
    for cwd in (project, tmp_path):
        done = subprocess.run([*LOSSLINT, str(project)], cwd=cwd, capture_output=True, timeout=120)
        assert b"Traceback" not in done.stderr
        assert not marker.exists(), "the linted tree's cache was unpickled"


def _ipython_syntax(folder: Path) -> None:
    found = findings(folder, ".")
    assert [d for d in found if d["code"] == "LL000"] == []
    assert any(d["code"] == "LL101" and d["filename"] == "shell_in_block.ipynb" for d in found)


def _fix_keeps_uses_in_other_files(folder: Path) -> None:
    done = run(folder, "--select", "ALL", "--unsafe-fixes", "--diff", ".")
    assert done.returncode == 0 and done.stdout.strip() == b"", done.stdout


def _runs_through(folder: Path) -> None:
    """A case without a check of its own yet: at least no traceback and exit 0 or 1."""
    findings(folder, ".")


RELIABILITY: Dict[str, Callable[..., None]] = {
    "01": _silent("LL403"),
    "02": _silent(),
    "03": _silent("LL402", args=("--select", "LL402")),
    "04": _fix_keeps_uses_in_other_files,
    "05": _syntax_errors_and_the_rest_goes_on({"source_int.ipynb": "invalid notebook", "source_list_with_int.ipynb": "invalid notebook"}),
    "06": _syntax_errors_and_the_rest_goes_on({"deep.ipynb": "nested too deeply"}),
    "07": _syntax_errors_and_the_rest_goes_on({"surrogate.ipynb": "surrogate"}),
    "08": _long_chains,
    "09": _compile_errors,
    "10": _special_files,
    "11": _unreadable_folder,
    "12": _syntax_errors_and_the_rest_goes_on(
        {"cells_not_objects.ipynb": "invalid notebook", "no_cell_type.ipynb": "invalid notebook", "source_null.ipynb": "invalid notebook"}
    ),
    "13": _silent(),
    "14": _silent(),
    "15": _silent("LL404"),
    "16": _silent(),
    "17": _silent("LL107"),
    "18": _silent(),
    "19": _silent("LL401", args=("--select", "LL401")),
    "20": _junit,
    "21": _stdin_notebook,
    "22": _git_config_not_run,
    "23": _cache_not_unpickled,
    "24": _ipython_syntax,
}


@pytest.mark.parametrize("case", folders("reliability"), ids=lambda p: p.name)
def test_reliability(case: Path, tmp_path: Path) -> None:
    check = RELIABILITY.get(case.name[:2], _runs_through)
    folder = copy(case, tmp_path)
    if "tmp_path" in check.__code__.co_varnames[: check.__code__.co_argcount]:
        check(folder, tmp_path)
    else:
        check(folder)


def test_the_cases_are_there_or_skipped() -> None:
    if not CASES.is_dir():
        pytest.skip(f"{CASES} is absent")
    assert folders("reliability") or folders("reach")
