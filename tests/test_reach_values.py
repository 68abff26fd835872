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
