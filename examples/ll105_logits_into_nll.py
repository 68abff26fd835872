"""LL105 logits-into-nll.

NLLLoss only picks -input[target]; on raw logits the loss is unbounded below and the
optimiser drives it negative by inflating one logit.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 6)
    y = torch.randint(0, 4, (64,))
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(50):
        optimizer.zero_grad()
        logits = model(x)
        loss = F.nll_loss(logits, y)  # expect: LL105
        loss.backward()
        optimizer.step()
    print(f"final 'loss' {loss.item():.1f}")
    if loss.item() < 0:
        print("mistake shown: a negative, unbounded loss")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
