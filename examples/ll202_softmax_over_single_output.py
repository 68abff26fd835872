"""LL202 softmax-over-single-output.

The model has one output unit and prediction takes a softmax over it: softmax over a
single value is always 1.0, so every sample is "certain".
"""

import torch
import torch.nn as nn


class ChurnModel(nn.Module):
    def __init__(self, in_features: int = 6):
        super().__init__()
        self.fc = nn.Linear(in_features, 1)

    def forward(self, x):
        return self.fc(x)

    @torch.no_grad()
    def predict_proba(self, x):
        return torch.softmax(self(x), dim=-1)  # expect: LL202


def main() -> None:
    torch.manual_seed(0)
    x = torch.randn(64, 6)
    y = (x[:, 0] > 0).float().unsqueeze(1)
    model = ChurnModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(20):
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
    probs = model.predict_proba(x)
    print(f"distinct predicted probabilities: {probs.unique().tolist()}")
    if torch.all(probs == 1.0):
        print("mistake shown: every probability is 1.0")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
