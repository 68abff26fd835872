"""--output-format html: one self-contained page, checked structurally with html.parser
(no browser is installed here): the findings grouped by file, both sites' code, the
demos' SVG plots, fixes as diffs, the coverage table, and hostile names escaped."""

import io
import re
from html.parser import HTMLParser

from click.testing import CliRunner

from losslint.cli import main
from losslint.reference.demos import demo
from losslint.reporters.html import write
from losslint.rules import RULES
from losslint.runner import lint

SOFTMAX_CE = """\
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
loss = nn.CrossEntropyLoss()(model(x), y)
"""


class Page(HTMLParser):
    """Tags, their attributes and the text, with the open/close balance checked."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "line", "polyline", "path"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.stack, self.text, self.errors = [], [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def count(self, tag, cls=None):
        return sum(1 for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split()))


def render(report):
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


def test_examples_page_has_every_finding_plot_and_diff():
    report = lint(["examples"], frozenset(r.code for r in RULES if r.default))
    report.unsafe_fixes = True
    text = render(report)
    page = Page(text)
    assert page.errors == [] and page.stack == []
    assert page.count("div", "finding") == len(report.diagnostics) > 10
    files = {d.location.path for d in report.diagnostics}
    assert page.count("section", "file") == len(files)
    curves = [d for d in report.diagnostics if (example := demo(d.code, d.width, d.framework)) is not None and example.curve is not None]
    assert page.count("svg") == len(curves) > 0
    assert page.count("polyline") >= 2 * len(curves)  # both pipelines
    # both sites' code: the loss call and each related site have a block
    assert page.count("pre") >= len(report.diagnostics) + sum(len(d.related) for d in report.diagnostics)
    assert page.count("pre", "diff") == sum(1 for d in report.diagnostics if d.fix is not None and d.changes)
    assert page.count("table", "coverage") == 1
    # self-contained: no script, no stylesheet or image fetched, no address but SVG's namespace
    assert page.count("script") == 0 and page.count("link") == 0 and page.count("img") == 0
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"] * len(curves)


def test_page_is_deterministic():
    selected = frozenset(r.code for r in RULES if r.default)
    assert render(lint(["examples"], selected)) == render(lint(["examples"], selected))


def test_hostile_file_names_and_code_are_escaped(tmp_path):
    name = 'x<img src=q onerror="alert(1)">&\x1b[31m.py'
    (tmp_path / name).write_text(SOFTMAX_CE.replace("model(x), y)", "model(x), y)  # </pre><script>alert(2)</script>"))
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache", "--output-format", "html"])
    assert result.exit_code == 1
    page = Page(result.stdout)
    assert page.errors == []
    assert page.count("img") == 0 and page.count("script") == 0
    assert page.count("div", "finding") == 1
    shown = "".join(page.text)
    assert 'x<img src=q onerror="alert(1)">&\\x1b[31m.py' in shown  # the name, as text
    assert "</pre><script>alert(2)</script>" in shown
    assert "\x1b" not in result.stdout


def test_clean_run_has_coverage_and_no_findings(tmp_path):
    (tmp_path / "ok.py").write_text("import torch.nn as nn\nloss = nn.CrossEntropyLoss()(nn.Linear(4, 3)(x), y)\n")
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache", "--output-format", "html"])
    assert result.exit_code == 0
    page = Page(result.stdout)
    assert page.count("div", "finding") == 0 and page.count("table", "coverage") == 1
    assert "No findings" in "".join(page.text)
