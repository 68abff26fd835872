"""Cases for rule LL203: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "(N, 1) logits against (N,) float targets": """
        import torch
        import torch.nn as nn

        x = torch.randn(32, 10)
        y = torch.randint(0, 2, (32,)).float()
        head = nn.Linear(10, 1)
        loss = nn.BCEWithLogitsLoss()(head(x), y)  # expect: LL203
    """,
    "(N,) output against (N, 1) targets": """
        import torch
        import torch.nn as nn

        x = torch.randn(32, 10)
        y = torch.rand(32, 1)
        model = nn.Sequential(nn.Linear(10, 1))
        out = model(x).view(-1)
        loss = nn.BCEWithLogitsLoss()(out, y)  # expect: LL203
    """,
    "BCELoss on a sigmoid model, unsqueezed target against squeezed output": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                return torch.sigmoid(self.fc(x)).squeeze(1)

        x = torch.randn(16, 8)
        y = torch.randint(0, 2, (16,)).float().unsqueeze(1)
        loss = nn.BCELoss()(Net()(x), y)  # expect: LL203 expect: LL111
    """,
}

VALID = {
    "shapes match after squeeze": """
        import torch
        import torch.nn as nn

        x = torch.randn(32, 10)
        y = torch.randint(0, 2, (32,)).float()
        loss = nn.BCEWithLogitsLoss()(nn.Linear(10, 1)(x).squeeze(1), y)
    """,
    "targets from a DataLoader: shape unknown": """
        import torch.nn as nn

        head = nn.Linear(10, 1)
        for x, y in loader:
            loss = nn.BCEWithLogitsLoss()(head(x), y.float())
    """,
    "(N, 1) against (N, 1)": """
        import torch
        import torch.nn as nn

        x = torch.randn(32, 10)
        y = torch.randint(0, 2, (32, 1)).float()
        loss = nn.BCEWithLogitsLoss()(nn.Linear(10, 1)(x), y)
    """,
    "target given the output's shape by view_as / reshape_as / expand_as": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        out = nn.Linear(16, 1)(torch.randn(8, 16))
        y = torch.randint(0, 2, (8,)).float()
        a = F.binary_cross_entropy_with_logits(out, y.view_as(out))
        b = F.binary_cross_entropy_with_logits(out, y.reshape_as(out))
        c = F.binary_cross_entropy_with_logits(out, y.unsqueeze(1).expand_as(out))
    """,
    "target reshaped to the output's shape object": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        out = nn.Linear(16, 1)(torch.randn(8, 16))
        y = torch.randint(0, 2, (8,)).float()
        a = F.binary_cross_entropy_with_logits(out, y.view(out.shape))
        b = F.binary_cross_entropy_with_logits(out, y.reshape(out.size()))
        c = F.binary_cross_entropy_with_logits(out, torch.reshape(y, out.shape))
        d = F.binary_cross_entropy_with_logits(out, torch.zeros(out.shape))
    """,
}
