"""One lint run: files -> summaries -> link step -> rules -> located, filtered diagnostics."""

from __future__ import annotations

import fnmatch
import gc
import os
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, FrozenSet, Generator, List, NamedTuple, Optional, Sequence, Set, Tuple

from losslint.analysis import ir
from losslint.analysis import tables as T
from losslint.analysis.facts import Facts, tensors
from losslint.analysis.engine import Interpreter
from losslint.analysis.modules import PROJECT_MARKERS, ModuleIndex, probe
from losslint.analysis.reach import FileUnits, file_units, reaching_files
from losslint.analysis.summary import IMPORT_STATEMENT as TEXT_IMPORT_STATEMENT
from losslint.analysis.summary import (
    FileSummary,
    ParseFailure,
    Span,
    argument_span,
    decode,
    deep,
    deep_if_needed,
    imports_in,
    lower_text,
    names_a_loss,
    pickled,
    summarize,
)
from losslint.analysis.values import Site
from losslint.cache import Cache, Entry
from losslint.progress import NOTHING, Observer
from losslint.files import NOTEBOOK_SUFFIX, Excluder, discover
from losslint.files import read as read_file
from losslint import noqa
from losslint.notebook import read_notebook, source_positions
from losslint.edits import Fix
from losslint.report import Change, Diagnostic, Location, RelatedLocation, Report
from losslint.rules import BY_CODE, RULES
from losslint.rules.base import Finding

IMPORT_STATEMENT = re.compile(TEXT_IMPORT_STATEMENT.pattern.encode(), re.MULTILINE)
"""An import statement's text, in a file's bytes: a file not named is parsed only if one
of these names a named module."""


_CONVERSIONS = re.compile(
    r"(?:\s*\.\s*(?:float|double|half|bfloat16|long|int|short|byte|bool|to|type)\((?:[^()]|\([^()]*\))*\))+"
)
"""Chained dtype conversions (a call's arguments may hold one level of parentheses)."""


class _Locator:
    """Resolves sites to positions, per file and only when asked."""

    def __init__(
        self,
        summaries: Dict[str, FileSummary],
        cell_maps: Dict[str, List[Tuple[int, int]]],
        arguments: Optional[Dict[Site, Tuple[int, str]]] = None,
    ) -> None:
        self.summaries = summaries
        self.cell_maps = cell_maps
        self.arguments = arguments or {}  # sites whose findings point at one argument (Facts.argument_sites)
        self._noqa: Dict[str, Tuple[Dict[int, Optional[FrozenSet[str]]], Dict[int, Optional[FrozenSet[str]]]]] = {}
        self.used: Set[Tuple[str, str, int, Optional[str]]] = set()  # suppressions that suppressed a finding

    def span(self, site: Site) -> Span:
        return self.summaries[site.path].span(site.ordinal)

    def location(self, site: Site) -> Location:
        span = self.span(site)
        if site in self.arguments:
            span = argument_span(self.summaries[site.path].lines(), span, *self.arguments[site], getattr(site, "part", None)) or span
        return Location(site.path, span.row, span.column, span.end_row, span.end_column)

    def describe(self, site: Site) -> str:
        """``pkg/model.py:9 nn.Sigmoid()``, or ``nb.ipynb:cell 3:7 ...`` in a notebook: the
        path relative to the working directory (absolute outside it), as ruff shows paths."""
        span = self.span(site)
        where = _cell_location(Location(site.path, span.row, 1, span.row, 1), self.cell_maps.get(site.path, []))
        line = f"cell {where.cell}:{where.row}" if where.cell is not None else str(where.row)
        return f"{_shown(os.path.abspath(site.path))}:{line} {span.snippet}{self._conversions(site.path, span)}"

    def _conversions(self, path: str, span: Span) -> str:
        """The dtype conversions chained on a one-line expression (``.float()``,
        ``.to(torch.long)``): the value quoted is the one converted, so a float target
        made by ``torch.randint(...).float()`` is quoted whole, not as its integer start."""
        if span.end_row != span.row:
            return ""
        lines = self.summaries[path].lines()
        if not 1 <= span.row <= len(lines):
            return ""
        found = _CONVERSIONS.match(lines[span.row - 1], span.end_column - 1)
        return found.group() if found else ""

    def suppressed(self, code: str, location: Location, file_level: bool = True) -> bool:
        """Whether a ``# noqa`` on ``location``'s line (or, ``file_level``, a ``# losslint:
        noqa`` in its file) names ``code``; each comment that does is marked used (LL901)."""
        path = location.path
        tables = self._noqa.get(path)
        if tables is None:
            lines = self.summaries[path].lines() if path in self.summaries else []
            tables = self._noqa[path] = noqa.tables(lines)
        lines_table, file_table = tables
        hit = False
        codes = lines_table.get(location.row, ())
        if codes != () and noqa.covers(codes, code):  # type: ignore[arg-type]
            self.used.add((path, "line", location.row, None if codes is None else code))
            hit = True
        if file_level:
            for row, codes in file_table.items():
                if noqa.covers(codes, code):
                    self.used.add((path, "file", row, None if codes is None else code))
                    hit = True
        return hit


PerFileIgnores = Sequence[Tuple[str, FrozenSet[str]]]
UNUSED_NOQA = "LL901"


