"""LL201 fixed: two logits for two classes (or one logit with BCEWithLogitsLoss)."""

import timm
import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    model = timm.create_model("resnet18", pretrained=False, num_classes=2)
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(4, 3, 64, 64), torch.tensor([0, 1, 1, 0])
    loss = criterion(model(x), y)
    loss.backward()
    print("no mistake" if loss.item() > 0 else "mistake shown")


if __name__ == "__main__":
    main()
