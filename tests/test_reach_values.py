"""What real training code does to values (issue 18, items 2, 3, 4 and 8): loss tensors
known by their use and by the regression losses, detached values, tensor operations
that keep what a value is (and move the class axis's width with it), and targets that
come from datasets through a DataLoader. Each kind has snippets that must be flagged
and look-alikes that must stay silent."""

import pytest

from tests.conftest import check_invalid, check_valid, lint_sources
from losslint.report import Report  # noqa: F401 - the counts below come from lint()

# --- item 2: loss tensors known by their use ---------------------------------------------

LOSSES_INVALID = {
    "hand-written objective, backpropagated then summed": """
        import torch

        def fit(model, batches, opt):
            for epoch in range(3):
                total = 0.0
                for xb in batches:
                    opt.zero_grad()
                    objective = -torch.mean(model(xb))
                    objective.backward()
                    opt.step()
                    total += objective  # expect: LL403
                print(total)
    """,
    "a project's own loss helper, backpropagated": """
        import torch

        def gaussian_nll(y, mean, var):
            return 0.5 * torch.mean(torch.log(var) + (y - mean) ** 2 / var)

        def train(net, loader, opt):
            running = 0
            for xb, yb in loader:
                mean, var = net(xb)
                loss = gaussian_nll(yb, mean, var)
                opt.zero_grad()
                loss.backward()
                opt.step()
                running += loss  # expect: LL403
            return running / len(loader)
    """,
    "MSELoss": """
        import torch
        from torch import nn

        crit = nn.MSELoss()
        total = 0
        for x, y in loader:
            loss = crit(net(x), y)
            loss.backward()
            total += loss  # expect: LL403
    """,
    "functional smooth_l1_loss": """
        import torch.nn.functional as F

        total = 0
        for x, y in loader:
            loss = F.smooth_l1_loss(net(x), y)
            loss.backward()
            total += loss  # expect: LL403
    """,
    "a weighted sum of regression and triplet losses": """
        from torch import nn

        mse, triplet = nn.MSELoss(), nn.TripletMarginLoss(margin=1.0)
        running = 0.0
        for a, p, n, x, y in loader:
            loss = mse(net(x), y) + lam * triplet(a, p, n)
            loss.backward()
            running = running + loss  # expect: LL403
    """,
    "a difference of losses (WGAN critic)": """
        import torch.nn.functional as F

        total = 0
        for x in loader:
            d_loss = F.l1_loss(D(x), ones) - F.l1_loss(D(G(z)), zeros)
            d_loss.backward()
            total += d_loss  # expect: LL403
    """,
    "a reduction='none' loss averaged": """
        import torch.nn as nn

        crit = nn.HuberLoss(reduction="none")
        total = 0
        for x, y in loader:
            loss = crit(net(x), y).mean()
            loss.backward()
            total += loss  # expect: LL403
    """,
}

LOSSES_VALID = {
    "a hand-written value never backpropagated": """
        import torch

        total = 0.0
        for xb, yb in loader:
            with torch.no_grad():
                nll = -torch.mean(net(xb))
            total += nll
    """,
    "a hand-written value backpropagated, accumulated as a number": """
        import torch

        total = 0.0
        for xb in loader:
            objective = -torch.mean(net(xb))
            objective.backward()
            total += objective.item()
    """,
    "backpropagated only on one branch": """
        import torch

        total = 0.0
        for xb in loader:
            objective = -torch.mean(net(xb))
            if train:
                objective.backward()
            total += objective
    """,
    "a regression loss detached in every form": """
        import torch.nn as nn

        crit = nn.L1Loss()
        a = b = c = d = e = f = 0
        for x, y in loader:
            loss = crit(net(x), y)
            loss.backward()
            a += loss.item()
            b += loss.detach()
            c += loss.data
            d += loss.data[0]
            e += float(loss)
            f += loss.cpu().numpy()
    """,
    "gradient accumulation through a hand-written loss": """
        import torch

        acc = 0
        for i, xb in enumerate(loader):
            loss = -torch.mean(net(xb))
            acc = acc + loss
        acc.backward()
    """,
    "a loss helper of heads returned to a caller that backpropagates it": """
        import torch.nn as nn

        ce = nn.CrossEntropyLoss()

        def heads_loss(outs, y):
            total = 0
            for out in outs:
                total = total + ce(out, y)
            return total

        for x, y in loader:
            loss = heads_loss(net(x), y)
            loss.backward()
    """,
}


