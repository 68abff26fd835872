"""LL111 sigmoid-then-bce (info).

Correct but fragile: once the sigmoid saturates, BCELoss clamps each log at -100, so a
confidently wrong prediction costs 100 instead of its true loss, with a vanishing
gradient. BCEWithLogitsLoss computes the exact value from the logits.
"""

import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self, in_features: int = 4):
        super().__init__()
        self.linear = nn.Linear(in_features, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.linear(x))


def main() -> None:
    model = Detector()
    with torch.no_grad():
        model.linear.weight.fill_(50.0)
        model.linear.bias.zero_()
    outlier = torch.ones(1, 4)  # logit 200, target 0: a confident mistake
    target = torch.zeros(1, 1)
    loss = nn.BCELoss()(model(outlier), target)  # expect: LL111
    exact = nn.BCEWithLogitsLoss()(model.linear(outlier), target)
    print(f"BCELoss after sigmoid: {loss.item():.1f}; exact loss: {exact.item():.1f}")
    if loss.item() == 100.0 and exact.item() > 150:
        print("mistake shown: the loss is clamped at 100")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
