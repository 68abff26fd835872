"""Cases for rule LL102: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "nn.Sigmoid attribute applied in forward": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.fc = nn.Linear(32, num_classes)
                self.act = nn.Sigmoid()

            def forward(self, x):
                x = self.fc(x)
                return self.act(x)

        criterion = nn.CrossEntropyLoss()
        loss = criterion(Net()(x), y)  # expect: LL102
    """,
    "torch.sigmoid in a helper method": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(32, 5)

            def head(self, h):
                return torch.sigmoid(self.fc(h))

            def forward(self, x):
                h = x.flatten(1)
                return self.head(h)

        loss = nn.functional.cross_entropy(Net()(x), y)  # expect: LL102
    """,
    "Sequential built from an OrderedDict": """
        from collections import OrderedDict
        import torch.nn as nn

        model = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("act", nn.Sigmoid())]))
        loss = nn.CrossEntropyLoss()(model(x).squeeze(), y)  # expect: LL102
    """,
    "LightningModule training_step calling self(x)": """
        import lightning as L
        import torch.nn as nn
        import torch.nn.functional as F

        class LitModel(L.LightningModule):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(28 * 28, 64), nn.ReLU(), nn.Linear(64, 10), nn.Sigmoid())

            def forward(self, x):
                return self.net(x.view(x.size(0), -1))

            def training_step(self, batch, batch_idx):
                x, y = batch
                loss = F.cross_entropy(self(x), y)  # expect: LL102
                return loss
    """,
}

VALID = {
    "sigmoid only for thresholds beside BCEWithLogitsLoss": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(32, 20)

            def forward(self, x):
                return self.fc(x)

        model = Net()
        logits = model(x)
        loss = nn.BCEWithLogitsLoss()(logits, y)
        predictions = torch.sigmoid(logits) > 0.5
    """,
    "an activation chosen by a flag is not provably sigmoid": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, multi_label=False):
                super().__init__()
                self.fc = nn.Linear(32, 5)
                self.act = nn.Sigmoid() if multi_label else nn.Identity()

            def forward(self, x):
                return self.act(self.fc(x))

        loss = nn.CrossEntropyLoss()(Net()(x), y)
    """,
    "sigmoid gating inside the model, logits at the end": """
        import torch
        import torch.nn as nn

        class Gated(nn.Module):
            def __init__(self):
                super().__init__()
                self.gate = nn.Linear(16, 16)
                self.out = nn.Linear(16, 4)

            def forward(self, x):
                x = x * torch.sigmoid(self.gate(x))
                return self.out(x)

        loss = nn.CrossEntropyLoss()(Gated()(x), y)
    """,
    "seq[0](x) skips the final Sigmoid": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(16, 4), nn.Sigmoid())
        loss = nn.CrossEntropyLoss()(model[0](x), y)
        probs = model(x)
    """,
    "a transformers model's logits": """
        import torch.nn.functional as F
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=3)
        outputs = model(**batch)
        loss = F.cross_entropy(outputs.logits, batch["labels"])
    """,
    "a loss passed in from outside stays silent": """
        import torch

        def train_step(model, criterion, x, y):
            return criterion(torch.sigmoid(model(x)), y)
    """,
}
