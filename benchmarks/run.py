"""Time losslint against the floor (reading every file) and a naive libcst linter
(parsing every file), on a deterministic synthetic corpus or on any folder.

    python benchmarks/run.py                      # 5,000 generated files, 5% with losses
    python benchmarks/run.py --files 1000         # a smaller corpus
    python benchmarks/run.py --corpus path/to/repo

Prints files per second and the ratios, and writes them with the machine's description
to benchmarks/RESULTS.md (--no-write to skip). ``ruff check --no-cache`` is timed too
when ruff is installed, for scale.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Tuple

import libcst as cst

HERE = Path(__file__).resolve().parent

MODEL = '''import torch
import torch.nn as nn
import torch.nn.functional as F


class {name}(nn.Module):
    def __init__(self, in_features={width_in}, num_classes={classes}):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, {hidden}), nn.ReLU(), nn.Dropout(0.1))
        self.head = nn.Linear({hidden}, num_classes)

    def forward(self, x):
        h = self.body(x.flatten(1))
        return {output}


def train_{name_lower}(model, loader, epochs=3):
    criterion = nn.{loss}()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(epochs):
        running = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            running += loss.item()
    return running


if __name__ == "__main__":
    train_{name_lower}({name}(), [])
'''

PLAIN_FUNCTION = '''

def {name}(records, threshold={value}, scale={scale}):
    """Filter and rescale {name} records."""
    kept = []
    for index, record in enumerate(records):
        if record.get("score", 0) > threshold:
            value = record["value"] * scale + index
            kept.append({{"id": record["id"], "value": value, "tags": sorted(record.get("tags", []))}})
        elif record.get("fallback"):
            kept.append(dict(record, value=None))
    return {{"count": len(kept), "items": kept, "ratio": len(kept) / max(len(records), 1)}}
'''

PLAIN_CLASS = '''

class {name}:
    """A small {name} registry."""

    def __init__(self, capacity={value}):
        self.capacity = capacity
        self.items = {{}}

    def add(self, key, item):
        if len(self.items) >= self.capacity:
            oldest = next(iter(self.items))
            del self.items[oldest]
        self.items[key] = item
        return item

    def summary(self):
        return ", ".join(f"{{k}}={{v}}" for k, v in sorted(self.items.items()))
'''


def training_script(root: Path, output: str, loss: str) -> Path:
    """One training script, as pre-commit passes it: the single-file case."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "train_one.py"
    path.write_text(MODEL.format(name="Single", name_lower="single", width_in=16, classes=10, hidden=32, output=output, loss=loss))
    return path


def generate(root: Path, count: int, loss_share: float = 0.05, seed: int = 0) -> None:
    """A deterministic corpus: a few model and training files among many plain modules."""
    rng = random.Random(seed)
    losses = int(count * loss_share)
    for i in range(count):
        package = root / f"pkg{i % 20}"
        package.mkdir(parents=True, exist_ok=True)
        if i < losses:
            name = f"Model{i}"
            output = rng.choice(["self.head(h)", "F.softmax(self.head(h), dim=1)", "torch.sigmoid(self.head(h))"])
            text = MODEL.format(
                name=name, name_lower=name.lower(), width_in=rng.choice([16, 32, 64]), classes=rng.choice([1, 2, 10]),
                hidden=rng.choice([32, 64, 128]), output=output,
                loss=rng.choice(["CrossEntropyLoss", "BCEWithLogitsLoss", "BCELoss", "NLLLoss"]),
            )  # fmt: skip
        else:
            parts = ["import json\nimport os\nfrom collections import defaultdict\n"]
            for j in range(rng.randint(6, 14)):
                template = PLAIN_FUNCTION if rng.random() < 0.6 else PLAIN_CLASS
                parts.append(template.format(name=f"item_{i}_{j}" if template is PLAIN_FUNCTION else f"Store{i}x{j}",
                                             value=rng.randint(1, 100), scale=rng.choice([0.5, 1.0, 2.0])))  # fmt: skip
            text = "".join(parts)
        (package / f"module_{i}.py").write_text(text)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""losslint runs as installed: its bytecode cached (an untimed first run writes it)."""


def losslint(*args: str) -> float:
    command = [sys.executable, "-m", "losslint", *args, "--exit-zero", "--quiet"]
    return timed(lambda: subprocess.run(command, capture_output=True, check=True, env=ENVIRONMENT))


def measure(corpus: Path) -> Tuple[int, int, List[Tuple[str, float]]]:
    files = sorted(corpus.rglob("*.py"))
    sources = [f.read_bytes() for f in files]
    lines = sum(s.count(b"\n") for s in sources)
    cache = Path(tempfile.mkdtemp(prefix="losslint-bench-cache-"))
    single = Path(tempfile.mkdtemp(prefix="losslint-bench-single-"))
    try:
        clean = training_script(single / "clean", "self.head(h)", "CrossEntropyLoss")
        buggy = training_script(single / "buggy", "F.softmax(self.head(h), dim=1)", "CrossEntropyLoss")
        losslint(str(buggy), "--no-cache")  # writes the bytecode, as any first use does
        rows = [
            ("read every file (the floor)", timed(lambda: [f.read_bytes() for f in files])),
            ("libcst parse of every file", timed(lambda: [cst.parse_module(s) for s in sources])),
            ("losslint, cold (empty cache)", losslint(str(corpus), "--cache-dir", str(cache))),
            ("losslint, warm (unchanged tree)", losslint(str(corpus), "--cache-dir", str(cache))),
            ("losslint, one training script, no cache", losslint(str(clean), "--no-cache")),
            ("losslint, one script with a fixable finding, no cache", losslint(str(buggy), "--no-cache")),
        ]
        ruff = shutil.which("ruff")
        if ruff:  # for scale, when it is installed: the warm run's target
            command = [ruff, "check", "--no-cache", "--exit-zero", "--quiet", str(corpus)]
            rows.append(("ruff check --no-cache (for scale)", timed(lambda: subprocess.run(command, capture_output=True))))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(single, ignore_errors=True)
    return len(files), lines, rows


def report(corpus: str, count: int, lines: int, rows: List[Tuple[str, float]]) -> str:
    parse = dict(rows)["libcst parse of every file"]
    machine = f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    out = [f"Corpus: {corpus} ({count} files, {lines:,} lines). Machine: {machine}.", "",
           "| run | seconds | files/s | × libcst parse |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name, seconds in rows:
        rate = count / seconds if "one " not in name and seconds > 0 else float("nan")
        out.append(f"| {name} | {seconds:.2f} | {rate:,.0f} | {seconds / parse:.3f} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="a folder to measure instead of a generated corpus")
    parser.add_argument("--files", type=int, default=5000, help="files in the generated corpus")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.corpus:
        corpus, label = Path(args.corpus), args.corpus
        count, lines, rows = measure(corpus)
    else:
        with tempfile.TemporaryDirectory(prefix="losslint-corpus-") as directory:
            corpus, label = Path(directory), f"synthetic, {args.files} files, 5% with losses (seed 0)"
            generate(corpus, args.files)
            count, lines, rows = measure(corpus)
    text = report(label, count, lines, rows)
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        previous = results.read_text() if results.exists() else "# Benchmark results\n"
        results.write_text(previous.rstrip("\n") + f"\n\n## {time.strftime('%Y-%m-%d')}\n\n" + text)


if __name__ == "__main__":
    main()
