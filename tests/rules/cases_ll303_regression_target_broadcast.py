"""Cases for rule LL303: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "(N, 1) regression head against (N,) targets": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 1))
        x = torch.randn(32, 13)
        price = torch.randn(32)
        loss = nn.MSELoss()(model(x), price)  # expect: LL303
    """,
    "(N,) output against (N, 1) targets, functional L1": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        out = nn.Linear(8, 1)(torch.randn(16, 8)).squeeze(1)
        y = torch.rand(16, 1)
        loss = F.l1_loss(out, y)  # expect: LL303
    """,
    "SmoothL1Loss and HuberLoss with keywords": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Regressor(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 1)

            def forward(self, x):
                return self.fc(x)

        x, y = torch.randn(10, 4), torch.randn(10)
        a = nn.SmoothL1Loss()(input=Regressor()(x), target=y)  # expect: LL303
        b = F.huber_loss(Regressor()(x), y, delta=2.0)  # expect: LL303
    """,
}

VALID = {
    "squeezed or unsqueezed to match": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        out = nn.Linear(8, 1)(torch.randn(16, 8))
        y = torch.randn(16)
        a = F.mse_loss(out.squeeze(1), y)
        b = F.mse_loss(out, y.unsqueeze(1))
        c = F.mse_loss(out.view(-1), y)
        d = F.mse_loss(out, y.view_as(out))
        e = F.mse_loss(out, y.view(-1, 1))
    """,
    "targets from a DataLoader: shape unknown": """
        import torch.nn as nn

        head = nn.Linear(8, 1)
        for x, y in loader:
            loss = nn.MSELoss()(head(x), y)
    """,
    "(N, 3) against (N, 3): several outputs": """
        import torch
        import torch.nn as nn

        loss = nn.L1Loss()(nn.Linear(8, 3)(torch.randn(16, 8)), torch.randn(16, 3))
    """,
    "a loss the rule does not know with the same shapes": """
        import torch
        import torch.nn as nn

        out = nn.Linear(8, 1)(torch.randn(16, 8))
        loss = nn.GaussianNLLLoss()(out, torch.randn(16), torch.ones(16, 1))
    """,
    "a user function named mse_loss": """
        import torch
        import torch.nn as nn

        def mse_loss(a, b):
            return ((a.squeeze(1) - b) ** 2).mean()

        loss = mse_loss(nn.Linear(8, 1)(torch.randn(16, 8)), torch.randn(16))
    """,
}
