"""LL207, corrected: log_softmax over the classes, dim 1."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(10, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return F.log_softmax(self.out(torch.relu(self.hidden(x))), dim=1)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 10)
    y = torch.randint(0, 3, (16,))
    model = Net()
    loss = F.nll_loss(model(x), y)
    sums = model(x).exp().sum(dim=1)
    if torch.allclose(sums, torch.ones_like(sums)):
        print(f"no mistake: each sample's probabilities sum to 1 (loss {loss.item():.3f})")
    else:
        print("mistake shown: probabilities normalised over the batch")


if __name__ == "__main__":
    main()
