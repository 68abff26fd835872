"""LL201, corrected: one logit with BCEWithLogitsLoss and float (N, 1) targets."""

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
    y = (x[:, 0] > 0).float().unsqueeze(1)
    model = BinaryClassifier(num_outputs=1)
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), y)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
