"""Cases for rule LL109: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "student probabilities as kl_div input": """
        import torch.nn.functional as F

        def distill(student_logits, teacher_logits, T=4.0):
            return F.kl_div(F.softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1), reduction="batchmean")  # expect: LL109
    """,
    "raw logits into nn.KLDivLoss": """
        import torch.nn as nn

        student = nn.Linear(16, 10)
        kl = nn.KLDivLoss(reduction="batchmean")
        loss = kl(student(x), teacher_probs)  # expect: LL109
    """,
    "sigmoid input": """
        import torch
        import torch.nn.functional as F

        loss = F.kl_div(input=torch.sigmoid(scores), target=p, reduction="sum")  # expect: LL109
    """,
}

VALID = {
    "log_softmax input, softmax target": """
        import torch.nn.functional as F

        loss = F.kl_div(F.log_softmax(s, dim=1), F.softmax(t, dim=1), reduction="batchmean")
    """,
    "log_target=True with log-probabilities on both sides": """
        import torch.nn.functional as F

        loss = F.kl_div(F.log_softmax(s, dim=1), F.log_softmax(t, dim=1), reduction="batchmean", log_target=True)
    """,
    "input of unknown kind": """
        import torch.nn.functional as F

        loss = F.kl_div(student_log_probs, teacher_probs, reduction="batchmean")
    """,
}