@pytest.mark.parametrize("code", LOSSES_INVALID.values(), ids=list(LOSSES_INVALID))
def test_loss_tensors_known_by_their_use_are_flagged(code):
    check_invalid(code)


@pytest.mark.parametrize("code", LOSSES_VALID.values(), ids=list(LOSSES_VALID))
def test_loss_tensor_look_alikes_stay_silent(code):
    check_valid(code)


def _counts(code: str):
    from losslint.runner import lint
    from losslint.selection import resolve
    import textwrap

    report = lint([], resolve(["ALL"]), {"snippet.py": textwrap.dedent(code).encode()})
    return report.loss_calls, report.unresolved


def test_losses_without_input_rules_are_not_counted():
    """A regression loss's call is neither checked nor unresolved: the coverage figures
    count only the calls whose input the rules check."""
    code = """
        import torch.nn as nn
        import torch.nn.functional as F

        mse = nn.MSELoss()
        a = mse(net(x), y)
        b = F.l1_loss(net(x), y)
        c = nn.CrossEntropyLoss()(net(x), y)
    """
    assert _counts(code) == (1, 1)


def test_a_callee_that_is_a_regression_or_a_checked_loss_is_not_checked():
    """``MSELoss() if regression else CrossEntropyLoss()`` on a 1-wide output: the call is
    not surely CrossEntropyLoss, so LL201 stays silent (it is counted as unresolved)."""
    code = """
        import torch.nn as nn

        crit = nn.MSELoss() if regression else nn.CrossEntropyLoss()
        head = nn.Linear(8, 1)
        loss = crit(head(x), y)
    """
    check_valid(code)
    assert _counts(code) == (1, 1)


def test_a_file_that_only_calls_backward_is_analysed(tmp_path):
    """No torch loss named: ``.backward()`` makes the file worth running."""
    found = lint_sources(
        {
            "train.py": """
                import torch

                total = 0
                for xb in loader:
                    nll = -torch.mean(net(xb))
                    nll.backward()
                    total += nll
            """
        }
    )
    assert [(d.code, d.location.row) for d in found] == [("LL403", 8)]


# --- item 4: tensor operations that keep what a value is ----------------------------------

OPERATIONS_INVALID = {
    "softmax then transpose into CrossEntropyLoss": """
        import torch.nn.functional as F

        p = F.softmax(logits, dim=-1).transpose(1, 2)
        loss = F.cross_entropy(p, y)  # expect: LL101
    """,
    "sigmoid probabilities averaged over the batch into BCEWithLogitsLoss": """
        import torch
        from torch import nn

        head = nn.Linear(8, 3)
        x = torch.randn(4, 8)
        p = torch.sigmoid(head(x)).mean(0)
        loss = nn.BCEWithLogitsLoss()(p, y)  # expect: LL104
    """,
    "cat of two softmax outputs": """
        import torch
        import torch.nn.functional as F

        p = torch.cat([F.softmax(a, dim=1), F.softmax(b, dim=1)], dim=0)
        loss = F.cross_entropy(p, y)  # expect: LL101
    """,
    "where with both branches sigmoid": """
        import torch
        import torch.nn.functional as F

        p = torch.where(mask, torch.sigmoid(a), torch.sigmoid(b))
        loss = F.binary_cross_entropy_with_logits(p, y)  # expect: LL104
    """,
    "logits over a temperature into BCELoss": """
        import torch
        from torch import nn

        head = nn.Linear(8, 1)
        loss = nn.BCELoss()(head(x) / temperature, y)  # expect: LL103
    """,
    "normalised probabilities into CrossEntropyLoss": """
        import torch
        import torch.nn.functional as F

        p = torch.sigmoid(logits)
        q = p / p.sum(dim=1, keepdim=True)
        loss = F.cross_entropy(q, y)  # expect: LL101
    """,
    "tanh moved into [0, 1] into BCEWithLogitsLoss": """
        import torch
        import torch.nn.functional as F

        p = (torch.tanh(x) + 1) / 2
        loss = F.binary_cross_entropy_with_logits(p, y)  # expect: LL104
    """,
    "exp of log_softmax into CrossEntropyLoss": """
        import torch
        import torch.nn.functional as F

        loss = F.cross_entropy(torch.exp(F.log_softmax(z, dim=1)), y)  # expect: LL101
    """,
    "upsampled softmax into CrossEntropyLoss": """
        import torch.nn.functional as F

        p = F.interpolate(F.softmax(seg, dim=1), size=(64, 64), mode="bilinear")
        loss = F.cross_entropy(p, mask)  # expect: LL101
    """,
    "softmax over a width-1 axis moved last by transpose": """
        import torch
        import torch.nn.functional as F
        from torch import nn

        conv = nn.Conv1d(16, 1, 3)
        s = conv(torch.randn(4, 16, 10)).transpose(1, 2)
        w = F.softmax(s, dim=-1)  # expect: LL202
    """,
}

