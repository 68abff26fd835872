"""Check that a change to the analysis changes no finding and no count: run losslint cold
(``--select ALL --output-format json``, an empty cache) on each folder, keep the JSON and
the counts (a second, warm run with ``--statistics``: per rule, loss calls resolved and
unresolved per reason) and notes, and
compare them with a saved run; also records the child's CPU time and peak memory.

    python benchmarks/compare.py --save /tmp/before /tmp/repos/timm /tmp/repos/ignite
    python benchmarks/compare.py --against /tmp/before /tmp/repos/timm /tmp/repos/ignite

``--code DIR`` runs the ``losslint`` package found in DIR (``git archive`` of another
commit) instead of this checkout's. Exit status 1 when anything differs. Times are CPU
seconds of the losslint process and its workers (user + system, from ``wait4``), which
are less noisy than wall-clock on a shared machine; peak memory is the largest of the
processes (the pool's workers each count alone).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent


def run_losslint(
    corpus: str, jobs: int, code: Optional[str] = None, extra: Tuple[str, ...] = (), cache: Optional[str] = None
) -> Tuple[bytes, str, Dict[str, float]]:
    """One run: its JSON, its standard error, and {"cpu", "wall", "rss_mb"}."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(Path(code).resolve()) if code else str(HERE.parent)
    caching = ["--no-cache"] if cache is None else ["--cache-dir", cache]
    command = [sys.executable, "-m", "losslint", corpus, *caching, "--select", "ALL", "--output-format", "json",
               "--exit-zero", "-j", str(jobs), *extra]  # fmt: skip
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        raise SystemExit(f"losslint failed on {corpus} (status {process.returncode}):\n{stderr[-2000:]}")
    measures = {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}
    return stdout, stderr, measures


def summary_lines(stderr: str) -> List[str]:
    """The summary line and the notes (progress output and tracebacks aside)."""
    return [line for line in stderr.splitlines() if line.strip() and "\r" not in line]


def name_of(corpus: str) -> str:
    return Path(corpus).resolve().name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="+")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", help="folder to save the outputs in")
    group.add_argument("--against", help="folder of saved outputs to compare with")
    parser.add_argument("--code", help="folder holding the losslint package to run (default: this checkout)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    folder = Path(args.save or args.against)
    folder.mkdir(parents=True, exist_ok=True)
    different = 0
    for corpus in args.corpora:
        name = name_of(corpus)
        with tempfile.TemporaryDirectory(prefix="losslint-compare-") as cache:
            stdout, stderr, measures = run_losslint(corpus, args.jobs, args.code, cache=cache)
            # the counts: --statistics prints them instead of the JSON; the warm run reads the report
            statistics, stderr2, warm = run_losslint(corpus, args.jobs, args.code, ("--statistics",), cache=cache)
        lines = summary_lines(stderr) + summary_lines(statistics.decode()) + summary_lines(stderr2)
        measures["warm_cpu"] = warm["cpu"]
        findings = json.loads(stdout)
        line = next((l for l in lines if "loss calls:" in l), "")
        print(f"{name}: {len(findings)} findings, {line.strip()} cpu {measures['cpu']:.1f} s, wall "
              f"{measures['wall']:.1f} s, peak {measures['rss_mb']:.0f} MB", flush=True)  # fmt: skip
        if args.save:
            (folder / f"{name}.json").write_bytes(stdout)
            (folder / f"{name}.summary").write_text("\n".join(lines) + "\n")
            (folder / f"{name}.measures").write_text(json.dumps({**measures, "jobs": args.jobs}))
            continue
        before_json = (folder / f"{name}.json").read_bytes()
        before_lines = (folder / f"{name}.summary").read_text().splitlines()
        if before_json != stdout:
            different += 1
            old = {json.dumps(d, sort_keys=True) for d in json.loads(before_json)}
            new = {json.dumps(d, sort_keys=True) for d in findings}
            print(f"  JSON differs: {len(old - new)} findings gone, {len(new - old)} new")
            for d in sorted(old - new)[:5]:
                print("  -", d[:400])
            for d in sorted(new - old)[:5]:
                print("  +", d[:400])
        if before_lines != lines:
            different += 1
            print("  summary differs:")
            for l in sorted(set(before_lines) - set(lines))[:10]:
                print("  -", l)
            for l in sorted(set(lines) - set(before_lines))[:10]:
                print("  +", l)
        saved = json.loads((folder / f"{name}.measures").read_text())
        print(f"  before: cpu {saved['cpu']:.1f} s, peak {saved['rss_mb']:.0f} MB; "
              f"after: cpu {measures['cpu']:.1f} s ({measures['cpu'] / max(saved['cpu'], 1e-9):.2f}x), "
              f"peak {measures['rss_mb']:.0f} MB", flush=True)  # fmt: skip
    if args.against:
        print("identical" if not different else f"{different} differences")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
