"""Cases for rule LL201: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "a config class's attribute set to 1 again": """
        import torch.nn as nn

        class CFG:
            num_classes = 1

        CFG.num_classes = 1
        model = nn.Linear(8, CFG.num_classes)
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL201
    """,
    "nn.Linear(h, 1) into CrossEntropyLoss": """
        import torch.nn as nn

        model = nn.Linear(20, 1)
        loss = nn.functional.cross_entropy(model(x), y)  # expect: LL201
    """,
    "width from a constructor argument bound where the model is built": """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self, in_dim, num_classes=10):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(in_dim, 64), nn.ReLU(), nn.Linear(64, num_classes))

            def forward(self, x):
                return self.net(x)

        model = MLP(32, num_classes=1)
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL201
    """,
    "width from a module constant, NLLLoss on log_softmax": """
        import torch.nn as nn
        import torch.nn.functional as F

        N_OUT = 1
        head = nn.Linear(128, N_OUT)
        loss = F.nll_loss(F.log_softmax(head(h), dim=1), y)  # expect: LL201
    """,
    "1-channel segmentation head": """
        import torch.nn as nn

        seg = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, kernel_size=1))
        loss = nn.CrossEntropyLoss()(seg(images), masks)  # expect: LL201
    """,
}

VALID = {
    "1 output with BCEWithLogitsLoss": """
        import torch.nn as nn

        model = nn.Linear(20, 1)
        loss = nn.BCEWithLogitsLoss()(model(x), y.float().unsqueeze(1))
    """,
    "default width 10 when the model is built without arguments": """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.fc = nn.Linear(32, num_classes)

            def forward(self, x):
                return self.fc(x)

        loss = nn.CrossEntropyLoss()(MLP()(x), y)
    """,
    "width unknown when the argument comes from a config": """
        import torch.nn as nn

        model = nn.Linear(32, config.num_classes)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "two constructions with different widths: not every path is 1-wide": """
        import torch.nn as nn

        model = nn.Linear(20, 1) if binary else nn.Linear(20, 5)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "a config class's placeholder overwritten before the model is built": """
        import pandas as pd
        import torch.nn as nn

        class CFG:
            num_classes = 1  # set below, once the labels are read

        df = pd.read_csv("train.csv")
        CFG.num_classes = df["label"].nunique()
        model = nn.Linear(8, CFG.num_classes)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
}
