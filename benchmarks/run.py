"""Time losslint against parsing (``ast.parse`` of every file, the reference; libcst's
parse, sampled on large corpora; ``ruff check --no-cache`` when installed), on a
deterministic synthetic corpus or on any folder.

    python benchmarks/run.py                      # 5,000 generated files, 5% with losses
    python benchmarks/run.py --files 1000         # a smaller corpus
    python benchmarks/run.py --framework 40       # the synthetic large framework (framework.py)
    python benchmarks/run.py --corpus path/to/repo

Reports files and lines, then for each run wall-clock and CPU seconds (of the process
and its workers, from ``wait4``), peak memory (the largest process) and the ratio of CPU
time to ``ast.parse``'s: losslint cold (``--jobs``, and ``--jobs 1``), warm, after one
training file changed, and on one file as pre-commit runs it. The corpus is copied
first (one file of the copy is edited). Writes the table with the machine's description
to benchmarks/RESULTS.md (--no-write to skip).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, NamedTuple, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from framework import generate_framework  # noqa: E402

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
ENVIRONMENT["PYTHONPATH"] = str(HERE.parent) + (os.pathsep + ENVIRONMENT["PYTHONPATH"] if "PYTHONPATH" in ENVIRONMENT else "")


class Row(NamedTuple):
    """One measurement: wall-clock seconds, CPU seconds (the process and its workers) and
    peak memory (the largest process, MB; None when measured in this process)."""

    name: str
    wall: float
    cpu: float
    peak: Optional[float] = None


WORKING_FOLDER: Optional[Path] = None
"""Where the runs start (``measure`` makes an empty folder): a file named alone is
checked with the project around it, and without a project marker that is the working
folder when the file is in it (a harness started in /tmp would read all of /tmp)."""


LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump([time.perf_counter() - start, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss], out)
"""
"""Starts a measured command from a small process: a child's peak memory (``ru_maxrss``)
counts the memory of the process it was forked from, and this one holds every file of
the corpus."""


