"""LL201 with a transformers model: num_labels=1 into CrossEntropyLoss.

``num_labels=1`` makes a sequence classifier a regressor (its own loss is MSE); its one
logit into CrossEntropyLoss gives a loss of 0 whatever the model outputs. Runs where
transformers is installed (a tiny random BERT saved to a temporary folder: no download).
"""

import tempfile

import torch
import torch.nn as nn
from transformers import AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification


def main() -> None:
    torch.manual_seed(0)
    tiny = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, num_labels=1)
    with tempfile.TemporaryDirectory() as folder:
        BertForSequenceClassification(tiny).save_pretrained(folder)
        model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=1)
    input_ids, labels = torch.randint(0, 64, (4, 8)), torch.zeros(4, dtype=torch.long)
    outputs = model(input_ids=input_ids)
    loss = nn.CrossEntropyLoss()(outputs.logits, labels)  # expect: LL201
    print("mistake shown: the loss is 0 whatever the model outputs" if loss.item() == 0 else "no mistake")


if __name__ == "__main__":
    main()
