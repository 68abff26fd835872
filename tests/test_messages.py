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


TWO_MODELS = """\
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.fc(x))

def train(model, x, y):
    return nn.CrossEntropyLoss()(model(x), y)

train(nn.Sequential(nn.Linear(8, 2), nn.Softmax(dim=1)), x, y)
train(Net(), x, y)
"""


def test_a_loss_reached_by_a_named_model_and_another_says_both(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(TWO_MODELS)
    [finding] = lint([str(path)], frozenset({"LL101"})).diagnostics
    assert "softmax probabilities from Net and other code (" in finding.message


def test_a_class_defined_twice_goes_by_its_name(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(TWO_MODELS.replace("class Net(nn.Module):", "class Net(nn.Module):\n    pass\n\nclass Net(nn.Module):", 1)
                    .replace("train(nn.Sequential(nn.Linear(8, 2), nn.Softmax(dim=1)), x, y)\n", ""))
    [finding] = lint([str(path)], frozenset({"LL101"})).diagnostics
    assert "from Net (" in finding.message and "#" not in finding.message
