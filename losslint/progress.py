"""What a run is doing, for people watching it: the phases of ``lint`` (discover, read,
parse, analyse, check) reported to an ``Observer``. The run's result never depends on
one; the command line shows a progress bar on a terminal (``Bar``) and, with ``-v``,
each phase's time and the cache's hits (``Timings``), both on standard error."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, TextIO, Tuple

PHASES = ("discover", "read", "parse", "analyse", "check")
BAR_DELAY = 1.0
"""Seconds a run goes before the bar appears: a short run shows nothing."""


class Observer:
    """Told of each phase as it starts (with how many steps it has, when known) and of
    each step done; does nothing itself."""

    def phase(self, name: str, total: Optional[int] = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def note(self, what: str, count: int = 1) -> None:
        """Something counted in the current phase (``parsed``, ``from the cache``); a
        count of 0 is a remark shown without a number."""

    def finish(self) -> None:
        pass


class Many(Observer):
    """Several observers told the same things."""

    def __init__(self, *observers: Observer) -> None:
        self.observers = observers

    def phase(self, name: str, total: Optional[int] = None) -> None:
        for observer in self.observers:
            observer.phase(name, total)

    def advance(self, steps: int = 1) -> None:
        for observer in self.observers:
            observer.advance(steps)

    def note(self, what: str, count: int = 1) -> None:
        for observer in self.observers:
            observer.note(what, count)

    def finish(self) -> None:
        for observer in self.observers:
            observer.finish()


class Timings(Observer):
    """Each phase's time and counts, summed over the runs of one command (``--fix``
    lints again after each round of fixes)."""

    def __init__(self, clock: Any = time.perf_counter) -> None:
        self.clock = clock
        self.seconds: Dict[str, float] = {}
        self.counts: Dict[str, Dict[str, int]] = {}
        self.runs = 0
        self._current: Optional[Tuple[str, float]] = None

    def phase(self, name: str, total: Optional[int] = None) -> None:
        self._close()
        if name == PHASES[0]:
            self.runs += 1
        self._current = (name, self.clock())
        self.seconds.setdefault(name, 0.0)

    def note(self, what: str, count: int = 1) -> None:
        if self._current is not None:
            counts = self.counts.setdefault(self._current[0], {})
            counts[what] = counts.get(what, 0) + count

    def finish(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._current is not None:
            name, start = self._current
            self.seconds[name] += self.clock() - start
            self._current = None

    def lines(self) -> List[str]:
        """``phase  0.12 s  (12 files)`` per phase, in run order."""
        names = [name for name in PHASES if name in self.seconds] + sorted(set(self.seconds) - set(PHASES))
        width = max((len(name) for name in names), default=0)
        shown = []
        for name in names:
            counts = self.counts.get(name, {})
            detail = ", ".join(f"{count} {what}" if count else what for what, count in counts.items())
            shown.append(f"{name:<{width}}  {self.seconds[name]:7.3f} s" + (f"  ({detail})" if detail else ""))
        total = sum(self.seconds.values())
        runs = f" over {self.runs} runs" if self.runs > 1 else ""
        shown.append(f"{'total':<{width}}  {total:7.3f} s{runs}")
        return shown


class Bar(Observer):
    """A rich progress bar on ``stream`` (a terminal), shown only once the run has gone
    on for ``delay`` seconds; removed when the run ends."""

    def __init__(self, stream: TextIO, delay: float = BAR_DELAY, clock: Any = time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.clock = clock
        self.start = clock()
        self._bar: Any = None
        self._task: Any = None
        self._state: Tuple[str, Optional[int], int] = ("", None, 0)
        self._shown: Tuple[str, Optional[int]] = ("", None)

    def phase(self, name: str, total: Optional[int] = None) -> None:
        self._state = (name, total, 0)
        self._show()

    def advance(self, steps: int = 1) -> None:
        name, total, done = self._state
        self._state = (name, total, done + steps)
        self._show()

    def _show(self) -> None:
        if self._bar is None:
            if self.clock() - self.start < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(), TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self.stream), transient=True,
            )
            self._bar.start()
        name, total, done = self._state
        if self._task is None or self._shown != (name, total):
            # a task per phase: rich keeps a total once set, and a phase may have none
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(name, total=total)
            self._shown = (name, total)
        self._bar.update(self._task, completed=done)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = self._task = None


NOTHING = Observer()
