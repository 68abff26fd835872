"""Checking a fix (to show ``[*]`` and the JSON edits) parses only the top-level
statements around its edits: in a huge file it costs what that excerpt costs. The
result must be the one a whole-file parse gives, whatever the layout around it."""

import libcst as cst
import pytest

from losslint.fixer import engine
from losslint.runner import lint
from losslint.selection import resolve

LAYOUTS = {
    "plain": "x = 1\n{snippet}\ny = 2\n",
    "after an if/else at top level": "if a:\n    b = 1\nelse:\n    b = 2\n{snippet}\n",
    "inside a function with decorators": "@decorator\n@other(1)\ndef f(x):\n{indented}\n    return 1\n",
    "a column-0 line inside a string before": 'doc = """\nnot = code(\n"""\n{snippet}\n',
    "a closing bracket at column 0 after": "{snippet}\nitems = [\n    1,\n]\n",
    "CRLF line ends": "x = 1\r\n{snippet}\r\ny = 2\r\n",
}
SNIPPET = "p = F.softmax(logits)"


def _fixed(source: str) -> dict:
    report = lint([], resolve(["LL205"]), {"t.py": source.encode()})
    return {c.location.row: c.content for d in report.diagnostics for c in d.changes}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_excerpt_gives_what_the_whole_file_gives(layout, monkeypatch):
    head = "import torch\nimport torch.nn.functional as F\nlogits = torch.randn(4, 3)\n"
    template = LAYOUTS[layout]
    source = head + template.format(snippet=SNIPPET, indented="    " + SNIPPET)
    excerpt = _fixed(source)
    monkeypatch.setattr(engine, "_preview_excerpt", lambda *a: (_ for _ in ()).throw(engine.NeedsWholeModule("")))
    assert excerpt == _fixed(source) != {}


def test_a_huge_file_is_never_parsed_whole_to_check_a_fix(monkeypatch):
    body = "".join(f"def helper_{i}(x):\n    return x * {i}\n\n" for i in range(2000))
    source = "import torch\nimport torch.nn.functional as F\n" + body + "p = F.softmax(torch.randn(8, 5))\n"
    parsed = []
    real = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda text, *a, **k: parsed.append(len(text)) or real(text, *a, **k))
    report = lint([], resolve(["LL205"]), {"huge.py": source.encode()})
    assert [d.code for d in report.diagnostics if d.fix is not None] == ["LL205"]
    assert parsed and max(parsed) < 200
