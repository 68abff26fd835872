"""LL303 regression-target-broadcast.

The regression head outputs (N, 1) while the targets are (N,): MSELoss broadcasts them
to (N, N), comparing every prediction with every target. torch only warns ("Using a
target size ... that is different to the input size"), and the model learns to
predict the mean of the targets for every input.
"""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    target = torch.randn(128)  # (N,)
    x = torch.stack([target, torch.randn(128), torch.randn(128)], dim=1)  # the first feature is the target
    model = nn.Linear(3, 1)  # (N, 1)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x), target)  # expect: LL303
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        error = (model(x).squeeze(1) - target).pow(2).mean().item()
        spread = model(x).std().item()
    print(f"true per-sample error {error:.3f}; spread of predictions {spread:.3f}; target mean {target.mean().item():.3f}")
    if error > 0.5:
        print("mistake shown: the broadcast loss taught the model to predict the mean")
    else:
        print("no mistake: each prediction is compared with its own target")


if __name__ == "__main__":
    main()
