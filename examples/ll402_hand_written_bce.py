"""LL402 hand-written-bce (opt-in, info).

Binary cross-entropy written out by hand: once the sigmoid saturates (p == 1.0 in
float32) log(1 - p) is -inf and 0 * -inf is nan, so one confident sample turns the
whole batch's loss into nan. Run with --extend-select LL402 to see it.
"""

import torch
import torch.nn as nn


def bce(p, y):
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()  # expect: LL402


def main() -> None:
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.fill_(20.0)
        model.bias.zero_()
    x = torch.tensor([[1.0, 1.0, 1.0], [0.1, -0.2, 0.0]])  # first logit 60: p == 1.0
    y = torch.tensor([[1.0], [0.0]])
    loss = bce(torch.sigmoid(model(x)), y)
    print(f"loss {loss.item()}")
    if torch.isnan(loss):
        print("mistake shown: nan loss from a saturated sigmoid")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
