"""LL112, corrected: the last Linear's output is the logit, no ReLU after it."""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(256, 2)
    y = (x[:, :1] > 0).float()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    criterion = nn.BCEWithLogitsLoss(reduction="none")
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.mean().backward()
        optimizer.step()
    lowest = torch.sigmoid(model(x)).min().item()
    if lowest >= 0.5:
        print("mistake shown: no prediction can fall below 0.5")
    else:
        print(f"no mistake: negatives are predicted below 0.5 (lowest {lowest:.3f}, loss {loss.mean().item():.3f})")


if __name__ == "__main__":
    main()
