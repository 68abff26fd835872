"""LL103 logits-into-bce.

A linear head feeds BCELoss directly. BCELoss needs probabilities: torch raises
"all elements of input should be between 0 and 1" on the first logit outside [0, 1].
"""

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
    criterion = nn.BCELoss()
    loss = criterion(model(x), y)  # expect: LL103
    loss.backward()
    print(f"no mistake: loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
