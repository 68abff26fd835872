"""Honest coverage: every loss call is counted, resolved or unresolved with a reason."""

import json

from click.testing import CliRunner

from losslint.analysis.values import Cause
from losslint.cli import main
from losslint.runner import lint
from losslint.selection import resolve

MODELS = """\
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x)
"""

TRAIN = """\
import mmpretrain
import torch
import torch.nn as nn
import torch.nn.functional as F
from models import Net
from nets import Other

head = nn.Linear(8, 3)
F.cross_entropy(head(x), y)                                   # resolved
nn.CrossEntropyLoss()(torch.softmax(head(x), 1), y)           # resolved (and LL101)
F.cross_entropy(mmpretrain.get_model("resnet18")(x), y)      # model from an unknown library
F.cross_entropy(Net()(x), y)                                  # resolved: models.py is linted too
F.cross_entropy(Other()(x), y)                                # in lib/nets.py: only reachable through sys.path
criterion = nn.CrossEntropyLoss() if flag else custom_loss
criterion(head(x), y)                                         # dynamic dispatch
F.cross_entropy(head(x).cumsum(1), y)                          # library operation not modelled
F.cross_entropy(head(x) * head(x), y)                         # arithmetic


def step(model, x, y):
    return F.cross_entropy(model(x), y)                       # passed in from outside


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(8, 3)

    def swap(self):
        self.head = make_head()

    def loss(self, x, y):
        return F.cross_entropy(self.head(x), y)               # state the analysis cannot follow


for logits in zip(a, b):
    F.cross_entropy(logits, y)                                # data from a loop


def deep(n):
    return deep(n - 1)


F.cross_entropy(deep(3), y)                                   # analysis limits
F.cross_entropy(torch.zeros(8, 3), y)                         # other
"""

SOURCES = {"models.py": MODELS.encode(), "lib/nets.py": MODELS.replace("Net", "Other").encode(), "train.py": TRAIN.encode()}


def test_counts_and_reasons():
    report = lint([], resolve(), SOURCES)
    assert (report.loss_calls, report.resolved, report.unresolved) == (13, 3, 10)
    expected = {cause.value for cause in Cause}
    assert set(report.unresolved_by_reason) == expected
    assert all(count == 1 for count in report.unresolved_by_reason.values())


def test_ll900_lists_each_unresolved_call_with_its_reason():
    report = lint([], resolve(None, ["LL900"]), SOURCES)
    unresolved = [d for d in report.diagnostics if d.code == "LL900"]
    assert len(unresolved) == 10
    rows = {d.location.row: d.message for d in unresolved}
    assert "(model from an unknown library): mmpretrain.get_model() comes from a library" in rows[11]
    assert "(defined in a linted file the import does not reach): nets.Other() is defined in another file" in rows[13]
    assert "(passed in from outside the analysed code): parameter 'model' of step()" in rows[21]


def write(tmp_path):
    for name, data in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return str(tmp_path)


def test_summary_line(tmp_path):
    result = CliRunner().invoke(main, [write(tmp_path)])
    assert result.output.splitlines()[-1] == (
        "1 finding; 13 loss calls, 3 resolved, 10 unresolved. 1 fixable with --fix --unsafe-fixes."
    )


def test_show_unresolved_never_changes_the_exit_status(tmp_path):
    root = write(tmp_path)
    result = CliRunner().invoke(main, [root, "--select", "LL900"])
    assert result.exit_code == 0 and result.output.count("LL900") == 10
    assert result.output.splitlines()[-1] == "No findings; 13 loss calls, 3 resolved, 10 unresolved."
    assert CliRunner().invoke(main, [root, "--show-unresolved"]).exit_code == 1  # LL101 still counts


def test_show_unresolved_in_json_stays_a_list_of_findings(tmp_path):
    result = CliRunner().invoke(main, [write(tmp_path), "--show-unresolved", "--output-format", "json"])
    items = json.loads(result.output)
    assert {item["code"] for item in items} == {"LL101", "LL900"}
    assert all(item["severity"] == "info" for item in items if item["code"] == "LL900")


def test_noqa_silences_ll900_like_any_rule(tmp_path):
    root = write(tmp_path)
    text = (tmp_path / "train.py").read_text().replace("# model from an unknown library", "# noqa: LL900")
    (tmp_path / "train.py").write_text(text)
    result = CliRunner().invoke(main, [root, "--show-unresolved"])
    assert result.output.count("LL900") == 9


def test_statistics_has_the_coverage_per_reason(tmp_path):
    result = CliRunner().invoke(main, [write(tmp_path), "--statistics"])
    assert "     1  LL101  softmax-into-cross-entropy" in result.output
    assert "loss calls: 13 (3 resolved, 10 unresolved)" in result.output
    assert "     1  unresolved: dynamic dispatch" in result.output


def test_show_unresolved_in_every_format(tmp_path):
    root = write(tmp_path)
    for fmt, marker in (("sarif", '"ruleId": "LL900"'), ("github", "title=LL900"), ("junit", "LL900 unresolved-loss-call"),
                        ("full", "LL900 [info]"), ("concise", ": LL900 ")):  # fmt: skip
        result = CliRunner().invoke(main, [root, "--show-unresolved", "--output-format", fmt])
        assert result.output.count(marker) == 10, fmt


def test_a_library_models_cause_survives_attribute_access_and_subscripts():
    source = (
        "import torch.nn.functional as F\n"
        "from vendorlib import AutoClassifier\n"
        "model = AutoClassifier.from_pretrained('bert-base-uncased', num_labels=3)\n"
        "for batch in loader:\n"
        "    a = F.cross_entropy(model(**batch).logits, batch['labels'])\n"
        "    b = F.cross_entropy(model(**batch)['logits'], batch['labels'])\n"
    )
    report = lint([], resolve(), {"hf.py": source.encode()})
    assert report.unresolved_by_reason == {Cause.UNKNOWN_LIBRARY.value: 2}