def lint(
    paths: Sequence[str],
    selected: FrozenSet[str],
    sources: Optional[Dict[str, bytes]] = None,
    *,
    exclude: Sequence[str] = (),
    per_file_ignores: PerFileIgnores = (),
    root: str = ".",
    force_exclude: bool = False,
    progress: Optional[Observer] = None,
    cache: Optional[Cache] = None,
    jobs: int = 1,
    overrides: Optional[Dict[str, bytes]] = None,
    on_disk: bool = False,
) -> Report:
    """Lint ``paths`` (or the in-memory ``sources``, path -> bytes) with the ``selected``
    codes. Globs in ``exclude`` and ``per_file_ignores`` are relative to ``root``;
    ``progress`` is told of each phase and step (``losslint.progress``); ``jobs`` processes parse the
    files the ``cache`` does not have; ``overrides`` replace the contents of files on
    disk (what ``--fix`` has changed so far). ``on_disk``: the ``sources`` stand for the
    files at their paths (standard input with ``--stdin-filename``, an editor's buffer):
    imports lead to the project's other files on disk, as for named files."""
    observer = progress or NOTHING
    run = Run(selected, sources, cache, overrides or {}, on_disk, observer)
    excluder = Excluder(exclude, root)
    observer.phase("discover")
    files = sorted(sources) if sources is not None else run.discover(paths, excluder, force_exclude)
    observer.note("files", len(files))
    observer.phase("read", len(files))
    contents = run.read(files)
    if run.reads_disk and (sources is not None or any(not os.path.isdir(path) for path in paths)):
        run.scan(excluder)  # files were named: their importers may hold the loss calls they reach
    run_key = None
    if cache is not None and sources is None and not run.changed:
        run_key = _run_key(selected, per_file_ignores, root, run.hashes, run.failures, run.scanned)
        record = cache.get(run_key, RunRecord)
        if record is not None and record.valid():
            observer.note("the whole run from the cache", 0)
            observer.finish()
            return record.report
    observer.phase("parse", len(contents))
    named_losses, opted_in = run.summarise(contents, jobs)
    del contents  # the summaries hold the decoded texts: the bytes need not stay for the analysis
    named_losses += run.find_importers(jobs)
    observer.phase("analyse")
    facts = run.analyse(files, named_losses, opted_in, jobs)
    observer.phase("check")
    run.check(facts)
    run.filter(per_file_ignores, root)
    run.store_lowered()
    observer.finish()
    if cache is not None and run_key is not None and not run.report.internal_errors:
        cache.put(run_key, RunRecord(run.dependencies, run.index.probes, run.report))
    return run.report


