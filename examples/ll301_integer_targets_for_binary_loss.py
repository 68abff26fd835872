"""LL301 integer-targets-for-binary-loss.

Binary labels made with randint are int64; BCEWithLogitsLoss needs float targets and
torch raises "result type Float can't be cast to the desired output type Long".
"""

import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 8)
    y = torch.randint(0, 2, (32, 1))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    criterion = nn.BCEWithLogitsLoss()
    loss = criterion(model(x), y)  # expect: LL301
    loss.backward()


if __name__ == "__main__":
    main()
