"""LL107, corrected: independent labels get raw logits and BCEWithLogitsLoss."""

import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, in_features: int = 8, num_tags: int = 4):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(in_features, 32), nn.ReLU(), nn.Linear(32, num_tags))

    def forward(self, x):
        return self.layers(x)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(128, 8)
    tags = torch.stack([x[:, 0] > 0, x[:, 1] > 0, x[:, 2] > 0, x[:, 3] > 0], dim=1).float()
    model = Tagger()
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x), tags)
        loss.backward()
        optimizer.step()
    most_tags = (torch.sigmoid(model(x)) > 0.5).sum(dim=1).max().item()
    print(f"final loss {loss.item():.3f}; up to {most_tags} tags predicted per sample")
    assert most_tags > 1


if __name__ == "__main__":
    main()
