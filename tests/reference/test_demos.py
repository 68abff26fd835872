"""The demos behind --explain and the full output format."""

import numpy as np
import pytest
from click.testing import CliRunner

from losslint.cli import main
from losslint.reference.demos import DEMOS, demo, plot
from losslint.rules import BY_CODE

# LL501 and LL502 (Keras only) show Keras's numbers: tests/test_reference_keras.py
DEMO_RULES = sorted([c for c in BY_CODE if c.startswith(("LL1", "LL2")) or c in ("LL301", "LL302", "LL303")] + ["LL501", "LL502"])


def test_every_promised_rule_has_a_demo():
    assert sorted(DEMOS) == DEMO_RULES


@pytest.mark.parametrize("code", DEMO_RULES)
@pytest.mark.parametrize("width", [1, 2, 3, 10])
def test_demo_runs_at_any_width(code, width):
    example = demo(code, width)
    assert example.rows and example.summary
    assert all(row.loss is None or np.isfinite(row.loss) for row in example.rows)


def test_the_specification_numbers():
    ll101 = demo("LL101")
    correct, mistaken = ll101.rows
    assert round(correct.loss, 3) == 0.241 and round(mistaken.loss, 3) == 0.702
    assert 0.35 < 1 - mistaken.grad_norm / correct.grad_norm < 0.45  # "about 40% smaller"
    assert round(demo("LL106").rows[1].loss, 3) == -0.786


def test_floor_depends_on_the_width():
    assert "with 10 classes" in demo("LL101", 10).summary
    assert "below 1.461" in demo("LL101", 10).summary


def test_plot_draws_both_series():
    lines = plot(demo("LL101").curve)
    body = "".join(lines)
    assert "●" in body and "○" in body and "true-class logit" in body


def test_explain_prints_the_demo_table_and_plot():
    result = CliRunner().invoke(main, ["--explain", "LL101"])
    assert result.exit_code == 0
    assert "Demo: 3 classes, logits [2, -1, 0.5], target class 0" in result.output
    assert "0.7017" in result.output and "0.2413" in result.output
    assert "● correct" in result.output


def test_plot_option(tmp_path):
    target = tmp_path / "ll101.png"
    result = CliRunner().invoke(main, ["--explain", "LL101", "--plot", str(target)])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert result.exit_code == 2 and "matplotlib" in result.output
    else:
        assert result.exit_code == 0 and target.stat().st_size > 0


def test_plot_needs_explain():
    assert CliRunner().invoke(main, ["--plot", "x.png", "."]).exit_code == 2


def test_full_output_has_snippets_and_a_demo_at_the_inferred_width(tmp_path):
    source = (
        "import torch.nn as nn\n"
        "model = nn.Sequential(nn.Linear(4, 10), nn.Softmax(dim=1))\n"
        "loss = nn.CrossEntropyLoss()(model(x), y)\n"
    )
    (tmp_path / "train.py").write_text(source)
    result = CliRunner().invoke(main, [str(tmp_path / "train.py"), "--output-format", "full"])
    assert result.exit_code == 1
    assert "    3 │ loss = nn.CrossEntropyLoss()(model(x), y)" in result.output
    assert "    2 │ model = nn.Sequential" in result.output
    assert "demo: with 10 classes, softmax then CrossEntropyLoss can never go below 1.461" in result.output


torch = pytest.importorskip("torch", reason="checking the demo numbers against torch needs torch")
TF = torch.nn.functional


def _torch_pipeline(code, z, y):
    x = torch.tensor(z, requires_grad=True)
    if code == "LL101":
        losses = [TF.cross_entropy(x, torch.tensor(y)), TF.cross_entropy(torch.softmax(x, 1), torch.tensor(y))]
    elif code == "LL102":
        losses = [TF.cross_entropy(x, torch.tensor(y)), TF.cross_entropy(torch.sigmoid(x), torch.tensor(y))]
    elif code == "LL105":
        losses = [TF.nll_loss(TF.log_softmax(x, 1), torch.tensor(y)), TF.nll_loss(x, torch.tensor(y))]
    else:  # LL106
        losses = [TF.nll_loss(TF.log_softmax(x, 1), torch.tensor(y)), TF.nll_loss(torch.softmax(x, 1), torch.tensor(y))]
    out = []
    for loss in losses:
        (grad,) = torch.autograd.grad(loss, x)
        out.append((loss.item(), grad.norm().item()))
    return out


