"""Cases for rule LL111: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "nn.Sigmoid in the model, nn.BCELoss": """
        import torch.nn as nn

        class Siamese(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Sequential(nn.Linear(256, 1))
                self.sigmoid = nn.Sigmoid()

            def forward(self, a, b):
                return self.sigmoid(self.fc(a * b))

        criterion = nn.BCELoss()
        loss = criterion(Siamese()(a, b), y)  # expect: LL111
    """,
    "torch.sigmoid then F.binary_cross_entropy": """
        import torch
        import torch.nn.functional as F

        def reconstruction_loss(decoder, z, x):
            recon = torch.sigmoid(decoder(z))
            return F.binary_cross_entropy(recon, x, reduction="sum")  # expect: LL111
    """,
    "sigmoid, clamp, squeeze then BCELoss": """
        import torch
        import torch.nn as nn

        probs = torch.sigmoid(nn.Linear(4, 1)(x)).clamp(1e-7, 1 - 1e-7).squeeze(1)
        loss = nn.BCELoss()(probs, y)  # expect: LL111
    """,
}

VALID = {
    "BCEWithLogitsLoss on logits": """
        import torch.nn as nn

        loss = nn.BCEWithLogitsLoss()(nn.Linear(4, 1)(x), y)
    """,
    "BCELoss on probabilities from outside the analysed code": """
        import torch.nn as nn

        loss = nn.BCELoss()(probs, y)
    """,
    "sigmoid used for the prediction, BCEWithLogitsLoss for training": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 1)

            def forward(self, x):
                return self.fc(x)

            def predict(self, x):
                return torch.sigmoid(self(x))

        net = Net()
        loss = nn.BCEWithLogitsLoss()(net(x), y)
        hits = net.predict(x) > 0.5
    """,
}
