"""LL302, corrected: class indices as integers."""

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
    labels = torch.randint(0, 3, (32,)).float().long()
    loss = F.cross_entropy(Classifier()(x), labels)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
