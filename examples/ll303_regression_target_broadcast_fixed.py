"""LL303, corrected: squeeze the (N, 1) output so it matches the (N,) targets."""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    target = torch.randn(128)
    x = torch.stack([target, torch.randn(128), torch.randn(128)], dim=1)
    model = nn.Linear(3, 1)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x).squeeze(1), target)
        loss.backward()
        optimizer.step()
    if loss.item() > 0.5:
        print("mistake shown: the model learned the mean")
    else:
        print(f"no mistake: each prediction is compared with its own target (loss {loss.item():.4f})")


if __name__ == "__main__":
    main()