OPERATIONS_VALID = {
    "attention pooling: squeeze removes the width-1 axis": """
        import torch
        import torch.nn.functional as F
        from torch import nn

        class Pool(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.score = nn.Linear(d, 1)
                self.head = nn.Linear(d, 3)

            def forward(self, h):
                w = F.softmax(self.score(h).squeeze(-1), dim=0)
                v = F.softmax(self.score(h).view(-1), dim=0)
                u = F.softmax(self.score(torch.randn(4, 7, 16)).squeeze(2), dim=1)
                return self.head((w.unsqueeze(-1) * h).sum(0)), v, u

        loss = nn.CrossEntropyLoss()(Pool(16)(torch.randn(5, 16))[0], torch.randint(0, 3, (5,)))
    """,
    "a width-1 score transposed away from the softmax dim": """
        import torch
        import torch.nn.functional as F
        from torch import nn

        score = nn.Linear(16, 1)
        s = score(torch.randn(4, 10, 16)).transpose(1, 2)
        w = F.softmax(s, dim=-1)
        t = score(torch.randn(4, 10, 16)).permute(0, 2, 1)
        v = F.softmax(t, dim=2)
        m = score(torch.randn(4, 10, 16)).mean(1)
        a = F.softmax(score(torch.randn(4, 10, 16)).sum(-1), dim=-1)
    """,
    "probabilities scaled are not probabilities": """
        import torch
        import torch.nn.functional as F

        loss = F.binary_cross_entropy_with_logits(torch.sigmoid(x) * 2, y)
        loss2 = F.cross_entropy(F.softmax(z, dim=1) / t, y)
    """,
    "probabilities summed over the batch are not probabilities": """
        import torch
        from torch import nn

        head = nn.Linear(8, 3)
        p = torch.sigmoid(head(torch.randn(4, 8))).sum(0)
        loss = nn.BCEWithLogitsLoss()(p, y)
    """,
    "softmax averaged over its class dim is not known": """
        import torch
        import torch.nn.functional as F
        from torch import nn

        head = nn.Linear(8, 3)
        p = F.softmax(head(torch.randn(4, 8)), dim=1).mean(1)
        loss = F.cross_entropy(p, y)
    """,
    "cat of softmax and logits is not known": """
        import torch
        import torch.nn.functional as F

        p = torch.cat([F.softmax(a, dim=1), b], dim=0)
        loss = F.cross_entropy(p, y)
    """,
    "logits over a temperature into CrossEntropyLoss": """
        import torch
        from torch import nn

        head = nn.Linear(8, 3)
        loss = nn.CrossEntropyLoss()(head(x) / 0.5, y)
        loss2 = nn.CrossEntropyLoss()(head(x) * scale, y)
    """,
    "tanh shifted but not halved is not known": """
        import torch
        import torch.nn.functional as F

        loss = F.binary_cross_entropy(torch.tanh(x) + 1, y)
    """,
    "p divided by another tensor's sum is not known": """
        import torch
        import torch.nn.functional as F

        p, q = torch.sigmoid(a), torch.sigmoid(b)
        loss = F.cross_entropy(p / q.sum(dim=1, keepdim=True), y)
    """,
}


@pytest.mark.parametrize("code", OPERATIONS_INVALID.values(), ids=list(OPERATIONS_INVALID))
def test_operations_that_keep_the_kind_are_followed(code):
    check_invalid(code)


@pytest.mark.parametrize("code", OPERATIONS_VALID.values(), ids=list(OPERATIONS_VALID))
def test_operation_look_alikes_stay_silent(code):
    check_valid(code)