class Run:
    """One run's steps, each testable alone: discover the files, read them, summarise
    them (parse and lower, or from the cache), analyse the entry points, check the
    rules and their fixes, filter and sort what is reported."""

    def __init__(
        self,
        selected: FrozenSet[str],
        sources: Optional[Dict[str, bytes]],
        cache: Optional[Cache],
        changed: Dict[str, bytes],
        on_disk: bool = False,
        observer: Observer = NOTHING,
    ) -> None:
        self.observer = observer
        self.selected = selected
        self.sources = sources
        self.cache = cache
        self.changed = changed
        self.report = Report()
        self.summaries: Dict[str, FileSummary] = {}
        self.failures: List[Tuple[str, ParseFailure]] = []
        self.cell_maps: Dict[str, List[Tuple[int, int]]] = {}
        self.hashes: Dict[str, str] = {}
        self.dependencies: Dict[str, Optional[str]] = {}  # files read beyond the named ones -> content key
        self.linted: Set[str] = set()
        self.keys: Dict[str, str] = {}  # path -> its summary's cache key (``summarise``)
        self.index = ModuleIndex({})
        # Standard input read as a named file (``--stdin-filename``, an editor's buffer)
        # stands in for that file: its imports lead to the project on disk around it.
        self.reads_disk = sources is None or on_disk and "-" not in sources
        self.importers: Set[str] = set()  # files not named that import a named one (``scan``)
        self.scanned: Dict[str, bytes] = {}  # the project's other files, read by ``scan``
        self.carriers: Set[str] = set()  # importers of named files that run as entry points (``find_importers``)

    def read_path(self, path: str) -> Tuple[bytes, str]:
        """A file's bytes, or "" and the LL000 message saying why it was not read."""
        return (self.changed[path], "") if path in self.changed else read_file(path)

    def discover(self, paths: Sequence[str], excluder: Excluder, force_exclude: bool) -> List[str]:
        unlisted: List[Tuple[str, str]] = []  # folders that could not be listed
        python_files, notebooks = discover(paths, excluder, force_exclude, unlisted)
        self.failures.extend((folder, ParseFailure(reason)) for folder, reason in unlisted)
        return sorted(python_files + notebooks)

    def read(self, files: List[str]) -> List[Tuple[str, bytes]]:
        """The bytes of each file that could be read; the others are failures (LL000)."""
        self.report.files = len(files)
        self.linted = set(files)
        contents: List[Tuple[str, bytes]] = []
        for path in files:
            self.observer.advance()
            data, error = (self.sources[path], "") if self.sources is not None else self.read_path(path)
            if error:  # not a regular file, unreadable, too large: said, never skipped silently
                self.failures.append((path, ParseFailure(error)))
            else:
                contents.append((path, data))
        if self.cache is not None:
            self.hashes = {path: Cache.key(data) for path, data in contents}
        return contents

    def summarise(self, contents: List[Tuple[str, bytes]], jobs: int) -> Tuple[List[str], List[str]]:
        """Every readable file's summary (notebooks as their joined code), from the cache
        or parsed by ``jobs`` processes; returns the files that name a loss and those an
        opt-in rule's prefilter matches."""
        cache = self.cache
        prefilters = [rule.prefilter for rule in RULES if rule.code in self.selected and rule.prefilter]
        opted = re.compile("|".join(prefilters).encode()) if prefilters else None  # what opt-in rules look for
        keys = self.keys
        pending: List[Tuple[str, bytes]] = []
        eager: Set[str] = set()  # lowered now: the files likely read (the others when read)
        named_losses: List[str] = []
        opted_in: List[str] = []
        for path, data in contents:
            if path.endswith(NOTEBOOK_SUFFIX):
                notebook, problem = read_notebook(data)
                if notebook is None:
                    self.failures.append((path, ParseFailure(problem or "invalid notebook")))
                    continue
                try:
                    data = notebook.source.encode()
                except UnicodeEncodeError:  # read_notebook refuses these; never a traceback
                    self.failures.append((path, ParseFailure("invalid notebook: its code cannot be encoded as UTF-8")))
                    continue
                self.cell_maps[path] = notebook.cells
            if names_a_loss(data):
                named_losses.append(path)
                eager.add(path)
            elif opted is not None and opted.search(data):
                opted_in.append(path)
                eager.add(path)
            entry = None
            if cache is not None:  # a notebook's summary is keyed by its code, not its JSON
                keys[path] = Cache.key(data) if path in self.cell_maps else self.hashes[path]
                entry = cache.get(keys[path])
            if entry is None:
                pending.append((path, data))
                continue
            self.observer.advance()
            self.observer.note("from the cache")
            if entry.failure is not None:
                self.failures.append((path, entry.failure))
            else:
                self.summaries[path] = FileSummary(path, decode(data), blob=entry.blob, outline=entry.outline, lazy=entry.lazy)
        if pending:
            self.observer.note("parsed", len(pending))
        lowering = [path in eager for path, _ in pending]
        for path, (summary, failure) in zip([p for p, _ in pending], _summarize_all(pending, jobs, self.observer.advance, lowering)):
            if failure is not None:
                self.failures.append((path, failure))
            elif summary is not None:
                self.summaries[path] = summary
            if cache is not None and path in keys and not (failure is not None and failure.internal):
                cache.put(keys[path], _entry(summary, failure))
                if summary is not None:
                    summary.release_blob()
        return named_losses, opted_in

    def store_lowered(self) -> None:
        """The cache entries of the files lowered only when the analysis read them, now
        with their IR: the next run that reads them finds it."""
        if self.cache is None:
            return
        for path, summary in self.summaries.items():
            if summary.lowered_late and path in self.keys:
                self.cache.put(self.keys[path], _entry(summary, None))

    def load(self, path: str) -> Optional[ir.Module]:
        """A module an import leads to: a linted file, or a file of the project that was
        not named (read now; its findings are not reported, its models are followed)."""
        summary = self.summaries.get(path)
        if summary is None and self.reads_disk:
            data, error = self.read_path(path)
            key = self.dependencies[path] = None if error else Cache.key(data)
            if key is None:
                return None
            entry = self.cache.get(key) if self.cache is not None else None
            if entry is not None and entry.blob is not None:
                found: Optional[FileSummary] = FileSummary(path, decode(data), blob=entry.blob, outline=entry.outline)
            else:
                found, failure = summarize(path, data)
                if self.cache is not None:
                    self.cache.put(key, _entry(found, failure))
            if found is None:
                return None
            summary = self.summaries[path] = found
        return summary.module if summary is not None else None

    def scan(self, excluder: Excluder) -> None:
        """Files were named (pre-commit passes the changed ones, an editor its buffer):
        read the other Python files of their projects (not excluded, as a folder walk
        finds them), where a loss call may consume what a named model returns."""
        named = {os.path.abspath(path) for path in self.linted}
        probe_index = ModuleIndex(())
        here = os.path.abspath(".")

        def root_of(path: str) -> str:
            """The project root; without a project marker above the file, the current
            folder if the file is in it (else the file's folder)."""
            root = probe_index.project_root(os.path.dirname(path))
            if not any(os.path.exists(os.path.join(root, marker)) for marker in PROJECT_MARKERS):
                return here if path.startswith(here + os.sep) else root
            return root

        roots = sorted({_shown(root_of(path)) for path in named})
        python_files, _ = discover(roots, excluder)
        for path in python_files:
            if os.path.abspath(path) in named or not path.endswith(".py"):
                continue
            data, error = self.read_path(path)
            if not error:
                self.scanned[path] = data

    def load_all(self, paths: List[str], jobs: int) -> None:
        """``load`` for scanned files at once: those the cache does not have are parsed by
        ``jobs`` processes."""
        cache = self.cache
        missing: List[Tuple[str, bytes]] = []
        for path in paths:
            if path in self.summaries:
                continue
            data = self.scanned[path]
            key = self.dependencies[path] = Cache.key(data)
            entry = cache.get(key) if cache is not None else None
            if entry is None:
                missing.append((path, data))
            else:
                self.observer.note("importers from the cache")
                if entry.blob is not None or entry.lazy:
                    self.summaries[path] = FileSummary(path, decode(data), blob=entry.blob, outline=entry.outline, lazy=entry.lazy)
        if missing:
            self.observer.note("importers parsed", len(missing))
        for (path, data), (summary, failure) in zip(missing, _summarize_all(missing, jobs)):
            if cache is not None and not (failure is not None and failure.internal):
                cache.put(Cache.key(data), _entry(summary, failure))
            if summary is not None:
                self.summaries[path] = summary

    def find_importers(self, jobs: int = 1) -> List[str]:
        """The scanned files that import a named file, transitively (``importers``): found
        from their import statements alone (the text ``IMPORT_STATEMENT`` finds, parsed
        on its own), without parsing the files. Returns the importers that name a loss or
        import a file that does (``main.py`` passing the model to ``train()``): the entry
        points that can carry a named file's value to a loss, summarised now (with
        ``jobs`` processes, or from the cache); the interpreter loads any other file it
        reaches, as for any import. Findings in these files are reported only through a
        site in a named file."""
        if not self.scanned:
            return []
        index = ModuleIndex(self.summaries)
        known = set(self.summaries) & self.linted
        statements = {path: IMPORT_STATEMENT.findall(data) for path, data in self.scanned.items()}
        pending = {path: b"\n".join(found) for path, found in statements.items() if found}
        outlines: Dict[str, FileSummary] = {}
        while pending:
            names = sorted(_module_names(sorted(known)))
            if not names:
                break
            mention = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
            for path in [p for p, text in pending.items() if mention.search(text)]:
                del pending[path]
                outlines[path] = FileSummary(path, "", outline=ir.Outline(imports=imports_in([s.decode("utf-8", "replace") for s in statements[path]])))
            added = _importers(known, outlines, index) - known
            if not added:
                break
            known |= added
            self.importers |= added

        def holds_a_loss(path: Optional[str]) -> bool:
            return path is not None and path in self.scanned and names_a_loss(self.scanned[path])

        entries = []
        for path in sorted(self.importers):
            if holds_a_loss(path):
                entries.append(path)
                continue
            for module, level, imported in outlines[path].outline.imports:
                target = index.resolve(path, module, level)
                if target is not None and any(holds_a_loss(t) for t in [target] + [index.submodule(target, n) for n in imported]):
                    entries.append(path)
                    break
        self.load_all(entries, jobs)
        self.carriers = {path for path in entries if path in self.summaries}
        return sorted(self.carriers)

    def analyse(self, files: List[str], named_losses: List[str], opted_in: List[str], jobs: int = 1) -> Facts:
        """Run the entry points (then the linted files an activation's output may reach)
        and count the loss calls of the linted files, resolved or not. The entry points
        left to lower when read are lowered first, by ``jobs`` processes when it pays."""
        report, summaries, linted = self.report, self.summaries, self.linted
        self.index = index = ModuleIndex(summaries)
        entries = _entry_points(named_losses, opted_in, summaries, index)
        # Of the files that name a loss or import one, those whose code names its way to a
        # loss run (``analysis/reach.py``); the others' entry points could not reach one.
        # Reach reads each file's IR once and lets it go: only the files that run (and
        # those they import) are held. It reads the files in order while the processes
        # lower the ones left lazy, in the same order: it waits only for the file it reads.
        # The processes also split each file they lower into reach's units, with the same
        # import resolution: this process only propagates.
        paths = [path for path in entries if path in summaries]
        lazy = [summaries[p] for p in paths if summaries[p].lazy]
        arriving = _lowered_meanwhile(lazy, jobs, list(summaries))
        lowered: Set[str] = set()
        waiting: Set[str] = set()  # lazy files the processes have yet to hand back
        units: Dict[str, FileUnits] = {}  # what they collected, until reach takes it

        def arrived(done: Lowered) -> None:
            summary = done.summary
            waiting.discard(summary.path)
            index.probes.update(done.probes)
            if done.units is not None:
                units[summary.path] = done.units
            if self.cache is not None and summary.path in self.keys and not summary.lazy:  # stored now, while pickled
                self.cache.put(self.keys[summary.path], _entry(summary, None))
                summary.lowered_late = False

        # the processes start here, in this thread: forking from the analysis thread below
        # would fork a process with two threads (Python 3.12 warns: it may deadlock)
        first = next(arriving, None)
        if first is not None:
            waiting.update(s.path for s in lazy)
            arrived(first)

        def wait_for(path: str) -> None:
            if path in waiting:
                for done in arriving:
                    arrived(done)
                    if done.summary.path == path:
                        break

        def collected(path: str) -> Optional[FileUnits]:
            wait_for(path)
            found = units.pop(path, None)
            if found is not None:
                lowered.add(path)
            return found

        def peek(path: str) -> Optional[ir.Module]:
            wait_for(path)
            module = summaries[path].peek()
            if module is not None:
                lowered.add(path)
            return module

        try:
            reaching = deep(reaching_files, paths, peek, T.LOSS_MENTIONS.named_by, index.resolve, collected)
            for done in arriving:
                arrived(done)
        finally:
            arriving.close()
        self.observer.note("files naming or importing a loss", len(lowered))
        kept = set(opted_in) | self.carriers | {p for p in lowered if summaries[p].outline.standalone}
        modules = {path: summaries[path].module for path in sorted(lowered) if path in kept or path in reaching.files}
        modules = {path: module for path, module in modules.items() if module is not None}
        # and in a file that only imports one (no code of its own names a loss), only the
        # functions and classes that reach it run as entry points
        only = {path: reaching.definitions[path] for path in modules if path not in kept and path not in reaching.seeded}
        self.observer.note("entry points", len(modules))
        reads = frozenset(fact for rule in RULES if rule.code in self.selected for fact in rule.reads)
        interpreter = Interpreter(
            modules, local_names=_module_names(files + sorted(self.importers)), index=index, loader=self.load, only=only, optional_facts=reads
        )
        facts = _interpret(interpreter, None, report)
        while True:
            # A file whose activation reaches a loss runs whole, and so does every linted file
            # importing it (a predict.py thresholding the model's output): a fix that removes
            # the activation must see every use of its output.
            reached = {t.origin.path for call in facts.loss_calls for t in tensors(call.input) or () if t.origin is not None}
            followed = linted | self.importers
            users = _importers(reached & set(summaries), {p: summaries[p] for p in followed if p in summaries}, index)
            added = sorted(users & followed - set(interpreter.modules))
            added += interpreter.widen(users)  # every function of these files: what they do with the activation
            if not added:
                break
            facts = _interpret(interpreter, added, report, facts)
        for path, error in interpreter.internal_errors:
            report.internal_error(path, error, "its loss calls count as unresolved")
        for path in sorted(interpreter.exhausted - {p for p, _ in interpreter.internal_errors}):
            report.notes.append(f"analysis of {path} stopped at its step budget; its loss calls count as unresolved")
        for path, function in sorted(set(interpreter.budget_notes)):
            report.notes.append(
                f"analysis of {function}() in {path} stopped at its step budget; the loss calls it reached count as unresolved"
            )
        # every loss call stays for the rules (one in a file not named reports through a named
        # site: the activation that caused it); only the named files' calls are counted
        counted = [call for call in facts.loss_calls if call.site.path in linted]
        report.loss_calls = len(counted)
        self.observer.note("loss calls", len(counted))
        for call in counted:
            category = call.unresolved_category
            if category is not None:
                report.unresolved += 1
                report.unresolved_by_reason[category] = report.unresolved_by_reason.get(category, 0) + 1
        return facts

    def check(self, facts: Facts) -> None:
        """The selected rules' findings in linted files, with their fixes checked against
        the code, unless ``# noqa`` suppresses them; LL000 for each file not analysed."""
        report, cell_maps = self.report, self.cell_maps
        locator = _Locator(self.summaries, cell_maps, facts.argument_sites)
        findings: List[Finding] = []
        for rule in RULES:
            if rule.code in self.selected and rule.check is not None:
                try:
                    findings.extend(rule.check(facts, locator.describe))
                except Exception as error:  # noqa: BLE001 - a bug in one rule must not end the run
                    report.internal_error(f"rule {rule.code}", _describe(error), "its findings are missing")
        fixes = _FixChecker(self.summaries, self.linted, cell_maps, self.cache)
        for finding in findings:
            diagnostic = fixes.checked(finding, _diagnostic(finding, locator))
            if finding.site.path not in self.linted:
                # reported when the activation or layer that caused it is in a named file
                named = [r for r in diagnostic.related if r.location.path in self.linted]
                if not named:
                    continue  # no site in a named file: that file's own run reports it
                diagnostic = _at_named_site(diagnostic, named[0], locator.span(finding.site).snippet)
            # a line's noqa works on either site; a file's only in the file the finding is reported in
            sites = [diagnostic.location] + [r.location for r in diagnostic.related]
            hits = [locator.suppressed(finding.code, where, file_level=where is sites[0]) for where in sites]
            if not any(hits):
                report.diagnostics.append(_in_cells(diagnostic, cell_maps))
        if UNUSED_NOQA in self.selected:
            self._unused_suppressions(locator)
        for path, error in sorted(fixes.errors):
            report.internal_error(path, error, "a fix is not offered")
        if "LL000" in self.selected:
            syntax = BY_CODE["LL000"]
            for path, failure in self.failures:
                if failure.internal:
                    continue  # a bug in losslint: an internal error, below
                location = Location(path, failure.row, failure.column, failure.row, failure.column)
                diagnostic = Diagnostic(syntax.code, syntax.name, syntax.severity, failure.message, location)
                report.diagnostics.append(_in_cells(diagnostic, cell_maps))
        for path, failure in self.failures:
            if failure.internal:
                report.internal_error(path, failure.message, "the file was not analysed")

    def _unused_suppressions(self, locator: _Locator) -> None:
        """LL901 (opt-in): a ``# noqa: LLxxx`` or ``# losslint: noqa`` in a linted file that
        suppressed no finding of this run."""
        rule = BY_CODE[UNUSED_NOQA]
        known = frozenset(BY_CODE)
        for path in sorted(self.linted):
            summary = self.summaries.get(path)
            if summary is None or "noqa" not in summary.text.lower():
                continue
            lines = summary.lines()
            # only a comment naming LL901 silences it: a bare noqa is what it reports on
            found = noqa.tables(lines)
            silenced = {row for row, codes in found[0].items() if codes and UNUSED_NOQA in codes}
            whole = any(codes and UNUSED_NOQA in codes for codes in found[1].values())
            for row, message in noqa.unused(path, found, locator.used, self.selected, known):
                if whole or row in silenced:
                    continue
                location = Location(path, row, 1, row, 1)
                diagnostic = Diagnostic(rule.code, rule.name, rule.severity, message, location)
                self.report.diagnostics.append(_in_cells(diagnostic, self.cell_maps))

    def _in_notebook_files(self, diagnostics: List[Diagnostic]) -> List[Diagnostic]:
        """Notebook locations also as positions in the ``.ipynb`` file, for the formats
        that annotate the file itself (SARIF, GitHub)."""
        notebooks = sorted({w.path for d in diagnostics for w in [d.location] + [r.location for r in d.related] if w.cell is not None})
        if not notebooks:
            return diagnostics
        positions = {}
        for path in notebooks:
            data, error = (self.sources[path], "") if self.sources is not None and path in self.sources else self.read_path(path)
            positions[path] = {} if error else source_positions(data)
        indents = {path: read_notebook_indents(self, path) for path in notebooks}

        def placed(where: Location) -> Location:
            rows = positions.get(where.path, {}).get(where.cell or 0, [])
            if where.cell is None or not 1 <= where.row <= len(rows):
                return where
            line, column = rows[where.row - 1]
            one_string = len({row for row, _ in rows}) == 1 and len(rows) > 1
            indent = indents.get(where.path, {}).get(where.cell, 0)
            start = column if one_string else column + indent + where.column - 1
            end = start + max(where.end_column - where.column, 0) if where.end_row == where.row and not one_string else start
            return replace(where, file_row=line, file_column=start, file_end_column=end)

        return [
            replace(d, location=placed(d.location), related=tuple(replace(r, location=placed(r.location)) for r in d.related))
            for d in diagnostics
        ]

    def filter(self, per_file_ignores: PerFileIgnores, root: str) -> None:
        """Drop what per-file-ignores says, sort, and keep the lines and texts the
        reporters and the fixer need."""
        report = self.report
        if per_file_ignores:
            report.diagnostics = [d for d in report.diagnostics if not _ignored_for_file(d, per_file_ignores, root)]
        report.diagnostics.sort(key=lambda d: d.sort_key)
        report.diagnostics = self._in_notebook_files(report.diagnostics)
        for d in report.diagnostics:
            for path in [d.location.path] + [r.location.path for r in d.related]:
                if path in self.summaries and path not in report.sources:
                    report.sources[path] = self.summaries[path].lines()
            for edit in d.fix.edits if d.fix is not None else ():
                report.texts.setdefault(edit.site.path, self.summaries[edit.site.path].text)


