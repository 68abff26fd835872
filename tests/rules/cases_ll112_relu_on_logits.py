"""Cases for rule LL112: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "nn.ReLU ending the head before BCEWithLogitsLoss": """
        import torch
        import torch.nn as nn

        head = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1), nn.ReLU())
        x = torch.randn(8, 16)
        y = torch.randint(0, 2, (8, 1)).float()
        loss = nn.BCEWithLogitsLoss()(head(x), y)  # expect: LL112
    """,
    "F.relu in forward before CrossEntropyLoss": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 20)
                self.fc2 = nn.Linear(20, 4)

            def forward(self, x):
                x = F.relu(self.fc1(x))
                return F.relu(self.fc2(x))

        loss = F.cross_entropy(Net()(torch.randn(8, 10)), torch.randint(0, 4, (8,)))  # expect: LL112
    """,
    "clamp(min=0) before MultiLabelSoftMarginLoss": """
        import torch
        import torch.nn as nn

        scores = nn.Linear(10, 6)(torch.randn(8, 10)).clamp(min=0)
        loss = nn.MultiLabelSoftMarginLoss()(scores, torch.randint(0, 2, (8, 6)).float())  # expect: LL112
    """,
    "ReLU6 then sigmoid into BCELoss": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 1), nn.ReLU6(), nn.Sigmoid())
        loss = nn.BCELoss()(model(torch.randn(8, 10)), torch.rand(8, 1))  # expect: LL112 expect: LL111
    """,
}

VALID = {
    "ReLU inside the network, Linear last": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
        loss = nn.CrossEntropyLoss()(model(torch.randn(8, 10)), torch.randint(0, 3, (8,)))
    """,
    "ReLU before a regression loss": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        depth = F.relu(nn.Linear(10, 1)(torch.randn(8, 10)))
        loss = F.mse_loss(depth, torch.rand(8, 1))
    """,
    "activations that can be negative: LeakyReLU, GELU": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        a = nn.Sequential(nn.Linear(10, 1), nn.LeakyReLU())(torch.randn(8, 10))
        b = F.gelu(nn.Linear(10, 3)(torch.randn(8, 10)))
        loss = nn.BCEWithLogitsLoss()(a, torch.rand(8, 1)) + F.cross_entropy(b, torch.randint(0, 3, (8,)))
    """,
    "ReLU followed by another Linear in forward": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 20)
                self.out = nn.Linear(20, 1)

            def forward(self, x):
                return self.out(F.relu(self.fc1(x)))

        loss = F.binary_cross_entropy_with_logits(Net()(torch.randn(8, 10)), torch.rand(8, 1))
    """,
    "the activation is ReLU in one call and Identity-like in another": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        def head(x, act):
            return act(nn.Linear(10, 1)(x))

        a = F.binary_cross_entropy_with_logits(head(torch.randn(8, 10), F.relu), torch.rand(8, 1))
        b = F.binary_cross_entropy_with_logits(head(torch.randn(8, 10), F.leaky_relu), torch.rand(8, 1))
    """,
    "clamp with a maximum too, and a sigmoid of raw logits into BCELoss": """
        import torch
        import torch.nn as nn

        z = nn.Linear(10, 1)(torch.randn(8, 10))
        bounded = z.clamp(min=0, max=1)
        loss = nn.BCELoss()(torch.sigmoid(z), torch.rand(8, 1))  # expect: LL111
    """,
}
