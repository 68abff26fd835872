"""LL110, corrected: log_softmax over the symbols before CTCLoss."""

import torch
import torch.nn as nn


class SpeechModel(nn.Module):
    def __init__(self, features: int = 13, hidden: int = 32, num_symbols: int = 6):
        super().__init__()
        self.rnn = nn.GRU(features, hidden)
        self.fc = nn.Linear(hidden, num_symbols)

    def forward(self, x):  # x: (T, N, features)
        out, _ = self.rnn(x)
        return self.fc(out).log_softmax(dim=2)


def main() -> None:
    torch.manual_seed(0)
    T, N, S = 20, 4, 5
    x = torch.randn(T, N, 13)
    targets = torch.randint(1, 6, (N, S))
    input_lengths = torch.full((N,), T, dtype=torch.long)
    target_lengths = torch.full((N,), S, dtype=torch.long)
    model = SpeechModel()
    ctc = nn.CTCLoss(blank=0)
    loss = ctc(model(x), targets, input_lengths, target_lengths)
    print(f"CTC loss: {loss.item():.3f}")
    assert loss.item() > 0


if __name__ == "__main__":
    main()
