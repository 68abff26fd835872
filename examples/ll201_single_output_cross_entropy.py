"""LL201 single-output-cross-entropy.

A binary classifier with one output unit trained with CrossEntropyLoss: with a single
class, the loss is 0 for target 0 and torch raises "Target 1 is out of bounds".
"""

import torch
import torch.nn as nn


class BinaryClassifier(nn.Module):
    def __init__(self, in_features: int = 8, num_outputs: int = 2):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(in_features, 16), nn.ReLU())
        self.classifier = nn.Linear(16, num_outputs)

    def forward(self, x):
        return self.classifier(self.features(x))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 8)
    y = (x[:, 0] > 0).long()
    model = BinaryClassifier(num_outputs=1)
    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(x), y)  # expect: LL201
    loss.backward()


if __name__ == "__main__":
    main()
