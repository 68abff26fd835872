"""LL101 softmax-into-cross-entropy.

The classifier returns softmax probabilities and CrossEntropyLoss applies log_softmax
again. Nothing raises, but the loss can never go below log(1 + (C - 1) / e): training
stalls with a confident model still paying a large loss.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 3


class Classifier(nn.Module):
    def __init__(self, in_features: int = 4, num_classes: int = NUM_CLASSES):
        super().__init__()
        self.hidden = nn.Linear(in_features, 32)
        self.out = nn.Linear(32, num_classes)

    def forward(self, x):
        h = F.relu(self.hidden(x))
        return F.softmax(self.out(h), dim=1)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # expect: LL101
        loss.backward()
        optimizer.step()
    floor = math.log(1 + (NUM_CLASSES - 1) / math.e)
    print(f"final loss {loss.item():.3f}; softmax then cross-entropy cannot go below {floor:.3f}")
    if loss.item() >= floor - 1e-6:
        print("mistake shown: the loss is stuck above its floor")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
