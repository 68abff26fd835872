"""LL104, corrected: BCEWithLogitsLoss on raw logits; sigmoid only for predictions."""

import torch
import torch.nn as nn


class MultiLabelNet(nn.Module):
    def __init__(self, in_features: int = 8, num_labels: int = 5):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 32), nn.ReLU(), nn.Linear(32, num_labels))

    def forward(self, x):
        return self.net(x)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(128, 8)
    y = (x[:, :5] > 0).float()
    model = MultiLabelNet()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    predictions = torch.sigmoid(model(x)) > 0.5
    print(f"final loss {loss.item():.3f}; accuracy {(predictions == y.bool()).float().mean():.2f}")
    assert loss.item() < 0.313


if __name__ == "__main__":
    main()
