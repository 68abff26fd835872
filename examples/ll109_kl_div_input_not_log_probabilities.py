"""LL109 kl-div-input-not-log-probabilities.

Knowledge distillation with the student's *probabilities* as kl_div's input: kl_div
expects log-probabilities there, so even a student identical to the teacher gets a
non-zero (here negative) loss.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_net() -> nn.Module:
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5))


def distillation_loss(student_logits, teacher_logits, temperature: float = 2.0):
    student = F.softmax(student_logits / temperature, dim=1)
    teacher = F.softmax(teacher_logits / temperature, dim=1)
    return F.kl_div(student, teacher, reduction="batchmean")  # expect: LL109


def main() -> None:
    torch.manual_seed(0)
    teacher = make_net()
    x = torch.randn(16, 10)
    with torch.no_grad():
        logits = teacher(x)
    loss = distillation_loss(logits, logits)
    print(f"KL between identical distributions: {loss.item():.3f} (should be 0)")
    if abs(loss.item()) > 0.1:
        print("mistake shown: the divergence of a distribution from itself is not 0")
    else:
        print("no mistake: the fixed code trains as it should")


if __name__ == "__main__":
    main()
