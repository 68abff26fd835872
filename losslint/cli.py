"""The ``losslint`` command. Exit status: 0 no findings, 1 findings, 2 usage error.

With ``--fix``, 1 means findings remain after fixing; with ``--diff``, that there is
something to fix (as ruff)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Tuple

import click

from losslint import __version__
from losslint.analysis import tables as T
from losslint.cache import CACHE_DIRECTORY, Cache
from losslint.config import ConfigError, settings
from losslint.files import Excluder
from losslint.knowledge import KnowledgeError
from losslint.report import Report
from losslint.reporters import REPORTERS, printable, reporter
from losslint.reporters.concise import position
from losslint.rules import BY_CODE, RULES
from losslint.runner import collect_garbage_less_often, lint

if TYPE_CHECKING:
    from losslint.fixer.run import Outcome

INFORMATIONAL = frozenset({"LL900"})
"""Codes that report on the run rather than on the code: they never fail it."""
PROGRESS_MIN_FILES = 200


def _fixed_output(outcome: "Outcome", diff: bool, stdin: Optional[Dict[str, bytes]], quiet: bool) -> None:
    """``--diff``: the diffs on standard output. ``--fix``: write the files (standard
    input: print the fixed code, as ruff does). Problems and counts on standard error."""
    from losslint.fixer.run import unified_diff, write

    problems = list(outcome.problems)
    if diff:
        for path, (before, after) in outcome.changes.items():
            click.echo(unified_diff(path, before, after), nl=False)
    elif stdin is not None:
        for path, source in stdin.items():
            fixed = outcome.changes.get(path, (source, source))[1]
            click.echo(fixed, nl=False)  # the bytes: what could not be decoded comes back as it was
    else:
        problems += write(outcome.changes)
    for problem in problems:
        click.echo(f"losslint: {printable(problem)}", err=True)
    if not quiet and diff:
        count = outcome.report.fixed
        click.echo(f"Would fix {count} finding{'s' if count != 1 else ''} in {len(outcome.changes)} file{'s' if len(outcome.changes) != 1 else ''}.", err=True)


def _split(values: Tuple[str, ...]) -> List[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _list_rules() -> None:
    width = max(len(rule.name) for rule in RULES)
    for rule in RULES:
        default = "" if rule.default else " (opt-in)"
        fix = f" [fix: {rule.fix}]" if rule.fix else ""
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}{fix}")


def _explain(code: str, plot: Optional[str]) -> None:
    from losslint.explain import explain, save_plot

    rule = BY_CODE.get(code.strip().upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code '{code}'; see --list-rules")
    if plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise click.UsageError("--plot needs matplotlib: pip install matplotlib") from None
    explain(rule)
    if plot:
        if save_plot(rule, plot):
            click.echo(f"plot written to {plot}")
        else:
            click.echo(f"{rule.code} has no loss curve to plot", err=True)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Optional[Callable[[int, int], None]]]:
    """A progress bar on standard error, only on a terminal and for large runs."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("linting", total=None)

        def update(done: int, total: int) -> None:
            if total >= PROGRESS_MIN_FILES:
                bar.update(task, completed=done, total=total)

        yield update


