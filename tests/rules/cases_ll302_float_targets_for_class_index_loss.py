"""Cases for rule LL302: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "float labels into F.cross_entropy": """
        import torch
        import torch.nn.functional as F

        x = torch.randn(16, 8)
        y = torch.randint(0, 3, (16,)).float()
        loss = F.cross_entropy(torch.nn.Linear(8, 3)(x), y)  # expect: LL302
    """,
    "torch.rand targets into NLLLoss": """
        import torch
        import torch.nn as nn

        z = torch.randn(16, 4)
        loss = nn.NLLLoss()(torch.log_softmax(z, 1), torch.rand(16))  # expect: LL302
    """,
    "literal float class list": """
        import torch
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        x = torch.randn(3, 4)
        loss = criterion(nn.Linear(4, 3)(x), torch.tensor([0.0, 1.0, 2.0]))  # expect: LL302
    """,
}

VALID = {
    "long class indices": """
        import torch
        import torch.nn.functional as F

        y = torch.randint(0, 3, (16,)).float().long()
        loss = F.cross_entropy(torch.nn.Linear(8, 3)(x), y)
    """,
    "(N, C) probability targets are allowed": """
        import torch
        import torch.nn.functional as F

        soft = torch.softmax(torch.randn(16, 3), dim=1)
        loss = F.cross_entropy(torch.nn.Linear(8, 3)(x), soft)
    """,
    "float labels of unknown rank from a loader (may be soft labels)": """
        import torch.nn as nn

        for x, y in loader:
            loss = nn.CrossEntropyLoss()(model(x), y.float())
    """,
    "unbatched (C,) input with a (C,) probability target": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(3)
        loss = F.cross_entropy(logits, torch.tensor([0.2, 0.3, 0.5]))
    """,
    "input of unknown rank (it may be one unbatched sample)": """
        import torch
        import torch.nn.functional as F

        loss = F.cross_entropy(torch.nn.Linear(8, 3)(x), torch.tensor([0.0, 1.0, 0.0]))
    """,
    "float targets converted to class indices": """
        import torch
        import torch.nn.functional as F

        scores = torch.randn(8, 3)
        soft = torch.rand(8)
        labels = torch.randint(0, 3, (8,))
        a = F.cross_entropy(scores, soft.to(dtype=torch.long))
        b = F.cross_entropy(scores, soft.to(labels.dtype))
        c = F.cross_entropy(scores, soft.type_as(labels))
    """,
}