def test_an_operation_not_modelled_names_itself():
    from losslint.runner import lint
    from losslint.selection import resolve
    import textwrap

    code = textwrap.dedent("""
        import torch
        import torch.nn.functional as F

        loss = F.cross_entropy(torch.softmax(z, 1).cumsum(1), y)
        loss2 = F.cross_entropy(torch.softmax(z, 1).mean(), y)
    """).encode()
    report = lint([], resolve(["LL900"]), {"snippet.py": code})
    messages = sorted(d.message for d in report.diagnostics)
    assert "Tensor.cumsum() is not modelled" in messages[0]
    assert "Tensor.mean() over every dim" in messages[1]


# --- item 8: targets from datasets ---------------------------------------------------------

DATASETS_INVALID = {
    "a two-logit head trained with BCEWithLogitsLoss on ImageFolder labels": """
        import torch
        from torch import nn
        from torchvision import datasets, transforms

        data = datasets.ImageFolder("data/train", transform=transforms.ToTensor())
        loader = torch.utils.data.DataLoader(data, batch_size=32, shuffle=True)
        model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 64 * 64, 2))
        criterion = nn.BCEWithLogitsLoss()
        for images, labels in loader:
            loss = criterion(model(images), labels)  # expect: LL204 LL301
    """,
    "CIFAR10 labels through enumerate and tqdm": """
        import torch
        import torchvision
        from torch import nn
        from torch.utils.data import DataLoader
        from tqdm import tqdm

        train = torchvision.datasets.CIFAR10(root="./data", train=True, download=True)
        loader = DataLoader(train, batch_size=64)
        head = nn.Linear(512, 1)
        for i, (x, y) in enumerate(tqdm(loader)):
            loss = nn.BCEWithLogitsLoss()(head(x).squeeze(1), y)  # expect: LL301
    """,
    "a TensorDataset of float labels into CrossEntropyLoss": """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        X = torch.randn(100, 8)
        Y = torch.rand(100)
        loader = DataLoader(TensorDataset(X, Y), 10, shuffle=True)
        net = nn.Linear(8, 3)
        for xb, yb in loader:
            loss = nn.CrossEntropyLoss()(net(xb), yb)  # expect: LL302
    """,
    "a TensorDataset of (N, 1) outputs against (N,) targets": """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        ds = TensorDataset(torch.randn(100, 8), torch.rand(100))
        net = nn.Linear(8, 1)
        xb, yb = next(iter(DataLoader(ds, batch_size=10)))
        loss = nn.BCEWithLogitsLoss()(net(xb), yb)  # expect: LL203
    """,
}

DATASETS_VALID = {
    "ImageFolder labels converted for BCEWithLogitsLoss": """
        import torch
        from torch import nn
        from torchvision import datasets

        loader = torch.utils.data.DataLoader(datasets.ImageFolder("d"), batch_size=8)
        head = nn.Linear(512, 1)
        for x, y in loader:
            loss = nn.BCEWithLogitsLoss()(head(x).squeeze(1), y.float())
            loss2 = nn.CrossEntropyLoss()(nn.Linear(512, 2)(x), y)
    """,
    "a target_transform makes the target unknown": """
        import torch
        from torch import nn
        from torchvision import datasets

        data = datasets.MNIST("d", train=True, target_transform=lambda t: torch.tensor([float(t)]))
        loader = torch.utils.data.DataLoader(data, batch_size=8)
        for x, y in loader:
            loss = nn.BCEWithLogitsLoss()(nn.Linear(784, 1)(x), y)
    """,
    "a custom collate_fn makes the batch unknown": """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        ds = TensorDataset(torch.randn(100, 8), torch.randint(0, 2, (100,)))
        for xb, yb in DataLoader(ds, batch_size=10, collate_fn=my_collate):
            loss = nn.BCEWithLogitsLoss()(nn.Linear(8, 1)(xb), yb)
    """,
    "a TensorDataset of float (N, 1) targets": """
        import torch
        from torch import nn
        from torch.utils.data import DataLoader, TensorDataset

        ds = TensorDataset(torch.randn(100, 8), torch.rand(100, 1))
        for xb, yb in DataLoader(ds, batch_size=10, shuffle=True):
            loss = nn.BCEWithLogitsLoss()(nn.Linear(8, 1)(xb), yb)
    """,
}


@pytest.mark.parametrize("code", DATASETS_INVALID.values(), ids=list(DATASETS_INVALID))
def test_dataset_targets_reach_the_target_rules(code):
    check_invalid(code)