@dataclass
class RunRecord:
    """A whole run's report, kept with what the run read beyond the named files: it
    stands while those files read the same and the disk answers import resolution the
    same (a second run over an unchanged tree then analyses nothing)."""

    dependencies: Dict[str, Optional[str]]  # path -> content key (None: could not be read)
    probes: Dict[str, bool]  # path -> whether it existed
    report: Report

    def valid(self) -> bool:
        for path, key in self.dependencies.items():
            data, error = read_file(path)
            if (None if error else Cache.key(data)) != key:
                return False
        return all(probe(path) == exists for path, exists in self.probes.items())


def _run_key(
    selected: FrozenSet[str],
    per_file_ignores: PerFileIgnores,
    root: str,
    hashes: Dict[str, str],
    failures: Sequence[Tuple[str, ParseFailure]],
    scanned: Optional[Dict[str, bytes]] = None,
) -> str:
    """What a run's report depends on, besides the files it reads through imports:
    the settings, each named file's content key (``hashes``) and, when files were
    named, the project's other files (one may start or stop importing a named file)."""
    files = sorted(hashes.items())
    if scanned:
        files.append(("scanned", Cache.key(repr(sorted((p, Cache.key(d)) for p, d in scanned.items())).encode())))
    unreadable = [(path, failure.message) for path, failure in failures]
    settings = (
        sorted(selected),
        [(glob, sorted(codes)) for glob, codes in per_file_ignores],
        os.path.abspath(root),
        T.KNOWLEDGE_FINGERPRINT,  # the user's knowledge files: edit one and the run recomputes
        os.getcwd(),  # messages show the related sites relative to it
    )
    return Cache.key(repr(("run", settings, files, unreadable)).encode())


