"""LL108 log-softmax-into-cross-entropy (opt-in, info).

Not wrong: log_softmax is idempotent, so CrossEntropyLoss gives the same value. It is
redundant work that misleads readers. Run with --extend-select LL108 to see it.
"""

import inspect

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 3)

    def forward(self, x):
        return F.log_softmax(self.fc(x), dim=1)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 5)
    y = torch.randint(0, 3, (16,))
    model = Net()
    loss = F.cross_entropy(model(x), y)  # expect: LL108
    same = F.cross_entropy(model.fc(x), y)
    print(f"loss {loss.item():.6f} == loss on the logits {same.item():.6f}")
    applies_log_softmax = "log_softmax" in inspect.getsource(Net.forward)
    if applies_log_softmax and torch.allclose(loss, same):
        print("mistake shown: the log_softmax changes nothing")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
