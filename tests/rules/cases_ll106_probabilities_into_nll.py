"""Cases for rule LL106: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "softmax then nll_loss": """
        import torch.nn.functional as F

        def loss_fn(logits, y):
            return F.nll_loss(F.softmax(logits, dim=1), y)  # expect: LL106
    """,
    "nn.Softmax in the model, NLLLoss in the loop": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))

            def forward(self, x):
                return self.layers(x)

        model, criterion = Net(), nn.NLLLoss()
        for x, y in loader:
            loss = criterion(model(x), y)  # expect: LL106
    """,
    "sigmoid then NLLLoss": """
        import torch
        import torch.nn as nn

        out = torch.sigmoid(nn.Linear(8, 4)(x))
        loss = nn.NLLLoss()(out, y)  # expect: LL106
    """,
}

VALID = {
    "log of probabilities plus epsilon is not modelled: silent": """
        import torch
        import torch.nn.functional as F

        probs = F.softmax(logits, dim=1)
        loss = F.nll_loss(torch.log(probs + 1e-8), y)
    """,
    "log_softmax method": """
        import torch.nn.functional as F

        loss = F.nll_loss(logits.log_softmax(dim=-1), y)
    """,
    "probabilities for metrics, log-probabilities for the loss": """
        import torch
        import torch.nn.functional as F

        log_probs = F.log_softmax(torch.nn.Linear(4, 3)(x), dim=1)
        loss = F.nll_loss(log_probs, y)
        confidence = log_probs.exp().max(dim=1).values
    """,
}
