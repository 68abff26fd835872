"""Cases for rule LL107: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "softmax into BCELoss": """
        import torch
        import torch.nn as nn

        out = torch.softmax(nn.Linear(8, 4)(x), dim=1)
        loss = nn.BCELoss()(out, multi_hot)  # expect: LL107
    """,
    "softmax into BCEWithLogitsLoss": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 6)

            def forward(self, x):
                return F.softmax(self.fc(x), dim=-1)

        loss = F.binary_cross_entropy_with_logits(Net()(x), y)  # expect: LL107
    """,
    "Softmax layer through a list of layers": """
        import torch.nn as nn

        layers = [nn.Linear(8, 8), nn.ReLU()]
        layers.append(nn.Linear(8, 3))
        layers.append(nn.Softmax(dim=1))
        model = nn.Sequential(*layers)
        loss = nn.BCELoss()(model(x), y)  # expect: LL107
    """,
}

VALID = {
    "sigmoid for a multi-label BCELoss (LL111 is opt-out info, not this)": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 3))
        loss = nn.BCEWithLogitsLoss()(model(x), y)
    """,
    "softmax probabilities compared with BCE only in an eval metric outside a loss": """
        import torch
        import torch.nn as nn

        logits = nn.Linear(8, 3)(x)
        loss = nn.CrossEntropyLoss()(logits, y)
        probs = torch.softmax(logits, dim=1)
        top = probs.argmax(dim=1)
    """,
    "softmax attention weights inside the model": """
        import torch
        import torch.nn as nn

        class AttnPool(nn.Module):
            def __init__(self):
                super().__init__()
                self.score = nn.Linear(32, 1)
                self.out = nn.Linear(32, 1)

            def forward(self, h):
                w = torch.softmax(self.score(h), dim=1)
                pooled = (w * h).sum(dim=1)
                return self.out(pooled)

        loss = nn.BCEWithLogitsLoss()(AttnPool()(h), y)
    """,
    "one column of a two-way softmax is a single probability": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(8, 2)
        y = torch.randint(0, 2, (8,)).float()
        loss = F.binary_cross_entropy(F.softmax(logits, dim=1)[:, 1], y)
    """,
}
