"""LL110 ctc-input-not-log-probabilities.

CTCLoss sums path probabilities in log space and expects log_softmax output; raw
logits are not normalised, so the "loss" is meaningless (here even negative).
"""

import torch
import torch.nn as nn


class SpeechModel(nn.Module):
    def __init__(self, features: int = 13, hidden: int = 32, num_symbols: int = 6):
        super().__init__()
        self.rnn = nn.GRU(features, hidden)
        self.fc = nn.Linear(hidden, num_symbols)

    def forward(self, x):  # x: (T, N, features)
        out, _ = self.rnn(x)
        return self.fc(out)


def main() -> None:
    torch.manual_seed(0)
    T, N, S = 20, 4, 5
    x = torch.randn(T, N, 13)
    targets = torch.randint(1, 6, (N, S))
    input_lengths = torch.full((N,), T, dtype=torch.long)
    target_lengths = torch.full((N,), S, dtype=torch.long)
    model = SpeechModel()
    with torch.no_grad():
        model.fc.bias.fill_(3.0)  # logits well above 0, as after some training
    ctc = nn.CTCLoss(blank=0)
    loss = ctc(model(x), targets, input_lengths, target_lengths)  # expect: LL110
    print(f"CTC 'loss' on raw logits: {loss.item():.3f}")
    if loss.item() < 0:
        print("mistake shown: a negative CTC loss")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
