"""Write golden.json: torch's values and gradients for every parity case.

    python -m tests.reference.generate_golden     # from the repository root; needs torch

Run it again whenever ``cases.py`` changes; the parity test without torch reads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.reference.cases import LOSSES, cases
from tests.reference.torch_oracle import evaluate

GOLDEN = Path(__file__).resolve().parent / "golden.json"


def encode(value, digits: int = 17):
    """Arrays as dtype, shape and data. Inputs keep every digit (cases.py rounds them,
    so they are short); torch's answers keep 12 significant digits, plenty for 1e-6."""
    if isinstance(value, np.ndarray):
        data = value.ravel().tolist()
        if value.dtype.kind == "f":
            data = [float(f"{v:.{digits}g}") for v in data]
        return {"dtype": str(value.dtype), "shape": list(value.shape), "data": data}
    return value


def main() -> None:
    import torch

    records = []
    for case in cases():
        value, gradient = evaluate(case)
        records.append(
            {
                "id": case.id,
                "function": case.function,
                "args": [encode(a) for a in case.args],
                "kwargs": {k: encode(v) for k, v in case.kwargs.items()},
                "value": encode(np.asarray(value), 12),
                "grad": encode(gradient, 12) if case.function in LOSSES else None,
            }
        )
    payload = {"torch": torch.__version__, "cases": records}
    GOLDEN.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print(f"wrote {len(records)} cases to {GOLDEN}")


if __name__ == "__main__":
    main()