@dataclass(frozen=True)
class FixCheck:
    """Whether a fix applies to the code as it is: its changes, or why not."""

    changes: Tuple[Change, ...]
    reason: str = ""
    internal: bool = False  # a bug met checking it: never cached


class _FixChecker:
    """Keeps a finding's fix only if it applies to the code and the result parses, and
    only if it changes linted files alone (``--fix`` never writes a file it was not
    given); otherwise says why not."""

    def __init__(
        self,
        summaries: Dict[str, FileSummary],
        linted: set,
        cell_maps: Dict[str, List[Tuple[int, int]]],
        cache: Optional[Cache],
    ) -> None:
        self.summaries = summaries
        self.linted = linted
        self.cell_maps = cell_maps
        self.cache = cache
        self._files: Optional[object] = None
        self.errors: Set[Tuple[str, str]] = set()  # (path, error): bugs met checking fixes

    def checked(self, finding: Finding, diagnostic: Diagnostic) -> Diagnostic:
        fix = finding.fix
        if fix is None:
            return replace(diagnostic, no_fix=finding.no_fix)
        paths = sorted({e.site.path for e in fix.edits})
        outside = [path for path in paths if path not in self.linted]
        if outside:
            return replace(diagnostic, no_fix=f"the fix also changes {', '.join(outside)}: lint it too to fix")
        key = Cache.key(repr(fix).encode() + b"".join(self.summaries[p].text.encode() for p in paths))
        check = self.cache.get(key, FixCheck) if self.cache is not None else None
        if check is None:
            check = self._check(fix)
            if self.cache is not None and not check.internal:
                self.cache.put(key, check)
        if check.reason:
            return replace(diagnostic, no_fix=check.reason)
        return replace(diagnostic, fix=fix, changes=check.changes)

    def _positions(self, path: str) -> Sequence[Tuple[int, int, int, int]]:
        module = self.summaries[path].module
        return module.positions if module is not None else ()

    def _check(self, fix: Fix) -> "FixCheck":
        """Apply the fix alone to the code as it is (a warm run finds this in the cache)."""
        from losslint.fixer.engine import Files, preview
        from losslint.fixer.transforms import NotApplicable

        if self._files is None:
            self._files = Files(lambda path: self.summaries[path].text, self._positions)
        try:
            texts = preview(fix, self._files)  # type: ignore[arg-type]
        except NotApplicable as reason:
            return FixCheck((), f"no fix offered: {reason}")
        except Exception as error:  # noqa: BLE001 - a bug in the fixer: said, and the run goes on
            self.errors.update((path, _describe(error)) for path in sorted({e.site.path for e in fix.edits}))
            return FixCheck((), "no fix offered: internal error (please report)", internal=True)
        return FixCheck(
            tuple(_change(path, self.summaries[path].text, text, self.cell_maps) for path, text in sorted(texts.items()))
        )


