"""Cases for rule LL205: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "F.softmax without dim": """
        import torch.nn.functional as F

        probs = F.softmax(logits)  # expect: LL205
    """,
    "nn.Softmax() and nn.LogSoftmax() without dim": """
        import torch.nn as nn

        head = nn.Sequential(nn.Linear(8, 3), nn.Softmax())  # expect: LL205
        log_head = nn.LogSoftmax()  # expect: LL205
    """,
    "fully qualified F.log_softmax": """
        import torch

        def score(x):
            return torch.nn.functional.log_softmax(x)  # expect: LL205
    """,
}

VALID = {
    "dim given by keyword": """
        import torch.nn.functional as F

        probs = F.softmax(logits, dim=1)
    """,
    "dim given positionally": """
        import torch.nn as nn
        import torch.nn.functional as F

        probs = F.log_softmax(logits, 1)
        layer = nn.Softmax(-1)
    """,
    "a user softmax without dim": """
        def softmax(x):
            return x.exp() / x.exp().sum()

        probs = softmax(scores)
    """,
    "dim passed through **kwargs": """
        import torch.nn.functional as F

        options = {"dim": 1}
        probs = F.softmax(logits, **options)
    """,
}
