"""LL101 with a torchvision model: the replaced head ends in a softmax.

Transfer learning swaps ``model.fc`` for a new head; ending it with ``nn.Softmax``
makes CrossEntropyLoss take the softmax of probabilities. Even a perfect prediction
then costs about 0.55 instead of 0, and the gradients shrink. Runs where torchvision is
installed.
"""

import torch
import torch.nn as nn
from torchvision import models


def main() -> None:
    torch.manual_seed(0)
    model = models.resnet18(weights=None)
    model.fc = nn.Sequential(nn.Linear(model.fc.in_features, 3), nn.Softmax(dim=1))
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(4, 3, 64, 64), torch.tensor([0, 1, 2, 0])
    loss = criterion(model(x), y)  # expect: LL101
    loss.backward()
    # a perfect prediction from this head (probability 1 on the target), scored as the loss does
    perfect = -torch.log_softmax(torch.eye(3)[y], dim=1).gather(1, y[:, None]).mean().item()
    if perfect > 0.5:
        print(f"mistake shown: a perfect prediction still costs {perfect:.2f}")
    else:
        print("no mistake")


if __name__ == "__main__":
    main()
