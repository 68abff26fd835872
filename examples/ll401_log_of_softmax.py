"""LL401 log-of-softmax (opt-in, info).

log(softmax(x)) underflows: once a class's probability is below float32's smallest
value it becomes exactly 0 and its log -inf, so a confident mistake costs an infinite
loss. Run with --extend-select LL401 to see it.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def main() -> None:
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[60.0, 0.0], [-60.0, 0.0]]))
        model.bias.zero_()
    x = torch.tensor([[1.0, 0.0]])  # logits [60, -60]: very confident in class 0
    y = torch.tensor([1])  # but the answer is class 1
    log_probs = torch.log(F.softmax(model(x), dim=1))  # expect: LL401
    loss = F.nll_loss(log_probs, y)
    print(f"loss {loss.item()}")
    if torch.isinf(loss):
        print("mistake shown: an infinite loss")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
