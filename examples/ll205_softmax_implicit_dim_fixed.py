"""LL205, corrected: name the tag dimension."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Tagger(nn.Module):
    def __init__(self, vocab: int = 50, dim: int = 16, num_tags: int = 5):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, num_tags)

    def forward(self, tokens):
        return self.out(self.embed(tokens))


def tag_probabilities(model, tokens):
    return F.softmax(model(tokens), dim=-1)


def main() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 50, (4, 7))
    sums = tag_probabilities(Tagger(), tokens).sum(dim=-1)
    assert torch.allclose(sums, torch.ones_like(sums))
    print("tag probabilities sum to 1 for every token")


if __name__ == "__main__":
    main()
