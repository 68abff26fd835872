"""LL206, corrected: move the tag axis to dim 1, (batch, tags, length)."""

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
    loss = criterion(Tagger()(tokens).permute(0, 2, 1), tags)
    loss.backward()
    print(f"no mistake: loss {loss.item():.3f} over every token")


if __name__ == "__main__":
    main()
