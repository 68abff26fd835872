"""Cases for rule LL105: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "F.nll_loss on a linear output": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 10)

            def forward(self, x):
                return self.fc(x)

        loss = F.nll_loss(Net()(x), y)  # expect: LL105
    """,
    "nn.NLLLoss instance on a conv output": """
        import torch.nn as nn

        seg = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 5, 1))
        criterion = nn.NLLLoss()
        loss = criterion(seg(images), masks)  # expect: LL105
    """,
    "logits reshaped before the loss": """
        import torch.nn as nn
        import torch.nn.functional as F

        head = nn.Linear(64, 30)
        logits = head(h).view(-1, 30)
        loss = F.nll_loss(logits, y.view(-1))  # expect: LL105
    """,
}

VALID = {
    "log_softmax + NLLLoss": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 10)

            def forward(self, x):
                return F.log_softmax(self.fc(x), dim=1)

        loss = F.nll_loss(Net()(x), y)
    """,
    "nn.LogSoftmax at the end of a Sequential": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(16, 10), nn.LogSoftmax(dim=1))
        loss = nn.NLLLoss()(model(x), y)
    """,
    "log of softmax is log-probabilities": """
        import torch
        import torch.nn.functional as F

        log_probs = torch.log(torch.softmax(torch.nn.Linear(4, 3)(x), dim=1))  # expect: LL401
        loss = F.nll_loss(log_probs, y)
    """,
}
