"""LL101, corrected: forward returns raw logits; softmax only where probabilities are needed."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 3


class Classifier(nn.Module):
    def __init__(self, in_features: int = 4, num_classes: int = NUM_CLASSES):
        super().__init__()
        self.hidden = nn.Linear(in_features, 32)
        self.out = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

    @torch.no_grad()
    def predict_proba(self, x):
        return F.softmax(self(x), dim=1)


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    floor = math.log(1 + (NUM_CLASSES - 1) / math.e)
    print(f"final loss {loss.item():.3f} (the softmax-twice floor was {floor:.3f})")
    assert loss.item() < floor
    print("probabilities of the first sample:", model.predict_proba(x[:1]).squeeze().tolist())


if __name__ == "__main__":
    main()
