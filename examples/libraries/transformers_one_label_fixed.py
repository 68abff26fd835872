"""LL201 fixed: one logit per class; the model's own loss when labels are passed."""

import tempfile

import torch
import torch.nn as nn
from transformers import AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification


def main() -> None:
    torch.manual_seed(0)
    tiny = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, num_labels=2)
    with tempfile.TemporaryDirectory() as folder:
        BertForSequenceClassification(tiny).save_pretrained(folder)
        model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=2)
    input_ids, labels = torch.randint(0, 64, (4, 8)), torch.tensor([0, 1, 1, 0])
    outputs = model(input_ids=input_ids, labels=labels)
    loss = nn.CrossEntropyLoss()(outputs.logits, labels)
    outputs.loss.backward()
    print("no mistake" if loss.item() > 0 else "mistake shown")


if __name__ == "__main__":
    main()