def _change(path: str, before: str, after: str, cell_maps: Dict[str, List[Tuple[int, int]]]) -> Change:
    """The smallest single replacement turning ``before`` into ``after``."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[len(before) - 1 - end] == after[len(after) - 1 - end]:
        end += 1

    def location(offset: int) -> Location:
        row = before.count("\n", 0, offset) + 1
        column = offset - (before.rfind("\n", 0, offset) + 1) + 1
        return _cell_location(Location(path, row, column, row, column), cell_maps.get(path, []))

    return Change(location(start), location(len(before) - end), after[start : len(after) - end])


def _entry_points(
    named_losses: Sequence[str], opted_in: Sequence[str], summaries: Dict[str, FileSummary], index: ModuleIndex
) -> List[str]:
    """The files whose functions run as entry points: those naming a loss and the files
    importing them, transitively (a driver such as ``main.py`` that builds the model
    and calls ``train()`` from ``train.py`` gives that loss its input); those with a
    softmax that needs no loss to be wrong (``ir.Outline.standalone``); and those an
    opt-in rule's prefilter matches."""
    entries = _importers(set(named_losses), summaries, index, by_name=True)
    standalone = {path for path, summary in summaries.items() if summary.outline.standalone}
    return sorted(entries | standalone | set(opted_in))


def _importers(
    paths: Set[str], summaries: Dict[str, FileSummary], index: ModuleIndex, by_name: bool = False
) -> Set[str]:
    """``paths`` and the files of ``summaries`` that import one of them, transitively.
    ``by_name``: a file that imports names from one of them counts only if one of those
    names may lead there: ``from detectron2.layers import ShapeSpec``, where the package
    ``__init__`` imports a file naming a loss but ``ShapeSpec`` is re-exported from one
    that does not, imports nothing that can reach a loss (see ``_name_leads_into``)."""
    found = set(paths)
    while True:
        names = _module_names(list(found))
        added = set()
        for path, summary in summaries.items():
            if path in found:
                continue
            for module, level, imported in summary.outline.imports:
                if not ({module.rsplit(".", 1)[-1], *imported} & names):
                    continue  # cannot lead there: not worth resolving
                target = index.resolve(path, module, level)
                if target is None:
                    continue
                if any(index.submodule(target, name) in found for name in imported):
                    added.add(path)
                    break
                if target in found and (
                    not by_name
                    or not imported
                    or any(_name_leads_into(target, name, summaries, index, found, set()) for name in imported)
                ):
                    added.add(path)
                    break
        if not added:
            return found
        found |= added


