"""LL302 float-targets-for-class-index-loss.

Class labels stored as floats go into CrossEntropyLoss: 1-D targets are class indices
and must be integers; torch raises "expected target dtype to be Long or Byte, but got
Float".
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 3)

    def forward(self, x):
        return self.fc(x)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 12)
    labels = torch.randint(0, 3, (32,)).float()  # as read from a CSV column
    loss = F.cross_entropy(Classifier()(x), labels)  # expect: LL302
    loss.backward()


if __name__ == "__main__":
    main()
