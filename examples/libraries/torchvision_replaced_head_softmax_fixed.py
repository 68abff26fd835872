"""LL101 fixed: the new head emits raw logits; softmax only for predictions."""

import torch
import torch.nn as nn
from torchvision import models


def main() -> None:
    torch.manual_seed(0)
    model = models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, 3)
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(4, 3, 64, 64), torch.tensor([0, 1, 2, 0])
    logits = model(x)
    loss = criterion(logits, y)
    loss.backward()
    predictions = torch.softmax(logits, dim=1).argmax(dim=1)
    # a perfect prediction (confident logits), scored as the loss does
    perfect = -torch.log_softmax(100 * torch.eye(3)[y], dim=1).gather(1, y[:, None]).mean().item()
    print("no mistake" if perfect < 1e-3 else "mistake shown", tuple(predictions.shape))


if __name__ == "__main__":
    main()
