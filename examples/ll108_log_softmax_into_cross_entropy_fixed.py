"""LL108, corrected: the model returns logits; CrossEntropyLoss does the log_softmax."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 3)

    def forward(self, x):
        return self.fc(x)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 5)
    y = torch.randint(0, 3, (16,))
    loss = F.cross_entropy(Net()(x), y)
    print(f"loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
