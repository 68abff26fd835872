"""LL203 binary-loss-shape-mismatch.

A one-unit head outputs (N, 1) while the labels are (N,): the binary losses need both
shapes equal, and torch raises "Target size (torch.Size([64])) must be the same as
input size (torch.Size([64, 1]))".
"""

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
    labels = torch.randint(0, 2, (64,)).float()
    model = SpamClassifier()
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), labels)  # expect: LL203
    loss.backward()


if __name__ == "__main__":
    main()
