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
    "clamp with no positive minimum keeps the -inf": """
        import torch
        import torch.nn.functional as F

        probs = F.softmax(torch.randn(8, 5), dim=1)
        a = torch.log(probs.clamp(max=1.0))  # expect: LL401
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
    "log of softmax clamped to a positive minimum (finite)": """
        import torch
        import torch.nn.functional as F

        probs = F.softmax(torch.randn(8, 5), dim=1)
        a = torch.log(probs.clamp(min=1e-7))
        b = torch.log(torch.clamp(probs, 1e-7, 1.0))
    """,
    "log of a mean of softmaxes (a batch's marginal, an ensemble): no log_softmax gives it": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(16, 3)
        marginal = torch.softmax(logits, 1).mean(0, keepdim=True)
        reg = F.kl_div(torch.log(marginal), torch.full((1, 3), 1 / 3), reduction="batchmean")
        ens = torch.log(torch.stack([torch.softmax(logits, 1), torch.softmax(2 * logits, 1)]).mean(0))
    """,
}
