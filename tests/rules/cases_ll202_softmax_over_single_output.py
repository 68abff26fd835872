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
    "squeeze of another axis keeps the width-1 last axis": """
        import torch
        import torch.nn as nn

        out = nn.Linear(8, 1)(torch.randn(4, 1, 8))
        p = torch.softmax(out.squeeze(1), dim=-1)  # expect: LL202
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
    "squeeze(-1) removes the width-1 axis: a softmax over time steps (attention pooling)": """
        import torch.nn as nn
        import torch.nn.functional as F

        score = nn.Linear(64, 1)
        w = F.softmax(score(h).squeeze(-1), dim=-1)
    """,
    "reshape merges the width-1 channel into H*W: a spatial softmax": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        heat = nn.Conv2d(16, 1, 1)(torch.randn(2, 16, 8, 8))
        p = F.softmax(heat.reshape(2, -1), dim=1)
    """,
    "flatten(1) of a one-channel map": """
        import torch
        import torch.nn as nn

        heat = nn.Conv2d(16, 1, 1)(x)
        p = torch.softmax(heat.flatten(1), dim=1)
        q = torch.softmax(torch.squeeze(nn.Linear(8, 1)(x), -1), dim=-1)
    """,
    "squeezed in place before the softmax": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        s = nn.Linear(64, 1)(torch.randn(4, 7, 64))
        s.squeeze_(-1)
        w = F.softmax(s, dim=-1)
    """,
}
