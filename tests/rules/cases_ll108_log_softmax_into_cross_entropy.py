"""Cases for rule LL108: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "log_softmax into F.cross_entropy": """
        import torch.nn.functional as F

        loss = F.cross_entropy(F.log_softmax(logits, dim=1), y)  # expect: LL108
    """,
    "nn.LogSoftmax ending the model": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 3), nn.LogSoftmax(dim=1))
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL108
    """,
    "log of softmax into CrossEntropyLoss": """
        import torch
        import torch.nn as nn

        log_probs = torch.log(torch.softmax(nn.Linear(4, 3)(x), dim=1))  # expect: LL401
        loss = nn.CrossEntropyLoss()(log_probs, y)  # expect: LL108
    """,
}

VALID = {
    "log_softmax into NLLLoss": """
        import torch.nn.functional as F

        loss = F.nll_loss(F.log_softmax(logits, dim=1), y)
    """,
    "logits into CrossEntropyLoss": """
        import torch.nn as nn

        loss = nn.CrossEntropyLoss()(nn.Linear(4, 3)(x), y)
    """,
    "log_softmax for a KL term beside cross-entropy on logits": """
        import torch.nn as nn
        import torch.nn.functional as F

        logits = nn.Linear(4, 3)(x)
        ce = F.cross_entropy(logits, y)
        kl = F.kl_div(F.log_softmax(logits, dim=1), teacher_probs, reduction="batchmean")
    """,
}

