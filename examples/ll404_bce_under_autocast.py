"""LL404 bce-under-autocast.

Mixed-precision training with BCELoss: under CUDA autocast torch raises
"torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast".
The script runs fine on a CPU (autocast for "cuda" disables itself there), which is
exactly why this bug reaches the first GPU run.
"""

import warnings

import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def main() -> None:
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Detector().to(device)
    criterion = nn.BCELoss()
    x = torch.randn(16, 8, device=device)
    y = torch.randint(0, 2, (16, 1), device=device).float()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autocast(device_type="cuda", dtype=torch.float16):
            loss = criterion(model(x), y)  # expect: LL404 expect: LL111
    if device == "cpu":
        print("needs a CUDA device to show the mistake: on the CPU, CUDA autocast is disabled")
        return
    raise AssertionError("unreachable: torch raises under CUDA autocast")


if __name__ == "__main__":
    main()
