"""Cases for rule LL110: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "CTCLoss on logits": """
        import torch.nn as nn

        class ASR(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(80, 128)
                self.fc = nn.Linear(128, 29)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.fc(out)

        ctc = nn.CTCLoss(blank=0)
        loss = ctc(ASR()(feats), targets, in_lens, tgt_lens)  # expect: LL110
    """,
    "F.ctc_loss on softmax": """
        import torch.nn.functional as F

        def loss_fn(logits, targets, in_lens, tgt_lens):
            return F.ctc_loss(logits.softmax(2), targets, in_lens, tgt_lens)  # expect: LL110
    """,
    "keyword log_probs with raw logits": """
        import torch.nn as nn
        import torch.nn.functional as F

        head = nn.Linear(64, 30)
        loss = F.ctc_loss(log_probs=head(h), targets=t, input_lengths=il, target_lengths=tl)  # expect: LL110
    """,
}

VALID = {
    "log_softmax over the classes": """
        import torch.nn as nn
        import torch.nn.functional as F

        head = nn.Linear(64, 30)
        loss = F.ctc_loss(F.log_softmax(head(h), dim=2), t, il, tl)
    """,
    "log_softmax then transpose: kind unknown after transpose, silent": """
        import torch.nn as nn

        log_probs = nn.Linear(64, 30)(h).log_softmax(-1).transpose(0, 1)
        loss = nn.CTCLoss()(log_probs, t, il, tl)
    """,
    "nn.LogSoftmax in the model": """
        import torch.nn as nn

        model = nn.Sequential(nn.Linear(64, 30), nn.LogSoftmax(dim=-1))
        loss = nn.CTCLoss(zero_infinity=True)(model(h), t, il, tl)
    """,
}
