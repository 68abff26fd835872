"""LL203, corrected: give the labels the output's (N, 1) shape."""

import torch
import torch.nn as nn


class SpamClassifier(nn.Module):
    def __init__(self, vocab_features: int = 10):
        super().__init__()
        self.hidden = nn.Linear(vocab_features, 16)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(torch.relu(self.hidden(x)))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 10)
    labels = torch.randint(0, 2, (64,)).float().unsqueeze(1)
    model = SpamClassifier()
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), labels)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
