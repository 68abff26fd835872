"""Cases for rule LL202: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "nn.Softmax(dim=-1) after nn.Linear(h, 1)": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(16, 1), nn.Softmax(dim=-1))  # expect: LL202
        out = model(x)
    """,
    "torch.softmax over the last dim of a 1-unit head": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 1)

            def forward(self, x):
                return torch.softmax(self.fc(x), dim=-1)  # expect: LL202
    """,
    "dim=1 after flatten makes the rank known": """
        import torch.nn as nn

        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Softmax(dim=1))  # expect: LL202
        y = model(images)
    """,
}

VALID = {
    "attention pooling: softmax over the sequence dim of a 1-unit score": """
        import torch
        import torch.nn as nn

        class Pool(nn.Module):
            def __init__(self):
                super().__init__()
                self.score = nn.Linear(64, 1)

            def forward(self, h):
                return (torch.softmax(self.score(h), dim=1) * h).sum(dim=1)
    """,
    "softmax over several classes": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(16, 4), nn.Softmax(dim=-1))
        out = model(x)
    """,
    "sigmoid on a single output": """
        import torch
        import torch.nn as nn

        out = torch.sigmoid(nn.Linear(16, 1)(x))
    """,
}