@pytest.mark.parametrize("code", DATASETS_VALID.values(), ids=list(DATASETS_VALID))
def test_dataset_look_alikes_stay_silent(code):
    check_valid(code)


def test_axis_moves_of_a_value_of_unknown_rank():
    """``permute`` of a tensor whose rank is not known (a Linear's output on an input of
    unknown rank) gives the rank the permutation says and follows the width only when
    it can tell where the axis went."""
    from losslint.analysis.tensor_ops import transposed
    from losslint.analysis.values import Axis, Kind, Tensor

    logits = Tensor(Kind.LOGITS, 5, Axis.LAST)
    assert transposed(logits, "permute", [0, 2, 1]) == Tensor(Kind.LOGITS, 5, Axis.CHANNEL, 3)
    assert transposed(logits, "permute", [1, 0, 2]) == Tensor(Kind.LOGITS, 5, Axis.LAST, 3)
    assert transposed(Tensor(Kind.LOGITS, 5, Axis.LAST, 2), "permute", [1, 0, 2]).width is None
    assert transposed(logits, "transpose", [0, 1]).width is None  # may be the last axis
    assert transposed(logits, "transpose", [1, -1]) == Tensor(Kind.LOGITS, 5, Axis.CHANNEL)
    assert transposed(Tensor(Kind.LOGITS, 1, Axis.LAST), "t", []).width is None


def test_the_prefilter_takes_backward_calls_not_backward_definitions():
    from losslint.analysis import tables as T

    assert T.RELEVANT.search(b"    loss.backward()\n")
    assert T.RELEVANT.search(b"scaler.scale(loss).backward(create_graph=True)")
    assert not T.RELEVANT.search(b"class F(torch.autograd.Function):\n    def backward(ctx, g):\n        return g\n")


def test_the_prefilter_finds_what_one_alternation_of_every_name_finds():
    """``tables.RELEVANT`` searches a file's distinct words, not every position: on texts
    mixing the names, pieces of them, longer words around them, non-ASCII bytes and
    the call forms, it answers as the plain alternation does."""
    import random
    import re

    from losslint.analysis import tables as T

    mentions = T.LOSS_MENTIONS
    literals = sorted(mentions.parts, key=lambda p: (-len(p), p)) + sorted(f".{name}(" for name in mentions.calls)
    patterns = [re.escape(p.encode()) for p in literals]
    patterns += [re.escape(f".{name}(".encode()) + rb"(?s:.){0,400}?\bloss\b" for name in sorted(mentions.loss_arguments)]
    reference = re.compile(b"|".join(patterns))
    names = sorted(mentions.parts)
    pieces = [b"x", b"_", b"9", b" ", b"\n", b".", b"(", b"\xc3\xa9", b"\xff", b"loss", b"def backward(", b".backward(", b".compile(", b"y" * 450]
    rng = random.Random(20)
    found = 0
    for _ in range(3000):
        text = b""
        for _ in range(rng.randint(0, 8)):
            choice = rng.random()
            if choice < 0.15:
                text += rng.choice(names).encode()
            elif choice < 0.45:  # a name cut short or missing its first letters
                name = rng.choice(names).encode()
                cut = rng.randint(1, max(1, len(name) - 1))
                text += name[:cut] if rng.random() < 0.5 else name[cut:]
            else:
                text += rng.choice(pieces)
        expected = reference.search(text) is not None
        assert T.RELEVANT.search(text) is expected, text
        found += expected
    assert 300 < found < 2700  # both answers were exercised


RELATIVISTIC = """
    import torch
    import torch.nn as nn

    D = nn.Sequential(nn.Linear(8, 1){last})
    real_pred, fake_pred = D(torch.randn(4, 8)), D(torch.randn(4, 8))
    loss = nn.{loss}()(real_pred - fake_pred.mean(0, keepdim=True), valid){mark}
"""


def test_differences_of_raw_scores_are_raw_scores():
    check_valid(RELATIVISTIC.format(last="", loss="BCEWithLogitsLoss", mark=""))
    check_invalid(RELATIVISTIC.format(last="", loss="BCELoss", mark="  # expect: LL103"))
    check_valid(RELATIVISTIC.format(last="", loss="BCELoss", mark="").replace("- fake_pred.mean(0, keepdim=True)", "- probs"))
    check_valid(RELATIVISTIC.format(last=", nn.Sigmoid()", loss="BCELoss", mark=""))  # probabilities' difference: unknown
