"""LL207 softmax-over-batch.

log_softmax over dim 0 of a (batch, classes) output normalises each class over the
samples of the batch: a sample's probabilities no longer sum to 1, and its loss depends
on the other samples in its batch.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(10, 32)
        self.out = nn.Linear(32, 3)

    def forward(self, x):
        return F.log_softmax(self.out(torch.relu(self.hidden(x))), dim=0)  # expect: LL207


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 10)
    y = torch.randint(0, 3, (16,))
    model = Net()
    loss = F.nll_loss(model(x), y)
    first = torch.tensor([0])
    alone = F.nll_loss(model(x.index_select(0, first)), y.index_select(0, first))  # sample 0 in a batch of its own
    sums = model(x).exp().sum(dim=1)
    print(f"per-sample probability sums {sums[:3].tolist()}; loss of sample 0 alone {alone.item():.3f}")
    if not torch.allclose(sums, torch.ones_like(sums)):
        print(f"mistake shown: probabilities normalised over the batch (batch loss {loss.item():.3f})")
    else:
        print("no mistake: each sample's probabilities sum to 1")


if __name__ == "__main__":
    main()
