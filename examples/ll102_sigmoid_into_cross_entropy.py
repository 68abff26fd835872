"""LL102 sigmoid-into-cross-entropy.

The head ends in nn.Sigmoid and the loss is CrossEntropyLoss: every logit is squashed
into (0, 1) before the softmax, so the loss cannot go below log(1 + (C - 1) / e).
"""

import math

import torch
import torch.nn as nn

NUM_CLASSES = 3


def build_model(in_features: int, num_classes: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(in_features, 32),
        nn.ReLU(),
        nn.Linear(32, num_classes),
        nn.Sigmoid(),
    )


def train(model: nn.Module, criterion: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int = 300) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # expect: LL102
        loss.backward()
        optimizer.step()
    return loss.item()


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    final = train(build_model(4, NUM_CLASSES), nn.CrossEntropyLoss(), x, y)
    floor = math.log(1 + (NUM_CLASSES - 1) / math.e)
    print(f"final loss {final:.3f}; sigmoid then cross-entropy cannot go below {floor:.3f}")
    if final >= floor - 1e-6:
        print("mistake shown: the loss is stuck above its floor")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
