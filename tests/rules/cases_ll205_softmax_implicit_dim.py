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
    "a caller passes no dim through **kwargs": """
        import torch.nn as nn

        def make_softmax(**kwargs):
            return nn.Softmax(**kwargs)  # expect: LL205

        head = make_softmax()
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
    "dim in the **kwargs or *args of a function nothing in the code calls": """
        import torch.nn as nn

        def make_softmax(**kwargs):
            return nn.Softmax(**kwargs)

        def make_log_softmax(*args):
            return nn.LogSoftmax(*args)

        class Activation(nn.Module):
            def __init__(self, name, **params):
                super().__init__()
                self.activation = nn.Softmax(**params) if name == "softmax" else nn.Identity()
    """,
}
