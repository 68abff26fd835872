"""LL109, corrected: log_softmax for kl_div's input, softmax for its target."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_net() -> nn.Module:
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5))


def distillation_loss(student_logits, teacher_logits, temperature: float = 2.0):
    student = F.log_softmax(student_logits / temperature, dim=1)
    teacher = F.softmax(teacher_logits / temperature, dim=1)
    return F.kl_div(student, teacher, reduction="batchmean")


def main() -> None:
    torch.manual_seed(0)
    teacher = make_net()
    x = torch.randn(16, 10)
    with torch.no_grad():
        logits = teacher(x)
    loss = distillation_loss(logits, logits)
    print(f"KL between identical distributions: {loss.item():.6f}")
    assert abs(loss.item()) < 1e-6


if __name__ == "__main__":
    main()