def child(name: str, command: List[str], check: bool = True) -> Row:
    """Run a command; its wall-clock time, CPU time and peak memory from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile(suffix=".json") as measured:
        process = subprocess.Popen([sys.executable, "-c", LAUNCHER, measured.name, *command], stdout=out,
                                   stderr=subprocess.STDOUT, env=ENVIRONMENT, cwd=WORKING_FOLDER)  # fmt: skip
        process.wait()
        wall, code, cpu, peak = json.loads(Path(measured.name).read_text())
        if check and code != 0:
            out.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({code}):\n{out.read().decode(errors='replace')[-3000:]}")
    return Row(name, wall, cpu, peak / 1024)


def here(name: str, work: Callable[[], object]) -> Row:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return Row(name, time.perf_counter() - wall, time.process_time() - cpu)


def losslint(name: str, *args: str) -> Row:
    return child(name, [sys.executable, "-m", "losslint", *args, "--exit-zero", "--quiet"])


def parse_all(sources: List[bytes]) -> None:
    for source in sources:
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass


def libcst_sampled(files: List[Path], sources: List[bytes], limit: int) -> Row:
    """libcst's parse of every file, or of an evenly spread sample extrapolated by size."""
    import libcst as cst

    chosen = list(range(len(files))) if len(files) <= limit else [i * len(files) // limit for i in range(limit)]
    sample = [sources[i] for i in chosen]

    def work() -> None:
        for source in sample:
            try:
                cst.parse_module(source)
            except Exception:  # noqa: BLE001 - a file libcst cannot parse: skipped
                pass

    row = here("libcst parse of every file", work)
    total, sampled = sum(map(len, sources)), sum(map(len, sample)) or 1
    if len(chosen) < len(files):
        scale = total / sampled
        row = Row(f"libcst parse of every file (extrapolated from {len(chosen)} files)", row.wall * scale, row.cpu * scale)
    return row


TRAINING = re.compile(rb"\.backward\(|Loss\(|cross_entropy\(")


def measure(corpus: Path, jobs: int, select: Optional[str], libcst_limit: int) -> Tuple[int, int, List[Row]]:
    files = sorted(p for p in corpus.rglob("*.py") if p.is_file())
    sources = [f.read_bytes() for f in files]
    lines = sum(s.count(b"\n") for s in sources)
    global WORKING_FOLDER
    work = Path(tempfile.mkdtemp(prefix="losslint-bench-"))
    WORKING_FOLDER = work / "start"
    WORKING_FOLDER.mkdir()
    try:
        copy = work / "corpus"  # one of its files is edited below: never the user's
        shutil.copytree(corpus, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", ".losslint_cache"))
        cache, single = work / "cache", work / "single"
        clean = training_script(single / "clean", "self.head(h)", "CrossEntropyLoss")
        buggy = training_script(single / "buggy", "F.softmax(self.head(h), dim=1)", "CrossEntropyLoss")
        selection = ("--select", select) if select else ()
        losslint("warm-up", str(buggy), "--no-cache")  # writes the bytecode, as any first use does
        rows = [
            here("read every file (the floor)", lambda: [f.read_bytes() for f in files]),
            here("ast.parse of every file (the reference)", lambda: parse_all(sources)),
            libcst_sampled(files, sources, libcst_limit),
        ]
        ruff = shutil.which("ruff")
        if ruff:  # for scale, when it is installed
            rows.append(child("ruff check --no-cache (for scale)", [ruff, "check", "--no-cache", "--exit-zero", "--quiet", str(copy)], False))
        rows.append(losslint(f"losslint, cold (empty cache), --jobs {jobs}", str(copy), "--cache-dir", str(cache), "-j", str(jobs), *selection))
        rows.append(losslint("losslint, warm (unchanged tree)", str(copy), "--cache-dir", str(cache), "-j", str(jobs), *selection))
        trained = next((copy / f.relative_to(corpus) for f, s in zip(files, sources) if TRAINING.search(s)), None)
        if trained is not None:  # a user edits one training file: the next run re-checks it
            with open(trained, "ab") as handle:
                handle.write(b"\n# edited\n")
            rows.append(losslint("losslint, one changed training file, warm cache", str(copy), "--cache-dir", str(cache), "-j", str(jobs), *selection))
        if jobs != 1:
            shutil.rmtree(cache, ignore_errors=True)
            rows.append(losslint("losslint, cold (empty cache), --jobs 1", str(copy), "--cache-dir", str(cache), "-j", "1", *selection))
        rows.append(losslint("losslint, one training script, no cache (pre-commit)", str(clean), "--no-cache"))
        rows.append(losslint("losslint, one script with a fixable finding, no cache", str(buggy), "--no-cache"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return len(files), lines, rows


def report(corpus: str, count: int, lines: int, rows: List[Row], jobs: int) -> str:
    reference = next(r for r in rows if r.name.startswith("ast.parse"))
    machine = f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = [f"Corpus: {corpus} ({count:,} files, {lines:,} lines). Machine: {machine}; load average {load:.1f} "
           f"at the end (wall-clock is noisy on a shared machine: compare CPU seconds).", "",
           "| run | wall s | CPU s | peak MB | files/s (wall) | × ast.parse (CPU) |", "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for row in rows:
        whole = "one " not in row.name
        rate = f"{count / row.wall:,.0f}" if whole and row.wall > 0 else ""
        peak = f"{row.peak:.0f}" if row.peak is not None else ""
        ratio = row.cpu / reference.cpu if reference.cpu > 0 else float("nan")
        out.append(f"| {row.name} | {row.wall:.2f} | {row.cpu:.2f} | {peak} | {rate} | {ratio:.2f} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="a folder to measure instead of a generated corpus")
    parser.add_argument("--files", type=int, default=5000, help="files in the generated corpus")
    parser.add_argument("--framework", type=int, metavar="PACKAGES", help="generate the synthetic large-framework corpus (benchmarks/framework.py) with this many packages")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="losslint --jobs for the cold run (another cold run with --jobs 1 follows)")
    parser.add_argument("--select", help="losslint --select (default: the default rules)")
    parser.add_argument("--libcst-sample", type=int, default=100, help="files libcst parses at most (extrapolated by size)")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    parser.add_argument("--code", help="folder holding the losslint package to run (``git archive`` of another commit; default: this checkout)")
    args = parser.parse_args()
    if args.code:
        ENVIRONMENT["PYTHONPATH"] = str(Path(args.code).resolve())
    options = (args.jobs, args.select, args.libcst_sample)
    if args.corpus:
        corpus, label = Path(args.corpus), args.corpus
        count, lines, rows = measure(corpus, *options)
    else:
        with tempfile.TemporaryDirectory(prefix="losslint-corpus-") as directory:
            corpus = Path(directory)
            if args.framework:
                label = f"synthetic large framework, {args.framework} packages (seed 0)"
                generate_framework(corpus, args.framework)
            else:
                label = f"synthetic, {args.files} files, 5% with losses (seed 0)"
                generate(corpus, args.files)
            count, lines, rows = measure(corpus, *options)
    text = report(label, count, lines, rows, args.jobs)
    print(text)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        previous = results.read_text() if results.exists() else "# Benchmark results\n"
        results.write_text(previous.rstrip("\n") + f"\n\n## {time.strftime('%Y-%m-%d')}\n\n" + text)


if __name__ == "__main__":
    main()
