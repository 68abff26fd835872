"""Where a cold run's time and memory go, phase by phase and function by function.

    python benchmarks/profile_run.py path/to/repo            # phases, slowest entry points
    python benchmarks/profile_run.py path/to/repo --cprofile # and cProfile's top functions

Runs ``runner.lint``'s steps one by one in this process (``--jobs`` processes parse, as
in a real run; 1 by default so that the profile sees the parsing too), with no cache,
the default rules (every rule with ``--all``), and prints each phase's CPU time and the peak memory after it;
then the entry points (module top levels and functions run with unknown arguments)
that took the most interpretation time (``--facts``: and how much of it went to entry
points after which the facts the rules read were the same). The interpretation runs where cProfile sees it
(the analysis thread ``summary.deep`` starts is this one).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from losslint.analysis import summary as summary_module  # noqa: E402
from losslint.analysis.engine import driver  # noqa: E402
from losslint.analysis.facts import Facts  # noqa: E402
from losslint.files import Excluder  # noqa: E402
from losslint.rules import RULES  # noqa: E402
from losslint.analysis.modules import ModuleIndex  # noqa: E402
from losslint.runner import Run, _importers, collect_garbage_less_often  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def facts_so_far(interpreter: driver.Interpreter) -> Facts:
    """The facts the rules would read if the run ended here (without the escapes
    ``_record_escapes`` adds at the end, from every entry point's return)."""
    key = lambda fact: (fact.site.path, fact.site.ordinal)  # noqa: E731
    return Facts(**interpreter.library_facts(key), **interpreter.observed_facts(key))


def profile(
    corpus: str, jobs: int, every_rule: bool = False, facts_changed: Optional[Counter] = None
) -> Tuple[List[Tuple[str, float, float]], Counter, Dict[str, int]]:
    """``facts_changed``: filled with the CPU seconds of the entry points after which the
    facts differ (``True``) and of those after which they are the same (``False``)."""
    phases: List[Tuple[str, float, float]] = []
    entry_times: Counter = Counter()
    nesting = [0]

    def timed_entry(kind: str, original: Callable) -> Callable:
        def wrapper(self, name, *args):  # type: ignore[no-untyped-def]
            if nesting[0]:
                return original(self, name, *args)
            nesting[0] += 1
            before = facts_so_far(self) if facts_changed is not None else None
            start = time.process_time()
            try:
                return original(self, name, *args)
            finally:
                seconds = time.process_time() - start
                nesting[0] -= 1
                label = f"{kind} {name}" if not args else f"{kind} {name}:{args[0].qualname}"
                entry_times[label] += seconds
                if facts_changed is not None:
                    facts_changed[facts_so_far(self) != before] += seconds

        return wrapper

    driver.Interpreter._run_module = timed_entry("module", driver.Interpreter._run_module)  # type: ignore[method-assign]
    driver.Interpreter._run_entry = timed_entry("entry", driver.Interpreter._run_entry)  # type: ignore[method-assign]

    def step(name: str, work: Callable[[], object]) -> object:
        start = cpu()
        result = work()
        phases.append((name, cpu() - start, peak_mb()))
        return result

    selected = frozenset(rule.code for rule in RULES if every_rule or rule.default)
    run = Run(selected, None, None, {})
    excluder = Excluder((), ".")
    files = step("discover", lambda: run.discover([corpus], excluder, False))
    contents = step("read", lambda: run.read(files))
    named_losses, opted_in = step("parse + lower (summaries)", lambda: run.summarise(contents, jobs))  # type: ignore
    named_losses = named_losses + step("find importers", lambda: run.find_importers(jobs))  # type: ignore
    facts = step("interpret (entry points, imports followed)", lambda: run.analyse(files, named_losses, opted_in, jobs))  # type: ignore
    index = ModuleIndex(run.summaries)
    importing = _importers(set(named_losses), run.summaries, index)  # type: ignore[arg-type]
    standalone = {p for p, s in run.summaries.items() if s.outline.standalone}
    category = {}
    for path in run.summaries:
        category[path] = ("names a loss" if path in named_losses else "imports one" if path in importing
                          else "standalone softmax" if path in standalone else "opt-in prefilter" if path in opted_in
                          else "run whole or imported")  # fmt: skip
    by_category: Counter = Counter()
    for label, seconds in entry_times.items():
        by_category[category.get(label.split(" ", 1)[1].split(":", 1)[0], "?")] += seconds
    why = {k: round(v, 2) for k, v in by_category.most_common()}
    step("rules + fix checks", lambda: run.check(facts))  # type: ignore[arg-type]
    step("filter + sort", lambda: run.filter((), "."))
    counts = {"files": len(files), "summaries": len(run.summaries),  # type: ignore[arg-type]
              "loss calls": run.report.loss_calls, "unresolved": run.report.unresolved,
              "interpretation s by why its file runs": why}  # fmt: skip
    return phases, entry_times, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--all", action="store_true", help="select every rule (``--select ALL``), not the default ones")
    parser.add_argument("--facts", action="store_true", help="also tell the time of entry points that changed no fact (slower)")
    args = parser.parse_args()
    facts_changed: Optional[Counter] = Counter() if args.facts else None
    collect_garbage_less_often()
    profiler = cProfile.Profile() if args.cprofile else None

    def everything() -> object:
        if profiler is not None:
            profiler.enable()
        try:
            return profile(args.corpus, args.jobs, args.all, facts_changed)
        finally:
            if profiler is not None:
                profiler.disable()

    phases, entry_times, counts = summary_module.deep(everything)  # nested ``deep`` calls run in this thread
    total = sum(seconds for _, seconds, _ in phases)
    print(f"{args.corpus}: {counts}")
    print("| phase | CPU s | share | peak MB after |\n| --- | --- | --- | --- |")
    for name, seconds, peak in phases:
        print(f"| {name} | {seconds:.2f} | {seconds / max(total, 1e-9):.0%} | {peak:.0f} |")
    print(f"\nslowest entry points ({len(entry_times)} in all, {sum(entry_times.values()):.1f} s):")
    for label, seconds in entry_times.most_common(args.top):
        print(f"  {seconds:7.2f}  {label}")
    if facts_changed is not None:
        print(f"\nentry points after which the facts changed: {facts_changed[True]:.2f} s; the same: {facts_changed[False]:.2f} s")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top * 2)


if __name__ == "__main__":
    main()