class _LintCommand(click.Command):
    """``losslint [PATH ...]`` lints; ``losslint server`` and ``losslint clean`` are
    subcommands, recognised as the first argument only (lint a folder named ``server``
    as ``losslint ./server``)."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        if args and args[0] in SUBCOMMANDS:
            command = SUBCOMMANDS[args[0]]
            return command.make_context(f"{info_name or 'losslint'} {args[0]}", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        if ctx.command is not self:
            return ctx.command.invoke(ctx)
        return super().invoke(ctx)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(60)) for name, command in sorted(SUBCOMMANDS.items())])
        super().format_epilog(ctx, formatter)


@click.command(cls=_LintCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable, replacing the defaults (ALL for all).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--show-unresolved", is_flag=True, help="List the loss calls that could not be checked, with the reason (LL900)."
)
@click.option("--statistics", is_flag=True, help="Show counts per rule and the coverage of loss calls per reason.")
@click.option("--output-format", type=click.Choice(sorted(REPORTERS)), help="How findings are printed [default: concise].")
@click.option("--config", type=click.Path(exists=True, dir_okay=False), help="The pyproject.toml to read [tool.losslint] from.")
@click.option("--force-exclude", is_flag=True, help="Apply the exclude settings to paths named on the command line too.")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option("--fix", is_flag=True, help="Apply the fixes (safe ones; unsafe ones too with --unsafe-fixes) and write the files.")
@click.option(
    "--unsafe-fixes/--no-unsafe-fixes", default=None,
    help="Also offer and apply fixes that change what a model returns [default: unsafe-fixes in the configuration, else off].",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if there is any).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="the CPU count",
    help="Processes that parse files in parallel.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of per-file summaries.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives [default: .losslint_cache at the project root].")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only, without the summary line and notes.")
@click.option(
    "--stdin-filename",
    help="The file that standard input ('-') stands for: its name in reports, and where configuration, excludes and imports are found from.",
)
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option("--explain", metavar="CODE", help="Show a rule's documentation and loss-value demo, and exit.")
@click.option("--plot", metavar="FILE.png", help="With --explain: also draw the demo's loss curve (needs matplotlib).")
@click.option(
    "--explain-callee", metavar="NAME",
    help="Show what the analysis knows of a library callee (its effect, and the knowledge file it comes from), and exit.",
)
@click.version_option(__version__, prog_name="losslint")
def main(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    show_unresolved: bool,
    statistics: bool,
    output_format: Optional[str],
    config: Optional[str],
    force_exclude: bool,
    exit_zero: bool,
    fix: bool,
    unsafe_fixes: Optional[bool],
    diff: bool,
    jobs: int,
    no_cache: bool,
    cache_dir: Optional[str],
    quiet: bool,
    stdin_filename: Optional[str],
    list_rules: bool,
    explain: Optional[str],
    plot: Optional[str],
    explain_callee: Optional[str],
) -> None:
    """Find loss-function mistakes in PyTorch code without running it.

    PATHS are files or folders (default: the current folder); '-' reads standard input.
    """
    if list_rules:
        _list_rules()
        return
    if explain:
        _explain(explain, plot)
        return
    if plot:
        raise click.UsageError("--plot goes with --explain")
    targets = list(paths) or ["."]
    if "-" in targets and len(targets) > 1:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    extend = _split(extend_select) + (["LL900"] if show_unresolved else [])
    reading_stdin = targets == ["-"]
    if stdin_filename is not None and not stdin_filename.strip():
        raise click.UsageError("--stdin-filename needs a file name")
    # standard input's configuration, project and cache are those of the file it stands for
    located = [stdin_filename] if reading_stdin and stdin_filename else targets
    try:
        options = settings(located, config, _split(select) if select else None, extend, _split(ignore))
    except ConfigError as error:
        click.echo(f"losslint: error: {error}", err=True)
        sys.exit(2)
    try:
        T.configure(options.knowledge)
    except KnowledgeError as error:
        click.echo(f"losslint: error: {error}", err=True)
        sys.exit(2)
    if explain_callee:
        _explain_callee(explain_callee)
        return
    format_name = output_format or options.output_format or "concise"
    if format_name not in REPORTERS:
        click.echo(f"losslint: error: unknown output-format '{format_name}' in {options.source}", err=True)
        sys.exit(2)

    sources = None
    if reading_stdin:
        name = os.path.normpath(stdin_filename) if stdin_filename else "-"
        sources = {name: sys.stdin.buffer.read()}
        if stdin_filename and force_exclude and Excluder(options.exclude, options.root).excluded(name, is_dir=False):
            if fix:  # an editor replaces its buffer with what comes back: the buffer, unchanged
                sys.stdout.buffer.write(sources[name])
            sys.exit(0)
    unsafe = options.unsafe_fixes if unsafe_fixes is None else unsafe_fixes
    # the default cache belongs to the project linted, not to wherever losslint started;
    # standard input without a file name has no project
    cache = (
        None
        if no_cache or sources is not None and not stdin_filename
        else Cache(cache_dir or os.path.join(options.project_root, CACHE_DIRECTORY))
    )
    collect_garbage_less_often()
    with _progress(not quiet) as progress:

        def run(overrides: Dict[str, bytes]) -> Report:
            report = lint(
                targets,
                options.selected,
                {**sources, **overrides} if sources is not None else None,
                exclude=options.exclude,
                per_file_ignores=options.per_file_ignores,
                root=options.root,
                force_exclude=force_exclude,
                progress=progress,
                cache=cache if cache is not None and cache.enabled else None,
                jobs=jobs,
                overrides=overrides,
                on_disk=bool(stdin_filename),
            )
            report.unsafe_fixes = unsafe
            return report

        if fix or diff:
            from losslint.fixer import run as fixing

            outcome = fixing.fix(run, unsafe, will_write=fix and sources is None, sources=sources)
            report = outcome.report
        else:
            report = run({})
    if fix or diff:
        _fixed_output(outcome, diff, sources, quiet)
        if diff:
            _internal_errors(report, said=False)
            sys.exit(1 if outcome.changes and not exit_zero else 0)
    if not quiet:
        if cache is not None and cache.problem:
            click.echo(f"losslint: running without the cache: {printable(cache.problem)}", err=True)
        for note in report.notes:
            click.echo(f"losslint: {printable(note)}", err=True)
    out = sys.stderr if fix and sources is not None else sys.stdout  # stdout has the fixed code
    if statistics:
        from losslint.reporters.statistics import write as write_statistics

        write_statistics(report, out)
    elif quiet and format_name == "concise":
        for d in report.diagnostics:
            click.echo(f"{position(d.location)}: {d.code} {printable(d.message)}", file=out)
    else:
        reporter(format_name)(report, out)
    _internal_errors(report, said=not quiet)
    failing = any(d.code not in INFORMATIONAL for d in report.diagnostics)
    sys.exit(1 if failing and not exit_zero else 0)


def _explain_callee(name: str) -> None:
    """Which effects the knowledge gives ``name``, and from which file: the first thing to
    look at when a finding is missing."""
    canonical = T.canonical(name)
    if canonical != name:
        click.echo(f"{name} is known as {canonical}")
    found = T.KNOWLEDGE.describe(canonical)
    if not found:
        click.echo(
            f"No knowledge of {canonical}: what it returns is unknown to the analysis, and a loss call it reaches "
            "counts as unresolved. Give the qualified name (torch.nn.functional.softmax, not F.softmax); to teach "
            "losslint a callee, add it in a knowledge file (README, Knowledge)."
        )
        return
    for table, spec, source in found:
        click.echo(f"{canonical}: [{table}] {spec}  (from {source})")


def _internal_errors(report: Report, said: bool) -> None:
    """A bug in losslint met while analysing some file (the others were checked and
    reported): exit status 2, whatever ``--exit-zero`` says; on standard error even
    with ``--quiet`` (``said``: already there, with the other notes)."""
    if report.internal_errors:
        if not said:
            for message in report.internal_errors:
                click.echo(f"losslint: {printable(message)}", err=True)
        sys.exit(2)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache to remove [default: .losslint_cache at the project root].")
def clean(path: Optional[str], cache_dir: Optional[str]) -> None:
    """Remove the cache of the project PATH is in (default: the current folder)."""
    from losslint.cache import remove
    from losslint.config import project_root

    try:  # where a run puts the cache: beside the pyproject.toml that configures losslint
        root = settings([path or "."], None, None, [], []).project_root
    except ConfigError:
        root = project_root([path or "."])
    directory = cache_dir or os.path.join(root, CACHE_DIRECTORY)
    if not os.path.lexists(directory):
        click.echo(f"no cache at {printable(directory)}")
        return
    problem = remove(directory)
    if problem:
        click.echo(f"losslint: error: {printable(problem)}", err=True)
        sys.exit(2)
    click.echo(f"removed {printable(directory)}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--stdio", is_flag=True, help="Speak over standard input and output (the default, and the only transport).")
def server(stdio: bool) -> None:
    """Run the language server (LSP over standard input and output) for editors."""
    from losslint.server import serve

    serve()


SUBCOMMANDS: Dict[str, click.Command] = {"clean": clean, "server": server}
