"""LL204, corrected: one class per sample is CrossEntropyLoss on class indices."""

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
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
