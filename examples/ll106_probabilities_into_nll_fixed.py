"""LL106, corrected: log_softmax, not softmax, before NLLLoss."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class TextClassifier(nn.Module):
    def __init__(self, vocab: int = 100, dim: int = 16, num_classes: int = 3):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim)
        self.fc = nn.Linear(dim, num_classes)

    def forward(self, tokens):
        return self.fc(self.embed(tokens))


def main() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 100, (32, 12))
    labels = torch.randint(0, 3, (32,))
    model = TextClassifier()
    log_probs = F.log_softmax(model(tokens), dim=1)
    loss = F.nll_loss(log_probs, labels)
    loss.backward()
    print(f"loss {loss.item():.3f}")
    assert loss.item() > 0


if __name__ == "__main__":
    main()
