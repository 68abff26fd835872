"""Cases for rule LL403: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "running_loss += loss": """
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        running_loss = 0.0
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            running_loss += loss  # expect: LL403
    """,
    "total = total + loss in a train function": """
        import torch.nn.functional as F

        def train_epoch(model, loader, optimizer):
            total = 0
            for x, y in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                total = total + loss  # expect: LL403
            return total / len(loader)
    """,
    "sum of two losses accumulated": """
        import torch.nn.functional as F

        epoch_loss = 0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y) + 0.5 * F.nll_loss(aux(x), y)
            loss.backward()
            epoch_loss += loss  # expect: LL403
    """,
    "an epoch total returned, though each iteration already backpropagated": """
        import torch.nn as nn

        def train_epoch(model, loader, opt):
            criterion = nn.CrossEntropyLoss()
            total = 0.0
            for x, y in loader:
                loss = criterion(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss  # expect: LL403
            return total / len(loader)
    """,
    "a total returned to callers that only log it (validation without no_grad)": """
        import torch.nn.functional as F

        def evaluate(model, loader):
            total = 0
            for x, y in loader:
                total = total + F.cross_entropy(model(x), y)  # expect: LL403
            return total

        def fit(model, train_loader, val_loader, optimizer):
            for x, y in train_loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
            val = evaluate(model, val_loader)
            print(f"val {val.item():.3f}")

        fit(net, a, b, opt)
    """,
    "per-head sum only logged in a training step (not returned)": """
        import lightning as L
        import torch.nn.functional as F

        class Net(L.LightningModule):
            def training_step(self, batch, batch_idx):
                x, y = batch
                loss = F.cross_entropy(self.main(x), y)
                extra = 0
                for head in self.heads:
                    extra += F.cross_entropy(head(x), y)  # expect: LL403
                self.log("aux", extra)
                return loss
    """,
}

VALID = {
    "loss.item()": """
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        running_loss = 0.0
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            running_loss += loss.item()
    """,
    "gradient accumulation: the sum is backpropagated": """
        import torch.nn.functional as F

        total = 0
        for x, y in loader:
            total += F.cross_entropy(model(x), y)
        (total / len(loader)).backward()
    """,
    "evaluation under no_grad": """
        import torch
        import torch.nn.functional as F

        @torch.no_grad()
        def evaluate(model, loader):
            total = 0.0
            for x, y in loader:
                total += F.cross_entropy(model(x), y, reduction="sum")
            return total

        def validate(model, loader):
            val_loss = 0
            with torch.inference_mode():
                for x, y in loader:
                    val_loss += F.cross_entropy(model(x), y)
            return val_loss
    """,
    "a per-iteration list, not an accumulator": """
        import torch.nn.functional as F

        for x, y in loader:
            step_loss = 0
            step_loss += F.cross_entropy(model(x), y)
            step_loss.backward()
    """,
    "loss.data is detached": """
        import torch.nn as nn

        criterion = nn.CrossEntropyLoss()
        running = 0.0
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            running += loss.data
        print(running)
    """,
    "per-term losses summed and returned (deep supervision)": """
        import torch.nn.functional as F

        def compute_loss(preds, targets):
            total = 0
            for p, t in zip(preds, targets):
                total += F.cross_entropy(p, t)
            return total

        def per_level(outputs, y):
            losses = {}
            total = 0
            for out in outputs:
                total = total + F.cross_entropy(out, y)
            losses["total"] = total
            return losses
    """,
    "a total returned to a caller that backpropagates it": """
        import torch.nn.functional as F

        def heads_loss(outputs, y):
            total = 0
            for out in outputs:
                total = total + F.cross_entropy(out, y)
            return total

        def step(model, x, y):
            heads_loss(model(x), y).backward()

        step(net, x, y)
    """,
    "a total returned to a caller that returns it on": """
        import torch.nn.functional as F

        def heads_loss(outputs, y):
            total = 0
            for out in outputs:
                total = total + F.cross_entropy(out, y)
            return total

        def compute(model, x, y):
            loss = heads_loss(model(x), y)
            return loss

        value = compute(net, x, y)
    """,
    "a total returned by a function nothing in the code calls": """
        import torch.nn.functional as F

        def heads_loss(outputs, y):
            total = 0
            for out in outputs:
                total = total + F.cross_entropy(out, y)
            return total
    """,
    "per-head losses summed, then backpropagated through another name": """
        import torch.nn.functional as F

        total = 0
        for head in heads:
            total += F.cross_entropy(head(h), y)
        loss = total / len(heads)
        loss.backward()
    """,
    "gradients switched off by a computed set_grad_enabled": """
        import torch
        import torch.nn.functional as F

        running = 0.0
        for x, y in loader:
            with torch.set_grad_enabled(phase == "train"):
                running += F.cross_entropy(model(x), y)
        print(running)
    """,
    "per-head sum logged in a Lightning validation_step (run without gradients)": """
        import lightning as L
        import torch.nn.functional as F

        class Net(L.LightningModule):
            def validation_step(self, batch, batch_idx):
                x, y = batch
                total = 0
                for head in self.heads:
                    total += F.cross_entropy(head(x), y)
                self.log("val_loss", total)
    """,
}
