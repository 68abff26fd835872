"""LL205 softmax-implicit-dim.

A token tagger's output is (batch, length, tags); F.softmax without dim picks dim 0
for 3-D input, so it normalises across the *batch*: tag probabilities no longer sum to 1.
"""

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
    return F.softmax(model(tokens))  # expect: LL205


def main() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 50, (4, 7))
    probs = tag_probabilities(Tagger(), tokens)
    sums = probs.sum(dim=-1)
    print(f"per-token sums of tag probabilities: {sums[0, :3].tolist()}")
    if not torch.allclose(sums, torch.ones_like(sums)):
        print("mistake shown: probabilities were normalised over the batch")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
