"""LL202, corrected: sigmoid turns a single logit into a probability."""

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
        return torch.sigmoid(self(x))


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
    print(f"{probs.unique().numel()} distinct probabilities")
    assert probs.unique().numel() > 1


if __name__ == "__main__":
    main()
