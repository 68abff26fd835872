"""--fix, --unsafe-fixes, --diff: every fixable rule's before/after, and the safety
guarantees (atomic writes keeping bytes we do not own, idempotence, overlaps)."""

import json
import os
import stat

import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.rules import BY_CODE
from tests.fixes.cases import CASES, HEAD

ALL = ["--select", "ALL", "--ignore", "LL900", "--no-cache"]


def run(*args, input=None):
    return CliRunner().invoke(main, [*ALL, *map(str, args)], input=input)


def codes(path):
    result = run(path, "--output-format", "json")
    return [d["code"] for d in json.loads(result.output)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix(tmp_path, name):
    before, after, unsafe = CASES[name]
    code = name.split()[0]
    path = tmp_path / "train.py"
    path.write_text(before)
    assert code in codes(path)
    flags = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    run(path, *flags)
    if after is None:
        assert path.read_text() == before
        full = run(path, "--output-format", "full", "--unsafe-fixes").output
        assert "no fix offered" in full
        return
    assert path.read_text() == after
    assert code not in codes(path)  # the corrected code lints clean for this rule
    run(path, *flags)
    assert path.read_text() == after  # a second --fix changes nothing


@pytest.mark.parametrize("name", sorted(n for n, (_, after, unsafe) in CASES.items() if unsafe and after))
def test_unsafe_fixes_need_the_flag(tmp_path, name):
    before = CASES[name][0]
    path = tmp_path / "train.py"
    path.write_text(before)
    result = run(path, "--fix")
    assert path.read_text() == before
    info = BY_CODE[name.split()[0]].severity.value == "info"  # shown, but fails a run only with --fail-on info
    assert result.exit_code == (0 if info else 1)
    assert "fixable with --fix --unsafe-fixes" in result.output


def test_fixable_findings_are_marked_and_counted(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CASES["LL205 2-D input gets dim=1 (safe)"][0] + CASES["LL105 NLLLoss on logits"][0][len(HEAD):])
    output = run(path).output
    assert "LL205 [*] " in output and "LL105 Criterion" not in output
    assert output.splitlines()[-1].endswith("[*] 1 fixable with --fix (1 more with --unsafe-fixes).")
    assert "LL105 [*] " in run(path, "--unsafe-fixes").output


def test_json_describes_the_fix(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CASES["LL205 2-D input gets dim=1 (safe)"][0])
    (item,) = json.loads(run(path, "--output-format", "json").output)
    assert item["fix"]["applicability"] == "safe"
    assert item["fix"]["message"].startswith("Write out dim=1")
    (edit,) = item["fix"]["edits"]
    assert edit["content"] == ", dim=1"
    assert edit["location"] == edit["end_location"] == {"row": 5, "column": 36}


def test_diff_shows_and_writes_nothing(tmp_path):
    before = CASES["LL108 inline log_softmax (safe)"][0]
    path = tmp_path / "train.py"
    path.write_text(before)
    result = run(path, "--diff")
    assert result.exit_code == 1
    assert "-    return F.cross_entropy(F.log_softmax(logits, dim=1), y)\n+    return F.cross_entropy(logits, y)\n" in result.output
    assert path.read_text() == before
    path.write_text(CASES["LL108 inline log_softmax (safe)"][1])
    assert run(path, "--diff").exit_code == 0


def test_exit_status_after_fix_says_whether_findings_remain(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CASES["LL205 2-D input gets dim=1 (safe)"][0])
    result = run(path, "--fix")
    assert result.exit_code == 0 and "Fixed 1 finding." in result.output
    path.write_text(CASES["LL205 2-D input gets dim=1 (safe)"][0] + CASES["LL205 no fix: the rank is unknown"][0])
    assert run(path, "--fix").exit_code == 1


def test_a_fix_across_two_files(tmp_path):
    """The activation in models.py, the loss in train.py: both change together."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    models = tmp_path / "models.py"
    models.write_text(
        "import torch.nn as nn\n\n"
        "def classifier(classes):\n"
        "    return nn.Sequential(nn.Linear(16, classes), nn.Sigmoid())\n"
    )
    train = tmp_path / "train.py"
    train.write_text(
        "import torch.nn as nn\nfrom models import classifier\n\n"
        "criterion = nn.BCELoss()\n"
        "def step(x, y):\n"
        "    return criterion(classifier(1)(x), y)\n"
    )
    only_train = run(train, "--fix", "--unsafe-fixes", "--output-format", "full")
    assert "lint it too" in only_train.output and "models.py" in only_train.output
    assert "nn.Sigmoid()" in models.read_text()  # never written without being named
    run(tmp_path, "--fix", "--unsafe-fixes")
    assert models.read_text().endswith("    return nn.Sequential(nn.Linear(16, classes))\n")
    assert "criterion = nn.BCEWithLogitsLoss()\n" in train.read_text()
    assert codes(tmp_path) == []


def test_overlapping_fixes_apply_over_passes(tmp_path):
    """LL205 (add dim) and LL101 (remove the softmax) edit the same call: one per pass."""
    path = tmp_path / "train.py"
    path.write_text(HEAD + "def step(x, y):\n    return F.cross_entropy(F.softmax(nn.Linear(8, 3)(x)), y)\n")
    assert sorted(codes(path)) == ["LL101", "LL205"]
    run(path, "--fix", "--unsafe-fixes")
    assert path.read_text() == HEAD + "def step(x, y):\n    return F.cross_entropy(nn.Linear(8, 3)(x), y)\n"


def test_bytes_the_fix_does_not_own_are_kept(tmp_path):
    """CRLF line endings, a BOM, a latin-1 coding cookie and the file mode survive."""
    before, after, _ = CASES["LL205 2-D input gets dim=1 (safe)"]
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + before.replace("\n", "\r\n").encode())
    os.chmod(crlf, 0o640)
    latin = tmp_path / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n# caf\xe9\n" + before).encode("latin-1"))
    run(tmp_path, "--fix")
    assert crlf.read_bytes() == b"\xef\xbb\xbf" + after.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o640
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + after).encode("latin-1")
    assert not list(tmp_path.glob(".losslint-*"))  # no temporary file left behind


def test_a_read_only_file_is_reported_and_the_run_goes_on(tmp_path):
    before, after, _ = CASES["LL205 2-D input gets dim=1 (safe)"]
    locked, free = tmp_path / "locked.py", tmp_path / "free.py"
    locked.write_text(before)
    free.write_text(before)
    os.chmod(locked, 0o444)
    result = run(tmp_path, "--fix")
    assert f"cannot fix {locked}: the file is read-only" in result.output
    assert locked.read_text() == before and free.read_text() == after
    assert result.exit_code == 1  # the finding in the read-only file remains


def test_standard_input_gets_the_fixed_code_on_standard_output():
    before, after, _ = CASES["LL205 2-D input gets dim=1 (safe)"]
    result = CliRunner().invoke(main, ["-", "--fix", "--no-cache"], input=before)
    assert result.stdout == after


def test_files_without_fixes_are_never_written(tmp_path):
    path = tmp_path / "clean.py"
    path.write_text(HEAD + "print('no loss here')\n")
    os.utime(path, (1, 1))
    run(tmp_path, "--fix", "--unsafe-fixes")
    assert path.stat().st_mtime == 1


def test_examples_after_unsafe_fixes(tmp_path):
    """Done when: --fix --unsafe-fixes leaves examples/ free of the fixable findings and
    a second run changes nothing (test_examples runs the fixed scripts with torch)."""
    from tests.fixes.examples import fixed_examples

    folder = fixed_examples(tmp_path)
    snapshot = {p.name: p.read_bytes() for p in folder.iterdir()}
    remaining = json.loads(run(folder, "--output-format", "json", "--unsafe-fixes").output)
    assert [d for d in remaining if d["fix"] is not None] == []
    assert {d["code"] for d in remaining} <= {"LL201", "LL202", "LL203", "LL204", "LL301", "LL302", "LL402", "LL404", "LL107", "LL109", "LL110", "LL112", "LL207"}
    run(folder, "--fix", "--unsafe-fixes")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == snapshot


def test_a_fix_never_writes_code_that_does_not_parse(tmp_path, monkeypatch):
    """The re-parse before writing is the last guard: a transform gone wrong is dropped."""
    import libcst as cst

    from losslint.fixer import transforms

    real = transforms.EditTransformer._add_dim
    monkeypatch.setattr(
        transforms.EditTransformer,
        "_add_dim",
        lambda self, o, u, e: real(self, o, u, e).with_changes(func=cst.Name("def")),
    )
    before = CASES["LL205 2-D input gets dim=1 (safe)"][0]
    path = tmp_path / "train.py"
    path.write_text(before)
    result = run(path, "--fix")
    assert path.read_text() == before and result.exit_code == 1
    assert "no fix offered: the fixed" in run(path, "--output-format", "full").output


def test_the_documented_fixes_are_the_tested_ones():
    """Rule.fix (shown in README and --list-rules) says safe/unsafe for exactly the
    rules with fixed cases here, and the cases need --unsafe-fixes exactly for unsafe ones."""
    from losslint.rules import RULES

    fixed = {}
    for name, (_, after, unsafe) in CASES.items():
        if after is not None:
            fixed.setdefault(name.split()[0], set()).add("unsafe" if unsafe else "safe")
    assert {r.code: set(r.fix.split("/")) for r in RULES if r.fix} == fixed


def test_every_edit_action_has_its_transform():
    """An action is an enum member, not a string: a typo is caught here, not mid-run."""
    from losslint.edits import Action
    from losslint.fixer.transforms import EditTransformer

    per_node = [a for a in Action if a is not Action.REMOVE_ITEM]  # applied on its container
    assert all(callable(getattr(EditTransformer, "_" + action.value, None)) for action in per_node)
    assert callable(EditTransformer._remove_items)


def test_reporters_and_the_fixer_do_not_import_the_runner():
    import subprocess
    import sys

    code = (
        "import sys, losslint.reporters.json, losslint.reporters.sarif, losslint.fixer.engine, losslint.edits;"
        "sys.exit('losslint.runner' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


FUZZ = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "fuzz")


@pytest.mark.parametrize(
    "source",
    [
        # a valid elif chain deep enough for libcst's own recursion to give up
        HEAD + "x = 0\nif x == 0:\n    y = 0\n" + "".join(f"elif x == {i}:\n    y = {i}\n" for i in range(1, 700))
        + "loss = F.cross_entropy(F.softmax(torch.randn(4, 3), dim=1), torch.randint(0, 3, (4,)))\n",
        # from the fuzzer: an unwrap and a layer removal meeting on one container
        open(os.path.join(FUZZ, "edits_on_a_rewritten_container.py")).read(),
    ],
    ids=["deep elif chain", "edits on a rewritten container"],
)
def test_fixes_that_libcst_cannot_apply_are_dropped_not_crashed(tmp_path, source):
    path = tmp_path / "train.py"
    path.write_text(source)
    for flags in ([], ["--fix", "--unsafe-fixes"]):
        result = run(path, *flags)
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    compile(path.read_text(), str(path), "exec")


def test_no_fix_messages_read_as_sentences_where_the_use_has_no_place(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(CASES["LL101 no fix: the code indexes the nn.Sequential the softmax would leave"][0])
    full = run(path, "--output-format", "full", "--unsafe-fixes").output
    assert "no fix offered: the activation's output is also held by an nn.Sequential the code indexes" in full
    path.write_text(CASES["LL101 no fix: a predict method returns the probabilities to unseen callers"][0])
    full = run(path, "--output-format", "full", "--unsafe-fixes").output
    assert "no fix offered: the activation's output is also returned by predict" in full and "used at returned" not in full


def test_the_fix_a_report_shows_is_the_fix_applied(tmp_path):
    """The check runs on the statements around the edit; a fix that reads the module's
    top level (where a total is used further down) is checked on the whole file, so the
    JSON's edit is what --fix writes."""
    path = tmp_path / "train.py"
    before, after, _ = CASES["LL403 a module-level total used as a tensor further down gets .detach() (safe)"]
    path.write_text(before)
    [finding] = [d for d in json.loads(run(path, "--output-format", "json").output) if d["code"] == "LL403"]
    assert [e["content"] for e in finding["fix"]["edits"]] == [".detach()"]
    run(path, "--fix")
    assert path.read_text() == after
