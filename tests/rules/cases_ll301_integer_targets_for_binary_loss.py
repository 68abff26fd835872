"""Cases for rule LL301: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "a dataset whose input transform is set after construction still gives class indices": """
        import torch.nn as nn
        from torch.utils.data import DataLoader
        from torchvision import datasets, transforms

        ds = datasets.MNIST("data", download=True)
        ds.transform = transforms.ToTensor()
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
        for x, y in DataLoader(ds, batch_size=64):
            loss = nn.BCEWithLogitsLoss()(model(x).squeeze(1), y)  # expect: LL301
    """,
    "smp's SoftBCEWithLogitsLoss without smooth_factor passes the labels on as they are": """
        import torch
        from segmentation_models_pytorch.losses import SoftBCEWithLogitsLoss

        labels = torch.tensor([0, 1, 1]).long()
        a = SoftBCEWithLogitsLoss()(torch.randn(3), labels)  # expect: LL301
        b = SoftBCEWithLogitsLoss(smooth_factor=None)(torch.randn(3), labels)  # expect: LL301
    """,
    "randint targets into BCEWithLogitsLoss": """
        import torch
        import torch.nn as nn

        y = torch.randint(0, 2, (32, 1))
        loss = nn.BCEWithLogitsLoss()(nn.Linear(10, 1)(x), y)  # expect: LL301
    """,
    "one_hot without .float()": """
        import torch.nn.functional as F

        def loss_fn(logits, labels):
            return F.binary_cross_entropy_with_logits(logits, F.one_hot(labels, num_classes=5))  # expect: LL301
    """,
    ".long() on a batch's labels": """
        import torch.nn as nn

        criterion = nn.BCELoss()
        for x, y in loader:
            loss = criterion(model(x), y.long())  # expect: LL301
    """,
    "literal int tensor": """
        import torch
        import torch.nn.functional as F

        loss = F.binary_cross_entropy(torch.sigmoid(z), torch.tensor([1, 0, 1]))  # expect: LL301 expect: LL111
    """,
    "moved to a device, converted to long": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(8)
        labels = torch.rand(8).to(logits.device).to(dtype=torch.long)
        a = F.binary_cross_entropy_with_logits(logits, labels)  # expect: LL301
        b = F.binary_cross_entropy_with_logits(logits, labels.to("cuda"))  # expect: LL301
    """,
}

VALID = {
    "float conversion": """
        import torch
        import torch.nn as nn

        y = torch.randint(0, 2, (32, 1)).float()
        loss = nn.BCEWithLogitsLoss()(nn.Linear(10, 1)(x), y)
    """,
    "one_hot(...).float()": """
        import torch.nn.functional as F

        def loss_fn(logits, labels):
            return F.binary_cross_entropy_with_logits(logits, F.one_hot(labels, num_classes=5).float())
    """,
    "int targets into CrossEntropyLoss": """
        import torch
        import torch.nn as nn

        loss = nn.CrossEntropyLoss()(nn.Linear(10, 3)(x), torch.randint(0, 3, (32,)))
    """,
    "to(torch.float32)": """
        import torch
        import torch.nn as nn

        y = torch.randint(0, 2, (32, 1)).to(torch.float32)
        loss = nn.BCEWithLogitsLoss()(nn.Linear(10, 1)(x), y)
    """,
    "integer labels converted by .to(x.dtype), .type_as, .to(dtype=...)": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(8)
        labels = torch.randint(0, 2, (8,))
        a = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
        b = F.binary_cross_entropy_with_logits(logits, labels.type_as(logits))
        c = F.binary_cross_entropy_with_logits(logits, labels.to(dtype=torch.float32))
        d = F.binary_cross_entropy_with_logits(logits, labels.to(device, torch.float))
        e = F.binary_cross_entropy_with_logits(logits, labels.to(torch.get_default_dtype()))
        f = F.binary_cross_entropy_with_logits(logits, labels.type(torch.FloatTensor))
    """,
    "a conversion whose dtype is not known": """
        import torch
        import torch.nn.functional as F

        logits = torch.randn(8)
        labels = torch.randint(0, 2, (8,))
        a = F.binary_cross_entropy_with_logits(logits, labels.to(some_dtype))
        b = F.binary_cross_entropy_with_logits(logits, labels.type_as(unknown_tensor))
    """,
    "converted with a CUDA tensor type": """
        import torch
        import torch.nn.functional as F

        labels = torch.randint(0, 2, (8,))
        a = F.binary_cross_entropy_with_logits(torch.randn(8), labels.type(torch.cuda.FloatTensor))
        b = F.binary_cross_entropy_with_logits(torch.randn(8), labels.type("torch.cuda.FloatTensor"))
    """,
    "torch.Tensor of integers is float32 (the legacy constructor's dtype, not the data's)": """
        import torch
        import torch.nn.functional as F

        target = torch.Tensor([1, 0, 1])
        a = F.binary_cross_entropy_with_logits(torch.randn(3), target)
        b = F.binary_cross_entropy_with_logits(torch.randn(2, 2), torch.Tensor([[1, 0], [0, 1]]))
    """,
    "smp's SoftBCEWithLogitsLoss with smooth_factor makes float targets of the labels itself": """
        import torch
        from segmentation_models_pytorch.losses import SoftBCEWithLogitsLoss

        labels = torch.tensor([0, 1, -100, 1, 0]).long()
        a = SoftBCEWithLogitsLoss(smooth_factor=0.1, ignore_index=-100)(torch.randn(5), labels)
        b = SoftBCEWithLogitsLoss(None, -100, "mean", 0.1)(torch.randn(5), labels)
        c = SoftBCEWithLogitsLoss(smooth_factor=config.smoothing)(torch.randn(5), labels)
    """,
    "a dataset whose target_transform is set after construction": """
        import torch
        import torch.nn as nn
        from torch.utils.data import DataLoader
        from torchvision import datasets, transforms

        ds = datasets.MNIST("data", download=True, transform=transforms.ToTensor())
        ds.target_transform = lambda t: torch.tensor(float(t == 3))
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
        for x, y in DataLoader(ds, batch_size=64):
            loss = nn.BCEWithLogitsLoss()(model(x).squeeze(1), y)
    """,
}