@pytest.mark.parametrize("code", ["LL101", "LL102", "LL105", "LL106"])
@pytest.mark.parametrize("width", [2, 3, 10])
def test_demo_numbers_match_torch(code, width):
    from losslint.reference.demos import class_logits

    example = demo(code, width)
    expected = _torch_pipeline(code, class_logits(width), np.array([0]))
    for row, (loss, grad_norm) in zip(example.rows, expected):
        assert row.loss == pytest.approx(loss, rel=1e-9)
        assert row.grad_norm == pytest.approx(grad_norm, rel=1e-9)


def test_bce_clamp_demo_matches_torch():
    x = torch.tensor([[200.0]], dtype=torch.float64, requires_grad=True)
    loss = TF.binary_cross_entropy(torch.sigmoid(x), torch.zeros(1, 1, dtype=torch.float64))
    (grad,) = torch.autograd.grad(loss, x)
    row = demo("LL111").rows[1]
    assert row.loss == pytest.approx(loss.item()) and row.grad_norm == pytest.approx(grad.norm().item())


def test_issue_19_demos_match_torch():
    """LL112, LL206, LL207 and LL303: the numbers their demos show are torch's."""
    import numpy as np

    from losslint.reference.demos import class_logits

    # LL207: loss and gradient of log_softmax over the batch, at 3 classes
    z = np.stack([class_logits(3)[0], class_logits(3)[0][::-1]])
    y = torch.tensor([0, 2])
    rows = demo("LL207", 3).rows
    for row, dim in zip(rows, (1, 0)):
        x = torch.tensor(z, requires_grad=True)
        loss = TF.nll_loss(TF.log_softmax(x, dim), y)
        (grad,) = torch.autograd.grad(loss, x)
        assert row.loss == pytest.approx(loss.item(), rel=1e-9)
        assert row.grad_norm == pytest.approx(grad.norm().item(), rel=1e-9)
    # LL112: the logit -4 through a ReLU, target 0
    x = torch.tensor([[-4.0]], dtype=torch.float64, requires_grad=True)
    loss = TF.binary_cross_entropy_with_logits(torch.relu(x), torch.zeros(1, 1, dtype=torch.float64))
    (grad,) = torch.autograd.grad(loss, x)
    bad = demo("LL112").rows[1]
    assert bad.loss == pytest.approx(loss.item()) and bad.grad_norm == pytest.approx(grad.norm().item())
    # LL303: the broadcast loss, as torch computes it (it warns)
    prediction = torch.tensor([[1.0], [2.0], [3.0], [6.0]], dtype=torch.float64)
    target = prediction[:, 0].clone()
    with pytest.warns(UserWarning, match="different to the input size"):
        broadcast = TF.mse_loss(prediction, target)
    assert demo("LL303").rows[1].loss == pytest.approx(broadcast.item())
    # LL206: the error torch raises, and the silently wrong loss when the length equals C
    example = demo("LL206", 3)
    rng = np.random.default_rng(0)
    logits = torch.tensor(np.round(rng.normal(0, 2, (2, 4, 3)), 2))
    tags = torch.tensor(np.arange(8).reshape(2, 4) % 3)
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 3\], got \[2, 4\]"):
        TF.cross_entropy(logits, tags)
    assert "Expected target size [2, 3], got [2, 4]" in example.rows[1].note
    assert example.rows[0].loss == pytest.approx(TF.cross_entropy(logits.permute(0, 2, 1), tags).item())
    assert example.rows[2].loss == pytest.approx(TF.cross_entropy(logits[:, :3, :], tags[:, :3]).item())
