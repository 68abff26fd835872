"""Cases for rule LL402: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "hand-written BCE with torch.log": """
        import torch

        def bce(p, y):
            return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()  # expect: LL402

        loss = bce(torch.sigmoid(model(x)), y)
    """,
    "hand-written BCE with .log()": """
        import torch

        p = torch.sigmoid(logits)
        loss = -(target * p.log() + (1.0 - target) * (1.0 - p).log()).sum()  # expect: LL402
    """,
    "log of sigmoid": """
        import torch

        log_p = torch.log(torch.sigmoid(scores))  # expect: LL402
    """,
    "log of raw sigmoid probabilities in a binary entropy (not a BCE: no target)": """
        import torch

        p = torch.sigmoid(mask_logits)
        entropy = (-p * torch.log(p) - (1 - p) * torch.log(1 - p)).mean()  # expect: LL402
    """,
}

VALID = {
    "logsigmoid": """
        import torch.nn.functional as F

        log_p = F.logsigmoid(scores)
        log_not_p = F.logsigmoid(-scores)
    """,
    "log-likelihood of a different quantity": """
        import torch

        ll = y * torch.log(rate) - rate - torch.lgamma(y + 1)
    """,
    "log of p and log of q, not 1 - p": """
        import torch

        kl = (p * (torch.log(p) - torch.log(q))).sum()
    """,
    "logistic noise: log(u) - log(1 - u) of uniform samples": """
        import torch

        u = torch.rand_like(logits).clamp(1e-6, 1 - 1e-6)
        noise = torch.log(u) - torch.log(1 - u)
    """,
    "binary entropy of probabilities bounded away from 0 and 1": """
        import torch

        p = 0.99 * torch.sigmoid(mask_logits) + 0.005
        entropy = (-p * torch.log(p) - (1 - p) * torch.log(1 - p)).mean()
    """,
    "hand-written BCE of values that are not known probabilities": """
        import torch

        def bce(p, y):
            return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    """,
}
