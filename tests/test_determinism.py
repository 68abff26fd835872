"""Output is byte-identical whatever PYTHONHASHSEED is."""

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    command = [sys.executable, "-m", "losslint", str(EXAMPLES), "--select", "ALL", "--output-format", "json"]
    return subprocess.run(command, capture_output=True, env=env).stdout


def test_same_bytes_for_any_hash_seed():
    outputs = {run(seed) for seed in (0, 1, 12345)}
    assert len(outputs) == 1
    assert b"LL101" in outputs.pop()
