"""Cases for rule LL104: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "model ends in Sigmoid, BCEWithLogitsLoss": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 5), nn.Sigmoid())
        loss = nn.BCEWithLogitsLoss()(model(x), y)  # expect: LL104
    """,
    "x.sigmoid() into the functional form": """
        import torch.nn.functional as F

        def step(model, x, y):
            probs = model(x).sigmoid()
            return F.binary_cross_entropy_with_logits(probs, y)  # expect: LL104
    """,
    "sigmoid into torchvision's sigmoid_focal_loss": """
        import torch
        from torchvision.ops import sigmoid_focal_loss

        def loss_fn(logits, targets):
            return sigmoid_focal_loss(torch.sigmoid(logits), targets, reduction="mean")  # expect: LL104
    """,
    "loss held on self in __init__": """
        import torch
        import torch.nn as nn

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 3)
                self.loss_fn = nn.BCEWithLogitsLoss()

            def forward(self, x, y=None):
                out = torch.sigmoid(self.fc(x))
                if y is not None:
                    return self.loss_fn(out, y)  # expect: LL104
                return out
    """,
}

VALID = {
    "BCEWithLogitsLoss on a 20-wide multi-label head": """
        import torch
        import torch.nn as nn

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(256, 20)

            def forward(self, x):
                return self.head(x)

        logits = Tagger()(x)
        loss = nn.BCEWithLogitsLoss(pos_weight=torch.ones(20))(logits, y)
        tags = torch.sigmoid(logits) > 0.5
    """,
    "sigmoid used only for a metric": """
        import torch
        import torch.nn.functional as F

        logits = torch.nn.Linear(4, 1)(x)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        auc_input = torch.sigmoid(logits).detach().cpu()
    """,
    "logit of a probability is logits again (not modelled: stays silent)": """
        import torch
        import torch.nn.functional as F

        p = torch.sigmoid(torch.nn.Linear(4, 1)(x))
        loss = F.binary_cross_entropy_with_logits(torch.logit(p), y)
    """,
}
