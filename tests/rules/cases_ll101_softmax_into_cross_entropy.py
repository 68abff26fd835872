"""Cases for rule LL101: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "keywords of unknown content after the input and target (**kwargs leaves positions sure)": """
        import torch.nn.functional as F

        def loss_fn(logits, y, **options):
            return F.cross_entropy(F.softmax(logits, dim=1), y, **options)  # expect: LL101

        def other(logits, y):
            return F.cross_entropy(F.softmax(logits, dim=1), y, **config.loss_options)  # expect: LL101
    """,
    "functional softmax returned by forward": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 4)

            def forward(self, x):
                return F.softmax(self.fc(x), dim=1)

        model = Net()
        loss = nn.CrossEntropyLoss()(model(x), y)  # expect: LL101
    """,
    "nn.Softmax ending a Sequential, aliased import, loss in a train function": """
        from torch import nn
        from torch.nn import CrossEntropyLoss as CE

        def train(model, criterion, loader):
            for x, y in loader:
                loss = criterion(model(x), y)  # expect: LL101
                loss.backward()

        net = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1), nn.Dropout(0.1))
        train(net, CE(), [])
    """,
    "tensor method softmax inline, keyword input": """
        import torch

        def step(logits, target):
            return torch.nn.functional.cross_entropy(input=logits.softmax(1), target=target)  # expect: LL101
    """,
    "exp of log_softmax is softmax": """
        import torch
        import torch.nn.functional as F

        probs = torch.exp(F.log_softmax(torch.randn(4, 3), dim=1))
        loss = F.cross_entropy(probs, torch.tensor([0, 1, 2, 0]))  # expect: LL101
    """,
    "DataParallel and compile wrappers, .to(device)": """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(4, 4)
                self.head = nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=1))

            def forward(self, x):
                return self.head(self.body(x))

        model = torch.compile(nn.DataParallel(Net().to("cuda")))
        criterion = nn.CrossEntropyLoss()
        loss = criterion(model(x), y)  # expect: LL101
    """,
}

VALID = {
    "softmax only in predict": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 4)

            def forward(self, x):
                return self.fc(x)

            def predict(self, x):
                return F.softmax(self(x), dim=1)

        model = Net()
        loss = nn.CrossEntropyLoss()(model(x), y)
        probs = model.predict(x)
    """,
    "if self.training returns logits": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 4)
                self.softmax = nn.Softmax(dim=1)

            def forward(self, x):
                x = self.fc(x)
                if self.training:
                    return x
                return self.softmax(x)

        loss = nn.CrossEntropyLoss()(Net()(x), y)
    """,
    "a user function called softmax is not torch": """
        import torch.nn.functional as F

        def softmax(x, dim=1):
            return x

        loss = F.cross_entropy(softmax(logits), y)
    """,
    "seq[:-1] skips the final softmax": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=1))
        loss = nn.CrossEntropyLoss()(model[:-1](x), y)
        loss2 = nn.CrossEntropyLoss()(model[0](x), y)
    """,
    "tuple return: raw element to the loss, probabilities for metrics": """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(10, 4)

            def forward(self, x):
                logits = self.fc(x)
                return logits, F.softmax(logits, dim=1)

        logits, probs = Net()(x)
        loss = F.cross_entropy(logits, y)
        out = Net()(x)
        loss2 = F.cross_entropy(out[0], y)
        accuracy = (probs.argmax(1) == y).float().mean()
    """,
    "a model from an unknown library": """
        import timm
        import torch.nn as nn

        model = timm.create_model("resnet18", num_classes=10)
        loss = nn.CrossEntropyLoss()(model(x), y)
    """,
    "flax's nn is not torch": """
        from flax import linen as nn
        import torch.nn.functional as F

        probs = nn.Softmax(dim=1)(logits)  # flax.linen has no Softmax class: not torch's
        loss = F.cross_entropy(probs, y)
    """,
    "a class flag for inference switched off before training": """
        import torch.nn as nn
        import torch.nn.functional as F

        class CFG:
            output_probs = True

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                z = self.fc(x)
                if CFG.output_probs:
                    return F.softmax(z, dim=1)
                return z

        CFG.output_probs = False
        loss = F.cross_entropy(Net()(x), y)
    """,
}
