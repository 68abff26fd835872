"""LL402, corrected: BCEWithLogitsLoss works from the logits and stays finite."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def main() -> None:
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.fill_(20.0)
        model.bias.zero_()
    x = torch.tensor([[1.0, 1.0, 1.0], [0.1, -0.2, 0.0]])
    y = torch.tensor([[1.0], [0.0]])
    loss = F.binary_cross_entropy_with_logits(model(x), y)
    print(f"loss {loss.item():.4f}")
    assert torch.isfinite(loss)


if __name__ == "__main__":
    main()
