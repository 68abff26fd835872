"""LL107 softmax-into-binary-loss.

A multi-label tagger trained with BCELoss on softmax outputs: the label scores must
sum to 1, so a sample can never have two labels above 0.5.
"""

import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, in_features: int = 8, num_tags: int = 4):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, 32),
            nn.ReLU(),
            nn.Linear(32, num_tags),
            nn.Softmax(dim=1),
        )

    def forward(self, x):
        return self.layers(x)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(128, 8)
    tags = torch.stack([x[:, 0] > 0, x[:, 1] > 0, x[:, 2] > 0, x[:, 3] > 0], dim=1).float()
    model = Tagger()
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        loss = criterion(model(x), tags)  # expect: LL107
        loss.backward()
        optimizer.step()
    most_tags = (model(x) > 0.5).sum(dim=1).max().item()
    print(f"final loss {loss.item():.3f}; at most {most_tags} tag(s) above 0.5, but samples have up to 4")
    if most_tags <= 1:
        print("mistake shown: labels compete instead of being independent")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
