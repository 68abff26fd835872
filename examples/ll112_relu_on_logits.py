"""LL112 relu-on-logits.

The binary classifier's head ends in a ReLU, so its logits are never negative and
sigmoid(logit) >= 0.5 for every sample: the negatives can never be learned, and their
loss stays at or above log(2) = 0.693 however long it trains.
"""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(256, 2)
    y = (x[:, :1] > 0).float()  # half the samples are negatives
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.ReLU())
    criterion = nn.BCEWithLogitsLoss(reduction="none")
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # expect: LL112
        loss.mean().backward()
        optimizer.step()
    negatives = loss[y == 0].mean().item()
    lowest = torch.sigmoid(model(x)).min().item()
    print(f"loss on negatives {negatives:.3f}; lowest predicted probability {lowest:.3f}")
    if lowest >= 0.5:
        print("mistake shown: no prediction can fall below 0.5, the negatives' loss is stuck at log(2)")
    else:
        print("no mistake: negatives are predicted below 0.5")


if __name__ == "__main__":
    main()
