"""LL404, corrected: logits and BCEWithLogitsLoss are safe under autocast."""

import warnings

import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc(x)


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Detector().to(device)
    criterion = nn.BCEWithLogitsLoss()
    x = torch.randn(16, 8, device=device)
    y = torch.randint(0, 2, (16, 1), device=device).float()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autocast(device_type="cuda", dtype=torch.float16):
            loss = criterion(model(x), y)
    print(f"loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
