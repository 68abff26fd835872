"""LL103, corrected: keep the logits and use BCEWithLogitsLoss."""

import torch
import torch.nn as nn


class Scorer(nn.Module):
    def __init__(self, in_features: int = 10):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, 16), nn.ReLU())
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(self.body(x))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 10)
    y = (x.sum(dim=1, keepdim=True) > 0).float()
    model = Scorer()
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), y)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
