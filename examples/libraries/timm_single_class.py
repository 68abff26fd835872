"""LL201 with a timm model: one output unit into CrossEntropyLoss.

``timm.create_model(..., num_classes=1)`` for a binary task, trained with
CrossEntropyLoss: over one class log_softmax is 0, so the loss is 0 whatever the model
outputs (and a target of 1 raises "Target 1 is out of bounds"). Runs where timm is
installed.
"""

import timm
import torch
import torch.nn as nn


def main() -> None:
    torch.manual_seed(0)
    model = timm.create_model("resnet18", pretrained=False, num_classes=1)
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(4, 3, 64, 64), torch.zeros(4, dtype=torch.long)
    loss = criterion(model(x), y)  # expect: LL201
    print("mistake shown: the loss is 0 whatever the model outputs" if loss.item() == 0 else "no mistake")


if __name__ == "__main__":
    main()
