"""LL204 binary-loss-on-class-indices.

A 5-class problem trained with BCEWithLogitsLoss on class indices: the loss compares
each of the 5 outputs with its own target, so it needs (N, 5) targets and torch raises
"Target size (torch.Size([32])) must be the same as input size (torch.Size([32, 5]))".
"""

import torch
import torch.nn as nn

NUM_CLASSES = 5


def build_model() -> nn.Module:
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, NUM_CLASSES))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 16)
    y = torch.randint(0, NUM_CLASSES, (32,))
    model = build_model()
    loss = nn.BCEWithLogitsLoss()(model(x), y.float())  # expect: LL204
    loss.backward()


if __name__ == "__main__":
    main()
