"""Cases for rule LL204: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "10-wide output, class indices turned float": """
        import torch
        import torch.nn as nn

        model = nn.Linear(64, 10)
        x = torch.randn(32, 64)
        y = torch.randint(0, 10, (32,))
        loss = nn.BCEWithLogitsLoss()(model(x), y.float())  # expect: LL204
    """,
    "class indices from a literal": """
        import torch
        import torch.nn.functional as F

        logits = torch.nn.Linear(8, 3)(torch.randn(3, 8))
        labels = torch.tensor([0.0, 2.0, 1.0])
        loss = F.binary_cross_entropy_with_logits(logits, labels)  # expect: LL204
    """,
    "integer class indices into BCELoss: two findings": """
        import torch
        import torch.nn as nn

        probs = torch.sigmoid(nn.Linear(8, 4)(torch.rand(8, 8)))
        y = torch.randint(0, 4, (8,))
        loss = nn.BCELoss()(probs, y)  # expect: LL204 expect: LL301 expect: LL111
    """,
}

VALID = {
    "one-hot float targets": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        y = torch.randint(0, 10, (32,))
        loss = nn.BCEWithLogitsLoss()(nn.Linear(64, 10)(x), F.one_hot(y, 10).float())
    """,
    "class indices with CrossEntropyLoss": """
        import torch
        import torch.nn as nn

        y = torch.randint(0, 10, (32,))
        loss = nn.CrossEntropyLoss()(nn.Linear(64, 10)(x), y)
    """,
    "multi-hot targets of unknown shape from a loader": """
        import torch.nn as nn

        model = nn.Linear(64, 20)
        for x, tags in loader:
            loss = nn.BCEWithLogitsLoss()(model(x), tags.float())
    """,
    "one sample's output and its multi-hot vector (the output's rank is not known)": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        criterion = nn.BCEWithLogitsLoss()

        def train_one(x, label_ids):
            target = torch.zeros(10)
            target[label_ids] = 1.0
            return criterion(model(x), target)

        logits = nn.Linear(8, 3)(sample)
        loss = criterion(logits, torch.tensor([0.0, 1.0, 1.0]))
    """,
}
