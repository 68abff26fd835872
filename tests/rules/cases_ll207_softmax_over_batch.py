"""Cases for rule LL207: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "log_softmax over dim 0 in forward, into NLLLoss": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(20, 64)
                self.fc2 = nn.Linear(64, 4)

            def forward(self, x):
                x = F.relu(self.fc1(x))
                return F.log_softmax(self.fc2(x), dim=0)  # expect: LL207

        x = torch.randn(32, 20)
        y = torch.randint(0, 4, (32,))
        loss = F.nll_loss(Net()(x), y)
    """,
    "nn.Softmax(dim=0) ending a Sequential, log taken before NLLLoss": """
        import torch
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(10, 3), nn.Softmax(dim=0))  # expect: LL207
        probs = model(torch.randn(16, 10))
        loss = nn.NLLLoss()(torch.log(probs), torch.randint(0, 3, (16,)))  # expect: LL401
    """,
    "a flattened CNN's softmax over dim 0, trained on loader batches": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 8, 3)
                self.fc = nn.Linear(8 * 26 * 26, 10)

            def forward(self, x):
                x = F.relu(self.conv(x))
                x = x.view(x.size(0), -1)
                return F.log_softmax(self.fc(x), dim=0)  # expect: LL207

        model = Classifier()

        def train(loader):
            for x, y in loader:
                loss = F.nll_loss(model(x), y)
                loss.backward()
    """,
    "Tensor.softmax(0) on a (N, L, C) tagger output into CrossEntropyLoss": """
        import torch
        import torch.nn as nn

        lstm = nn.LSTM(8, 16, batch_first=True)
        fc = nn.Linear(16, 5)
        out, _ = lstm(torch.randn(4, 6, 8))
        probs = fc(out).softmax(0)  # expect: LL207
        loss = nn.CrossEntropyLoss()(probs.reshape(-1, 5), torch.randint(0, 5, (24,)))  # expect: LL101
    """,
}

VALID = {
    "attention over the items of one bag: a width-1 score squeezed": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        class Attention(nn.Module):
            def __init__(self):
                super().__init__()
                self.score = nn.Linear(64, 1)
                self.classifier = nn.Linear(64, 1)

            def forward(self, h):
                a = F.softmax(self.score(h).squeeze(1), dim=0)
                a2 = F.softmax(self.score(h), dim=0)
                z = torch.mm(a.unsqueeze(0), h)
                return self.classifier(z), a2

        bag = torch.randn(12, 64)
        logit, weights = Attention()(bag)
        loss = F.binary_cross_entropy_with_logits(logit, torch.ones(1, 1))
    """,
    "softmax over the class dim": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        fc = nn.Linear(10, 3)
        x = torch.randn(16, 10)
        a = F.nll_loss(F.log_softmax(fc(x), dim=1), torch.randint(0, 3, (16,)))
        b = F.nll_loss(F.log_softmax(fc(x), dim=-1), torch.randint(0, 3, (16,)))
    """,
    "1-D tensor: dim 0 is its only dim": """
        import torch
        import torch.nn.functional as F

        scores = torch.randn(7)
        weights = F.softmax(scores, dim=0)
    """,
    "dim 0 of an output that never reaches a loss nor leaves a forward": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        fc = nn.Linear(10, 3)
        column_share = F.softmax(fc(torch.randn(16, 10)), dim=0)
        print(column_share.sum(0))
    """,
    "rank not known: the input comes from outside": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 3)

            def forward(self, x):
                return F.log_softmax(self.fc(x), dim=0)

        for x, y in loader:
            loss = F.nll_loss(Net()(x), y)
    """,
    "class axis first after a transpose: dim 0 is the classes": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        fc = nn.Linear(10, 3)
        scores = fc(torch.randn(16, 10)).t()
        log_probs = F.log_softmax(scores, dim=0)
        loss = F.kl_div(log_probs.t(), torch.rand(16, 3), reduction="batchmean")
    """,
}
