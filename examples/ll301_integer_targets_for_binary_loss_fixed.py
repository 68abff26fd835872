"""LL301, corrected: float targets."""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 8)
    y = torch.randint(0, 2, (32, 1)).float()
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), y)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
