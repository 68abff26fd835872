"""Message wording (issue 22): what a finding quotes is the value it talks about."""

from losslint.runner import lint

FLOAT_TARGET = """\
import torch
import torch.nn as nn
model = nn.Linear(10, 3)
x = torch.randn(32, 10)
y = torch.randint(0, 3, (32,)).float()
loss = nn.CrossEntropyLoss()(model(x), y)
"""


def test_ll302_quotes_the_conversion_that_made_the_target_float(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(FLOAT_TARGET)
    [finding] = [d for d in lint([str(path)], frozenset({"LL302"})).diagnostics]
    assert "torch.randint(0, 3, (32,)).float())" in finding.message


def test_ll302_quotes_a_conversion_with_arguments(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(FLOAT_TARGET.replace(".float()", ".to(torch.float32)"))
    [finding] = lint([str(path)], frozenset({"LL302"})).diagnostics
    assert "torch.randint(0, 3, (32,)).to(torch.float32))" in finding.message


def test_ll205_does_not_call_dim_0_of_a_1d_input_the_batch():
    [finding] = lint(["examples/ll205_softmax_implicit_dim.py"], frozenset({"LL205"})).diagnostics
    assert "the batch, for 1-D" not in finding.message
    assert "the batch of a 3-D one" in finding.message
