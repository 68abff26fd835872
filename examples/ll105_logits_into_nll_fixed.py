"""LL105, corrected: log_softmax before NLLLoss (or cross_entropy on the logits)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 32)
        self.fc2 = nn.Linear(32, 4)

    def forward(self, x):
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 6)
    y = torch.randint(0, 4, (64,))
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(50):
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
    print(f"final loss {loss.item():.3f}")
    assert loss.item() > 0


if __name__ == "__main__":
    main()
