"""Cases for rule LL103: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "linear head into BCELoss": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 1))
        criterion = nn.BCELoss()
        loss = criterion(model(x), y)  # expect: LL103
    """,
    "relu output into F.binary_cross_entropy": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                return F.relu(self.fc(x))

        loss = F.binary_cross_entropy(Net()(x), y)  # expect: LL103
    """,
    "tanh output": """
        import torch
        import torch.nn as nn

        out = torch.tanh(nn.Linear(4, 1)(x))
        loss = nn.BCELoss()(out, y)  # expect: LL103
    """,
    "literal tensor with values outside [0, 1]": """
        import torch
        import torch.nn.functional as F

        loss = F.binary_cross_entropy(torch.tensor([2.0, -1.0, 0.5]), torch.tensor([1.0, 0.0, 1.0]))  # expect: LL103
    """,
}

VALID = {
    "sigmoid then BCELoss is LL111, not LL103": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                return self.fc(x)

        loss = nn.BCEWithLogitsLoss()(Net()(x), y)
    """,
    "literal probabilities": """
        import torch
        import torch.nn.functional as F

        loss = F.binary_cross_entropy(torch.tensor([0.9, 0.1]), torch.tensor([1.0, 0.0]))
    """,
    "clamped probabilities of unknown origin": """
        import torch.nn as nn

        probs = model(x).clamp(1e-6, 1 - 1e-6)
        loss = nn.BCELoss()(probs, y)
    """,
    "a user-defined BCELoss class is not torch's": """
        import torch.nn as nn

        class BCELoss(nn.Module):
            def forward(self, logits, target):
                return nn.functional.binary_cross_entropy_with_logits(logits, target)

        loss = BCELoss()(nn.Linear(4, 1)(x), y)
    """,
}
