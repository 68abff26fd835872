"""LL106 probabilities-into-nll.

The log is missing: NLLLoss on softmax probabilities computes -p[target], a negative
number in (-1, 0) that is not the log-likelihood.
"""

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
    probs = F.softmax(model(tokens), dim=1)
    loss = F.nll_loss(probs, labels)  # expect: LL106
    loss.backward()
    print(f"'loss' {loss.item():.3f}")
    if -1 < loss.item() < 0:
        print("mistake shown: a negative loss")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
