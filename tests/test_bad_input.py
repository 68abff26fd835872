"""Bad input gets a clear LL000 or nothing, never a traceback, and the run goes on."""

import os

import pytest

from losslint.runner import lint
from losslint.selection import resolve

FINDING = (
    "import torch.nn as nn\n"
    "model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))\n"
    "loss = nn.CrossEntropyLoss()(model(x), y)\n"
)


def run(files):
    """Lint {name: bytes} written to a temporary tree; (code, path, row, message) list."""
    report = lint([], resolve(), {name: data for name, data in files.items()})
    return [(d.code, d.location.path, d.location.row, d.message) for d in report.diagnostics]


def test_python2_syntax_error_reports_its_line_and_the_run_goes_on():
    result = run({"legacy.py": b"import os\n\nprint 'loss', loss\n", "good.py": FINDING.encode()})
    assert [(c, p, r) for c, p, r, _ in result] == [("LL101", "good.py", 3), ("LL000", "legacy.py", 3)]
    (syntax,) = [m for c, _, _, m in result if c == "LL000"]
    assert syntax.startswith("syntax error")


def test_binary_file():
    ((code, _, _, message),) = run({"weights.py": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    assert code == "LL000" and "binary" in message


def test_non_utf8_without_cookie():
    ((code, _, _, message),) = run({"latin.py": "x = 'caf\u00e9'\n".encode("latin-1")})
    assert code == "LL000" and "decode" in message


def test_non_utf8_with_a_coding_cookie_is_analysed():
    source = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + FINDING
    result = run({"latin.py": source.encode("latin-1")})
    assert [(c, r) for c, _, r, _ in result] == [("LL101", 5)]


def test_empty_file():
    assert run({"empty.py": b""}) == []


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf" + FINDING.encode(), FINDING.replace("\n", "\r\n").encode()],
    ids=["bom", "crlf"],
)
def test_bom_and_crlf_keep_positions(data):
    report = lint([], resolve(), {"a.py": data})
    ((row, column),) = [(d.location.row, d.location.column) for d in report.diagnostics]
    assert (row, column) == (3, 8)


def test_ten_megabyte_files_finish():
    filler = b"x = 1\n" * (10_000_000 // 6)
    result = run({"data.py": filler, "big_model.py": b"criterion = nn.CrossEntropyLoss()\n" + filler})
    assert [(c, p) for c, p, _, _ in result] == [("LL000", "big_model.py")]
    assert "too large" in result[0][3]


@pytest.mark.parametrize(
    "source",
    [
        "import torch.nn as nn\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "import torch.nn as nn\nx = " + "-" * 900 + "1\n",
        "import torch.nn as nn\nx = " + " + ".join(["a"] * 5000) + "\n",
        "import torch.nn as nn\nx = " + "[" * 150 + "]" * 150 + "\n",
    ],
    ids=["5000-parentheses", "900-unary", "5000-term-sum", "150-lists"],
)
def test_deeply_nested_expressions_neither_crash_nor_hang(source):
    result = run({"deep.py": source.encode(), "good.py": FINDING.encode()})
    assert ("LL101", "good.py") in [(c, p) for c, p, _, _ in result]
    assert all(c == "LL000" for c, p, _, _ in result if p == "deep.py")


def test_unreadable_path_is_reported(tmp_path):
    (tmp_path / "good.py").write_text(FINDING)
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    report = lint([str(tmp_path)], resolve())
    codes = {(os.path.basename(d.location.path), d.code) for d in report.diagnostics}
    assert codes == {("good.py", "LL101"), ("dangling.py", "LL000")}
    (message,) = [d.message for d in report.diagnostics if d.code == "LL000"]
    assert message.startswith("cannot read the file")


def test_symlink_loop_does_not_trap_the_walk(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "good.py").write_text(FINDING)
    os.symlink(package, package / "loop")
    report = lint([str(tmp_path)], resolve())
    assert [d.code for d in report.diagnostics] == ["LL101"]
