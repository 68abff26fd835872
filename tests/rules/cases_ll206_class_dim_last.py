"""Cases for rule LL206: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "batch-first LSTM then Linear, (N, L) tags": """
        import torch
        import torch.nn as nn

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(100, 32)
                self.lstm = nn.LSTM(32, 64, batch_first=True)
                self.fc = nn.Linear(64, 5)

            def forward(self, tokens):
                out, _ = self.lstm(self.embed(tokens))
                return self.fc(out)

        tokens = torch.randint(0, 100, (8, 12))
        tags = torch.randint(0, 5, (8, 12))
        loss = nn.CrossEntropyLoss()(Tagger()(tokens), tags)  # expect: LL206
    """,
    "GRU output indexed from its tuple, F.nll_loss after log_softmax over the last dim": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        gru = nn.GRU(16, 32, 2, True, True)
        head = nn.Linear(32, 7)
        x = torch.randn(4, 10, 16)
        y = torch.randint(0, 7, (4, 10))
        log_probs = F.log_softmax(head(gru(x)[0]), dim=-1)
        loss = F.nll_loss(log_probs, y)  # expect: LL206
    """,
    "transformer encoder built from a batch-first layer": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, batch_first=True)
        encoder = nn.TransformerEncoder(layer, num_layers=2)
        classify = nn.Linear(32, 9)
        x = torch.randn(2, 20, 32)
        labels = torch.randint(0, 9, (2, 20))
        loss = F.cross_entropy(classify(encoder(x)), labels)  # expect: LL206
    """,
    "channels-last segmentation head: a conv output permuted to (N, H, W, C)": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        head = nn.Conv2d(16, 4, 1)
        features = torch.randn(2, 16, 8, 8)
        masks = torch.randint(0, 4, (2, 8, 8))
        logits = head(features).permute(0, 2, 3, 1)
        loss = F.cross_entropy(logits, masks)  # expect: LL206
    """,
}

VALID = {
    "class axis moved back by permute / transpose / movedim": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        lstm = nn.LSTM(16, 32, batch_first=True)
        fc = nn.Linear(32, 5)
        out, _ = lstm(torch.randn(4, 10, 16))
        logits = fc(out)
        y = torch.randint(0, 5, (4, 10))
        a = F.cross_entropy(logits.permute(0, 2, 1), y)
        b = F.cross_entropy(logits.transpose(1, 2), y)
        c = F.cross_entropy(logits.movedim(-1, 1), y)
    """,
    "both flattened to (N*L, C) and (N*L,)": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        lstm = nn.LSTM(16, 32, batch_first=True)
        fc = nn.Linear(32, 5)
        out, _ = lstm(torch.randn(4, 10, 16))
        logits = fc(out)
        y = torch.randint(0, 5, (4, 10))
        loss = F.cross_entropy(logits.view(-1, 5), y.view(-1))
        loss2 = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
    """,
    "transformers token classification logits flattened": """
        import torch.nn as nn
        from transformers import AutoModelForTokenClassification

        model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=9)
        for batch in loader:
            logits = model(**batch).logits
            loss = nn.CrossEntropyLoss()(logits.view(-1, 9), batch["labels"].view(-1))
    """,
    "a time-first LSTM is not modelled, a last-step classifier is (N, C)": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        seq_first = nn.LSTM(16, 32)
        fc = nn.Linear(32, 5)
        out, _ = seq_first(torch.randn(10, 4, 16))
        y = torch.randint(0, 5, (10, 4))
        a = F.cross_entropy(fc(out), y)
        batch_first = nn.LSTM(16, 32, batch_first=True)
        last, _ = batch_first(torch.randn(4, 10, 16))
        b = F.cross_entropy(fc(last[:, -1, :]), torch.randint(0, 5, (4,)))
    """,
    "target rank not known (from a loader)": """
        import torch.nn as nn

        lstm = nn.LSTM(16, 32, batch_first=True)
        fc = nn.Linear(32, 5)
        for x, y in loader:
            out, _ = lstm(x)
            loss = nn.CrossEntropyLoss()(fc(out), y)
    """,
    "batch_first computed at run time": """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        def build(first):
            return nn.LSTM(16, 32, batch_first=first)

        lstm = build(flag)
        out, _ = lstm(torch.randn(4, 10, 16))
        loss = F.cross_entropy(nn.Linear(32, 5)(out), torch.randint(0, 5, (4, 10)))
    """,
}
