"""LL111, corrected: logits into BCEWithLogitsLoss; sigmoid only to predict."""

import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self, in_features: int = 4):
        super().__init__()
        self.linear = nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)

    def predict(self, x):
        return torch.sigmoid(self(x)) > 0.5


def main() -> None:
    model = Detector()
    with torch.no_grad():
        model.linear.weight.fill_(50.0)
        model.linear.bias.zero_()
    outlier = torch.ones(1, 4)
    target = torch.zeros(1, 1)
    loss = nn.BCEWithLogitsLoss()(model(outlier), target)
    print(f"exact loss {loss.item():.1f}; prediction {model.predict(outlier).item()}")
    assert loss.item() > 150


if __name__ == "__main__":
    main()
