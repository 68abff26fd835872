"""LL104 sigmoid-into-bce-with-logits.

The model ends in a sigmoid and BCEWithLogitsLoss applies another one: predictions
live in (0.5, 0.73), so the per-element loss never drops below -log(sigmoid(1)) = 0.313.
"""

import math

import torch
import torch.nn as nn


class MultiLabelNet(nn.Module):
    def __init__(self, in_features: int = 8, num_labels: int = 5):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 32), nn.ReLU(), nn.Linear(32, num_labels))
        self.act = nn.Sigmoid()

    def forward(self, x):
        return self.act(self.net(x))


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(128, 8)
    y = (x[:, :5] > 0).float()
    model = MultiLabelNet()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # expect: LL104
        loss.backward()
        optimizer.step()
    floor = math.log(1 + math.exp(-1))  # -log(sigmoid(1))
    print(f"final loss {loss.item():.3f}; a double sigmoid cannot go below {floor:.3f}")
    if loss.item() >= floor:
        print("mistake shown: the loss is stuck above its floor")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