def _name_leads_into(
    path: str, name: str, summaries: Dict[str, FileSummary], index: ModuleIndex, found: Set[str], seen: Set[str]
) -> bool:
    """Whether ``name`` imported from the module ``path`` may be (or lead to) something
    of the modules ``found``: unless ``path`` binds it only by importing it from
    modules outside ``found`` (a package ``__init__`` re-exporting), yes. A star import
    or anything not followed says yes."""
    if path not in found:
        return False
    summary = summaries.get(path)
    if name == "*" or summary is None or path in seen:
        return True
    seen.add(path)
    sources = []
    for module, level, imported in summary.outline.imports:
        if "*" in imported:
            return True  # the name may come from anywhere the star reaches
        if name in imported:
            target = index.resolve(path, module, level)
            if target is None:
                return True  # a library's object (``from torch.nn import CrossEntropyLoss``)
            sources.append(target)
    if not sources or _binds_at_top_level(summary.text, name):
        return True  # defined here (or bound again after its import): this module leads there
    for target in sources:
        if index.submodule(target, name) in found or _name_leads_into(target, name, summaries, index, found, seen):
            return True
    return False


def _binds_at_top_level(text: str, name: str) -> bool:
    """Whether a line of ``text`` starts by defining or assigning ``name`` (``def N``,
    ``class N``, ``N = ...``, ``N: T = ...``): a name a module imports and then binds
    again is its own."""
    pattern = rf"^(?:(?:async\s+)?def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*(?::[^=\n]*)?=(?!=)"
    return re.search(pattern, text, re.MULTILINE) is not None


def _entry(summary: Optional[FileSummary], failure: Optional[ParseFailure]) -> Entry:
    if summary is None:
        return Entry(None, failure)
    # an IR too deep to pickle is lowered again from the text when a run reads it
    return Entry(summary.blob, failure, summary.outline, summary.lazy or summary.unpicklable)


def collect_garbage_less_often() -> None:
    """A run allocates millions of small objects that live until it ends (syntax trees,
    IR, abstract values); CPython's default thresholds spend 15-20% of the run scanning
    them over and over (measured on timm). mypy raises them the same way."""
    gc.set_threshold(200_000, 30, 30)


PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 256 * 1024
"""Below this many files, or this much code (about 0.2 s of parsing and lowering on a
slow machine), starting worker processes costs more than it saves."""


