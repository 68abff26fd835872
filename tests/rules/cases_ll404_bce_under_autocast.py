"""Cases for rule LL404: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "torch.autocast('cuda') around BCELoss": """
        import torch
        import torch.nn as nn

        criterion = nn.BCELoss()
        for x, y in loader:
            with torch.autocast(device_type="cuda", dtype=torch.float16):
                loss = criterion(torch.sigmoid(model(x)), y)  # expect: LL404 expect: LL111
    """,
    "torch.cuda.amp.autocast imported by name, loss in a called function": """
        import torch.nn.functional as F
        from torch.cuda.amp import autocast

        def compute_loss(p, y):
            return F.binary_cross_entropy(p, y)  # expect: LL404

        with autocast():
            loss = compute_loss(probs, y)
    """,
    "torch.amp.autocast('cuda')": """
        import torch
        import torch.nn.functional as F

        with torch.amp.autocast("cuda"):
            loss = F.binary_cross_entropy(p, y)  # expect: LL404
    """,
    "autocast switched back on inside a disabled region": """
        import torch
        import torch.nn.functional as F

        with torch.autocast("cuda", enabled=False):
            with torch.autocast("cuda"):
                loss = F.binary_cross_entropy(torch.sigmoid(model(x)), y)  # expect: LL404 expect: LL111
    """,
}

VALID = {
    "enabled=False": """
        import torch
        import torch.nn.functional as F

        with torch.autocast("cuda", enabled=False):
            loss = F.binary_cross_entropy(p, y)
    """,
    "CPU autocast": """
        import torch
        import torch.nn.functional as F

        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            loss = F.binary_cross_entropy(p, y)
    """,
    "BCEWithLogitsLoss under autocast": """
        import torch
        import torch.nn as nn

        with torch.autocast("cuda"):
            loss = nn.BCEWithLogitsLoss()(logits, y)
    """,
    "device from a variable: not provable": """
        import torch
        import torch.nn.functional as F

        with torch.autocast(device.type):
            loss = F.binary_cross_entropy(p, y)
    """,
    "loss computed after the autocast block": """
        import torch
        import torch.nn.functional as F

        with torch.autocast("cuda"):
            p = model(x)
        loss = F.binary_cross_entropy(p.float(), y)
    """,
    "autocast(enabled=False) region nested in an autocast region": """
        import torch
        import torch.nn.functional as F

        with torch.autocast("cuda"):
            probs = torch.sigmoid(model(x))
            with torch.autocast("cuda", enabled=False):
                loss = F.binary_cross_entropy(probs.float(), y)  # expect: LL111
        with torch.cuda.amp.autocast():
            with torch.cuda.amp.autocast(enabled=False):
                loss = F.binary_cross_entropy(probs.float(), y)  # expect: LL111
    """,
}
