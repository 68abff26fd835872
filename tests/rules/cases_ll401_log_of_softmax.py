"""Cases for rule LL401: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "torch.log(torch.softmax(...))": """
        import torch

        log_probs = torch.log(torch.softmax(logits, dim=1))  # expect: LL401
    """,
    "log of a model's softmax output": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        lp = torch.log(model(x))  # expect: LL401
    """,
    ".log() method": """
        import torch.nn.functional as F

        def nll(logits, y):
            return F.nll_loss(F.softmax(logits, dim=-1).log(), y)  # expect: LL401
    """,
}

VALID = {
    "log_softmax": """
        import torch.nn.functional as F

        lp = F.log_softmax(logits, dim=1)
    """,
    "log of softmax plus epsilon is not flagged": """
        import torch

        lp = torch.log(torch.softmax(logits, dim=1) + 1e-8)
    """,
    "log of something else": """
        import torch

        lp = torch.log(counts / counts.sum())
        scale = torch.log(torch.tensor(10.0))
    """,
}