def _summarize_all(
    pending: List[Tuple[str, bytes]],
    jobs: int,
    tick: Callable[[], None] = lambda: None,
    eager: Optional[List[bool]] = None,
) -> List[Tuple[Optional[FileSummary], Optional[ParseFailure]]]:
    """Summaries in the order given, from ``jobs`` processes when it is worth it: the
    result is the same either way. ``eager``: per file, whether it is lowered now (by
    default all are; ``summarize``). A file whose summary fails on a bug in losslint
    gets an internal failure (``ParseFailure.internal``); the others go on."""
    lowering = eager if eager is not None else [True] * len(pending)
    if jobs <= 1 or len(pending) < PARALLEL_MIN_FILES or sum(len(data) for _, data in pending) < PARALLEL_MIN_BYTES:
        done = []
        for (path, data), now in zip(pending, lowering):
            done.append(_summarize_safely(path, data, now))
            tick()
        return done
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    jobs_given = [(path, data, now) for (path, data), now in zip(pending, lowering)]
    results: List[Tuple[bool, Optional[bytes], Optional[ir.Outline], Optional[ParseFailure]]] = []
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(T.USER_FILES,)) as pool:
            chunk = max(1, len(pending) // (jobs * 4))
            for result in pool.map(_summarize_job, jobs_given, chunksize=chunk):
                results.append(result)
                tick()
    except BrokenProcessPool:  # a worker died (killed, out of memory): the rest here
        results.extend(_summarize_job(job) for job in jobs_given[len(results) :])
    return [
        (FileSummary(path, decode(data), blob=blob or None, outline=outline, lazy=blob == NOT_LOWERED) if ok else None, failure)
        for (path, data), (ok, blob, outline, failure) in zip(pending, results)
    ]


class Lowered(NamedTuple):
    """A lazy summary as the processes hand it back: lowered (or, when they failed, still
    lazy), its reach units, and the probes of the disk its imports' resolution made."""

    summary: FileSummary
    units: Optional[FileUnits] = None
    probes: Dict[str, bool] = {}


def _lowered_meanwhile(lazy: List[FileSummary], jobs: int, linted: List[str]) -> Generator[Lowered, None, None]:
    """Lower the summaries left lazy, by ``jobs`` processes when it pays (the same IR
    either way: ``FileSummary.lowered``), and yield each in the order given as its
    processes are done with it: the caller works on the first ones while the processes
    lower the rest. The processes resolve imports among the ``linted`` files (all the
    summaries: this process's ``ModuleIndex``). Nothing is yielded when it does not pay."""
    if jobs <= 1 or len(lazy) < PARALLEL_MIN_FILES or sum(s.size for s in lazy) < PARALLEL_MIN_BYTES:
        return  # lowered here, when the analysis reads them
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    given = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_lowering, initargs=(T.USER_FILES, linted)) as pool:
            chunk = max(1, len(lazy) // (jobs * 8))
            for summary, (blob, units, probes) in zip(lazy, pool.map(_lower_job, [(s.path, s.text) for s in lazy], chunksize=chunk)):
                if blob is not None:
                    summary.lowered(blob)
                given += 1
                yield Lowered(summary, units if blob is not None else None, probes)
    except BrokenProcessPool:
        yield from (Lowered(summary) for summary in lazy[given:])


_worker_index: Optional[ModuleIndex] = None
"""A lowering process's import resolution, over the same files as the main process's."""


def _start_worker(user_files: Tuple[str, ...]) -> None:
    """A worker process reads the same knowledge as this one: a process started by fork
    inherits it, one started by spawn or forkserver (macOS, Python 3.14 on Linux)
    loads it again."""
    collect_garbage_less_often()
    if T.USER_FILES != user_files:
        T.configure(user_files)


def _start_lowering(user_files: Tuple[str, ...], linted: List[str]) -> None:
    global _worker_index
    _start_worker(user_files)
    _worker_index = ModuleIndex(linted, hands_back_probes=True)


def _lower_job(job: Tuple[str, str]) -> Tuple[Optional[bytes], Optional[FileUnits], Dict[str, bool]]:
    """A worker's lowering of a lazy summary's text: the pickled IR, or None (then the
    main process lowers it when read, and says what goes wrong); the file's reach units
    (None: the main process collects them); the probes their resolution made."""
    path, text = job
    try:
        module = lower_text(text, path)
        if module is None:
            return None, None, {}
        blob = pickled(module)
    except Exception:  # noqa: BLE001 - the main process meets it again
        return None, None, {}
    if _worker_index is None or blob is None:  # too deep to pickle: the main process lowers it
        return blob, None, {}
    try:  # it walks the IR as deep as the code nests
        units: Optional[FileUnits] = deep_if_needed(file_units, path, module, T.LOSS_MENTIONS.named_by, _worker_index.resolve)
    except Exception:  # noqa: BLE001 - the main process collects them itself, and meets it again
        units = None
    return blob, units, _worker_index.hand_back_probes()


NOT_LOWERED = b""
"""What a worker returns as the IR of a file left to lower when the analysis reads it."""


def _summarize_job(job: Tuple[Any, ...]) -> Tuple[bool, Optional[bytes], Optional[ir.Outline], Optional[ParseFailure]]:
    """A worker's summary of (path, data[, eager]): the pickled IR only (the text is
    decoded where it is used), or ``NOT_LOWERED`` and the outline."""
    path, data, *eager = job
    summary, failure = _summarize_safely(path, data, eager[0] if eager else True)
    if summary is None:
        return False, None, None, failure
    try:
        return True, NOT_LOWERED if summary.lazy or summary.unpicklable else summary.blob, summary.outline, None  # too deep to pickle: lowered when read
    except Exception as error:  # noqa: BLE001 - pickling the IR: a bug in losslint
        return False, None, None, _internal_failure(error)


def _summarize_safely(path: str, data: bytes, eager: bool = True) -> Tuple[Optional[FileSummary], Optional[ParseFailure]]:
    """``summarize``, where an exception is a bug in losslint: an internal failure."""
    try:
        return summarize(path, data, eager)
    except Exception as error:  # noqa: BLE001 - one file's bug must not end the run
        return None, _internal_failure(error)


def _internal_failure(error: BaseException) -> ParseFailure:
    return ParseFailure(_describe(error), internal=True)


def _describe(error: BaseException) -> str:
    """``ValueError: message``, shortened to one line."""
    text = " ".join(str(error).split())
    text = text if len(text) <= 200 else text[:199] + "…"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _interpret(interpreter: Interpreter, names: Optional[List[str]], report: Report, before: Optional[Facts] = None) -> Facts:
    """Run the interpreter over ``names`` (None: its modules) with room to recurse: it
    walks the IR recursively, as deep as valid code nests (``summary.deep``). The
    interpreter reports a failure in one module itself (``internal_errors``); one
    outside any module's analysis is an internal error of the modules run, which then
    add no facts to those found ``before``."""
    try:
        return deep(interpreter.run, names)
    except Exception as error:  # noqa: BLE001 - a bug in losslint must not end the run
        for path in sorted(names if names is not None else interpreter.modules):
            report.internal_error(path, _describe(error), "its loss calls were not analysed")
        return before if before is not None else Facts([], [], [], [], [], [])


def read_notebook_indents(run: "Run", path: str) -> Dict[int, int]:
    """The width of the indentation IPython strips from each cell of a notebook."""
    data, error = (run.sources[path], "") if run.sources is not None and path in run.sources else run.read_path(path)
    notebook = read_notebook(data)[0] if not error else None
    return {cell: len(indent) for cell, indent in notebook.indents.items()} if notebook is not None else {}


def _cell_location(location: Location, cells: List[Tuple[int, int]]) -> Location:
    """A location in a notebook's joined code, as a cell and a line within that cell."""
    if not cells or not 1 <= location.row <= len(cells):
        return location
    cell, row = cells[location.row - 1]
    end_cell, end_row = cells[min(location.end_row, len(cells)) - 1]
    end_row = end_row if end_cell == cell else row
    return replace(location, row=row, end_row=end_row, cell=cell, source_row=location.row)


def _in_cells(diagnostic: Diagnostic, cell_maps: Dict[str, List[Tuple[int, int]]]) -> Diagnostic:
    if not cell_maps:
        return diagnostic
    moved = lambda where: _cell_location(where, cell_maps.get(where.path, []))  # noqa: E731
    related = tuple(replace(r, location=moved(r.location)) for r in diagnostic.related)
    return replace(diagnostic, location=moved(diagnostic.location), related=related)


def _ignored_for_file(diagnostic: Diagnostic, ignores: PerFileIgnores, root: str) -> bool:
    path = diagnostic.location.path
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    return any(
        diagnostic.code in codes and (fnmatch.fnmatch(relative, glob) or fnmatch.fnmatch(os.path.basename(path), glob))
        for glob, codes in ignores
    )


def _module_names(files: Sequence[str]) -> FrozenSet[str]:
    """Names a script in the linted tree can import its siblings by: file stems and
    package folders."""
    names = set()
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem != "__init__":
            names.add(stem)
        else:
            names.add(os.path.basename(os.path.dirname(os.path.abspath(path))))
    return frozenset(names)


def _shown(path: str) -> str:
    """An absolute path as the module index shows it: relative to the current folder
    when inside it."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path


def _at_named_site(diagnostic: Diagnostic, named: RelatedLocation, snippet: str) -> Diagnostic:
    """A finding whose loss call is in a file that was not named, moved to its site in
    a named file (the activation or layer that caused it); the message names the loss
    call, which becomes the first related location."""
    where = diagnostic.location
    elsewhere = f"{where.path}:{where.row}:{where.column}"
    message = f"{diagnostic.message} (the loss call: {elsewhere} {snippet})"
    related = (RelatedLocation(where, f"the loss call: {snippet}"),) + tuple(r for r in diagnostic.related if r is not named)
    return replace(diagnostic, message=message, location=named.location, related=related)


def _diagnostic(finding: Finding, locator: _Locator) -> Diagnostic:
    rule = BY_CODE[finding.code]
    related = tuple(RelatedLocation(locator.location(r.site), r.message) for r in finding.related)
    return Diagnostic(
        rule.code,
        rule.name,
        rule.severity,
        finding.message,
        locator.location(finding.site),
        related,
        finding.width,
        framework=finding.framework,
    )
