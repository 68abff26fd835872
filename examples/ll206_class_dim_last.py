"""LL206 class-dim-last.

A batch-first LSTM tagger emits (batch, length, tags), but CrossEntropyLoss reads dim 1
as the classes: against (batch, length) tags torch raises "Expected target size
[4, 5], got [4, 7]" (and when the length equals the number of tags it trains silently
wrong).
"""

import torch
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, vocab: int = 50, hidden: int = 16, num_tags: int = 5):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, num_tags)

    def forward(self, tokens):
        states, _ = self.lstm(self.embed(tokens))
        return self.out(states)


def main() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 50, (4, 7))
    tags = torch.randint(0, 5, (4, 7))
    criterion = nn.CrossEntropyLoss()
    loss = criterion(Tagger()(tokens), tags)  # expect: LL206
    loss.backward()
    print(f"no mistake: loss {loss.item():.3f} over every token")


if __name__ == "__main__":
    main()
