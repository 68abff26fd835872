"""The ``losslint`` command. Exit status: 0 no findings (none at or above ``--fail-on``),
1 findings, 2 a usage, configuration or internal error, 130 interrupted (Ctrl-C).

With ``--fix``, 1 means findings remain after fixing; with ``--diff``, that there is
something to fix (as ruff)."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence, Tuple

import click

from losslint import __version__
from losslint.analysis import tables as T
from losslint.cache import CACHE_DIRECTORY, Cache
from losslint.config import ConfigError, settings
from losslint.files import Excluder
from losslint.knowledge import KnowledgeError
from losslint.report import Report
from losslint.reporters import REPORTERS, printable, reporter
from losslint.rules import BY_CODE, RULES
from losslint.runner import collect_garbage_less_often, lint

if TYPE_CHECKING:
    from losslint.fixer.run import Outcome
    from losslint.progress import Observer, Timings

VERBOSE = [False]  # -v, for the crash handler, which runs outside the command

SEVERITY_ORDER = ("info", "warning", "error")
INFORMATIONAL = frozenset({"LL900"})
"""Codes that report on the run rather than on the code: they never fail it."""


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


def _list_rules(format_name: str) -> None:
    if format_name == "json":
        import json

        rules = [
            {"code": r.code, "name": r.name, "severity": r.severity.value, "default": r.default, "fix": r.fix or None, "summary": r.summary}
            for r in RULES
        ]
        click.echo(json.dumps(rules, indent=2))
        return
    width = max(len(rule.name) for rule in RULES)
    for rule in RULES:
        default = "" if rule.default else " (opt-in)"
        fix = f" [fix: {rule.fix}]" if rule.fix else ""
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}{fix}")


ONLY_MODES = {"list_rules": "--list-rules", "explain": "--explain", "explain_callee": "--explain-callee"}
MODE_OPTIONS = {"quiet", "color", "verbose", "plot", "output_format", "config", "jobs"}
"""What a mode that lints nothing still takes (--explain-callee reads the configuration's
knowledge files; --list-rules and --statistics a text or JSON format)."""
FORMATS_OF = {"--list-rules": ("concise", "json"), "--statistics": ("concise", "json")}


def _refuse_ignored_options(
    list_rules: bool, explain: Optional[str], explain_callee: Optional[str], statistics: bool,
    output_format: Optional[str], add_noqa: bool, fix: bool, diff: bool, paths: Tuple[str, ...], stdin_filename: Optional[str],
) -> None:
    """Every option is used or refused: one that would be silently ignored is a usage
    error (exit 2) saying why."""
    ctx = click.get_current_context()
    given = [
        p for p in ctx.command.params
        if p.name and ctx.get_parameter_source(p.name) in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    ]
    modes = [flag for name, flag in ONLY_MODES.items() if ctx.params.get(name)]
    if len(modes) > 1:
        raise click.UsageError(f"{modes[0]} and {modes[1]} cannot be combined")
    if modes:
        mode = modes[0]
        if paths and mode != "--explain-callee":  # its path finds the configuration's knowledge files
            raise click.UsageError(f"{mode} lints nothing: it takes no paths (got {printable(paths[0])})")
        for param in given:
            if param.name in ONLY_MODES or param.name == "paths":
                continue
            if param.name in MODE_OPTIONS and (param.name != "plot" or mode == "--explain"):
                if param.name == "output_format" and output_format not in FORMATS_OF.get(mode, ()):
                    shown = ", ".join(FORMATS_OF.get(mode, ())) or "none"
                    raise click.UsageError(f"{mode} does not take --output-format {output_format} (formats: {shown})")
                continue
            flag = max(param.opts, key=len)
            raise click.UsageError(f"{mode} does not lint: {flag} would be ignored")
        return
    if statistics and output_format is not None and output_format not in FORMATS_OF["--statistics"]:
        raise click.UsageError(f"--statistics prints counts as text or JSON, not --output-format {output_format}")
    if add_noqa:
        if fix or diff:
            raise click.UsageError("--add-noqa cannot be combined with --fix or --diff (fix first, then add noqa)")
        if "-" in paths:
            raise click.UsageError("--add-noqa writes files: it does not read standard input")
        if statistics:
            raise click.UsageError("--add-noqa cannot be combined with --statistics")
    if stdin_filename is not None and "-" not in paths:
        raise click.UsageError("--stdin-filename goes with '-' (standard input) as the path")


def _colour(choice: str, out: object) -> bool:
    """--color always/never wins; auto: NO_COLOR (set and not empty) turns colour off,
    FORCE_COLOR (set, not empty, not 0) turns it on, else only on a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force and force != "0":
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _explain(code: str, plot: Optional[str], colour: bool) -> None:
    from losslint.explain import explain, save_plot

    rule = BY_CODE.get(code.strip().upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code '{code}'; see --list-rules")
    if plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise click.UsageError("--plot needs matplotlib: pip install matplotlib") from None
    if plot and not os.path.isdir(os.path.dirname(os.path.abspath(plot))):
        raise click.UsageError(f"--plot: the folder of {printable(plot)} does not exist")
    explain(rule, colour=colour)
    if plot:
        if save_plot(rule, plot):
            click.echo(f"plot written to {plot}")
        else:
            click.echo(f"{rule.code} has no loss curve to plot", err=True)


@contextlib.contextmanager
def _progress(bar: bool, timings: Optional["Timings"]) -> Iterator[Optional["Observer"]]:
    """Who watches the run: a progress bar over every phase on standard error, only on a
    terminal and once the run has gone on for about a second (``bar``: not ``-q``), and
    ``-v``'s timings. Nothing of it reaches standard output."""
    from losslint.progress import Bar, Many

    observers: List["Observer"] = []
    if bar and sys.stderr.isatty():
        observers.append(Bar(sys.stderr))
    if timings is not None:
        observers.append(timings)
    watcher = Many(*observers) if observers else None
    try:
        yield watcher
    finally:
        if watcher is not None:
            watcher.finish()


def _say_timings(timings: "Timings", cache: Optional[Cache]) -> None:
    """``-v``: each phase's time and counts, and what the cache gave, on standard error."""
    for line in timings.lines():
        click.echo(f"losslint: {line}", err=True)
    if cache is None:
        click.echo("losslint: cache: off (--no-cache or standard input without --stdin-filename)", err=True)
    elif not cache.enabled:
        click.echo(f"losslint: cache: off ({printable(cache.problem)})", err=True)
    else:
        click.echo(f"losslint: cache: {cache.hits} hits, {cache.misses} misses in {printable(cache.root)}", err=True)


class _LintCommand(click.Command):
    """``losslint [PATH ...]`` lints; ``losslint server`` and ``losslint clean`` are
    subcommands, recognised as the first argument only (lint a folder named ``server``
    as ``losslint ./server``)."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        if args and args[0] in SUBCOMMANDS:
            command = SUBCOMMANDS[args[0]]
            return command.make_context(f"{info_name or 'losslint'} {args[0]}", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[no-untyped-def]
        """Exit statuses a CI can tell apart: a usage error is 2 (click's own), Ctrl-C is
        130 (click says "Aborted!" and 1, which reads as findings), and a bug in losslint
        is 2 with "internal error, please report" (the traceback only with ``-v``)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        arguments = list(sys.argv[1:] if args is None else args)
        try:
            status = super().main(arguments, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:  # click turns KeyboardInterrupt and EOF into this
            click.echo("\nlosslint: interrupted", err=True)
            sys.exit(130)
        except KeyboardInterrupt:
            click.echo("\nlosslint: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except BrokenPipeError:  # `losslint . | head`: the reader left; nothing to say
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")
            sys.exit(1)
        except Exception as error:  # noqa: BLE001 - a bug in losslint: said, never a bare traceback
            _crash(error, verbose=VERBOSE[0] or any(a in ("-v", "--verbose") for a in arguments))
        sys.exit(status if isinstance(status, int) else 0)

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
@click.option(
    "--fail-on", type=click.Choice(SEVERITY_ORDER), default=None,
    help="The lowest severity that fails the run (exit 1); findings below it are shown but pass [default: fail-on in the configuration, else warning].",
)
@click.option(
    "--add-noqa", is_flag=True,
    help="Add '# noqa: CODE' to the line of each current finding, so that only new ones are reported from now on.",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour in the concise and full formats; auto: on a terminal, unless NO_COLOR is set (FORCE_COLOR forces it).",
)
@click.option("--verbose", "-v", is_flag=True, help="Say what each phase took and what came from the cache; tracebacks of internal errors.")
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
    fail_on: Optional[str],
    add_noqa: bool,
    color: str,
    verbose: bool,
) -> None:
    """Find loss-function mistakes in PyTorch, Keras and JAX code without running it.

    PATHS are files or folders (default: the current folder); '-' reads standard input.
    """
    VERBOSE[0] = verbose
    _refuse_ignored_options(list_rules, explain, explain_callee, statistics, output_format, add_noqa, fix, diff, paths, stdin_filename)
    if list_rules:
        _list_rules(output_format or "concise")
        return
    if explain:
        _explain(explain, plot, _colour(color, sys.stdout))
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
    threshold = fail_on or options.fail_on

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
    timings = None
    if verbose:
        from losslint.progress import Timings

        timings = Timings()
    with _progress(not quiet, timings) as progress:

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
    if timings is not None:
        _say_timings(timings, cache)
    if fix or diff:
        _fixed_output(outcome, diff, sources, quiet)
        if diff:
            _internal_errors(report, said=False)
            sys.exit(1 if outcome.changes and not exit_zero else 0)
    if not quiet:
        if cache is not None and cache.problem:
            click.echo(f"losslint: running without the cache: {printable(cache.problem)}", err=True)
        for note in _shown_notes(report.notes, verbose):
            click.echo(f"losslint: {printable(note)}", err=True)
    out = sys.stderr if fix and sources is not None else sys.stdout  # stdout has the fixed code
    if add_noqa:
        from losslint.noqa import add_noqa as adding

        added, problems = adding(report, sources_of=lambda path: _read_bytes(path))
        for problem in problems:
            click.echo(f"losslint: {printable(problem)}", err=True)
        if not quiet:
            files = len({path for path, _ in added})
            count = sum(n for _, n in added)
            click.echo(f"Added {count} noqa comment{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}.", err=True)
        _internal_errors(report, said=not quiet)
        sys.exit(2 if problems else 0)
    colour = _colour(color, out)
    if statistics:
        from losslint.reporters.statistics import write as write_statistics

        write_statistics(report, out, as_json=format_name == "json")
    elif quiet and format_name == "concise":
        from losslint.reporters.concise import line

        for d in report.diagnostics:
            click.echo(line(report, d, colour, fixable=False), file=out)
    elif format_name in ("concise", "full"):
        reporter(format_name)(report, out, colour=colour)
    else:
        reporter(format_name)(report, out)
    _internal_errors(report, said=not quiet)
    sys.exit(1 if failing(report, threshold) and not exit_zero else 0)


def failing(report: Report, threshold: str) -> bool:
    """Whether a finding at or above ``threshold`` (a severity) is left: LL900 reports on
    the run, not the code, and never fails it."""
    floor = SEVERITY_ORDER.index(threshold)
    return any(d.code not in INFORMATIONAL and SEVERITY_ORDER.index(d.severity.value) >= floor for d in report.diagnostics)


def _read_bytes(path: str) -> Tuple[bytes, str]:
    from losslint.files import read as read_file

    return read_file(path)


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


def _crash(error: BaseException, verbose: bool) -> None:
    """A bug in losslint outside the analysis of one file: exit status 2, never 1."""
    where = traceback.extract_tb(error.__traceback__)
    last = f" at {os.path.basename(where[-1].filename)}:{where[-1].lineno}" if where else ""
    text = " ".join(str(error).split())
    click.echo(f"losslint: internal error, please report: {type(error).__name__}{': ' + text if text else ''}{last}", err=True)
    if verbose:
        click.echo("".join(traceback.format_exception(type(error), error, error.__traceback__)), err=True, nl=False)
    else:
        click.echo("losslint: run again with -v for the traceback", err=True)
    sys.exit(2)


BUDGET_NOTE = "stopped at its step budget"
BUDGET_NOTES_SHOWN = 5
"""Notes of analyses stopped at their budget shown without ``--verbose``: a large tree
of examples can have a hundred, which buries the other notes."""


def _shown_notes(notes: Sequence[str], verbose: bool) -> List[str]:
    """The notes, with those of analyses stopped at their step budget cut to
    ``BUDGET_NOTES_SHOWN`` and a count of the rest, unless ``verbose``."""
    budget = [i for i, note in enumerate(notes) if BUDGET_NOTE in note]
    if verbose or len(budget) <= BUDGET_NOTES_SHOWN:
        return list(notes)
    hidden = set(budget[BUDGET_NOTES_SHOWN:])
    shown = [note for i, note in enumerate(notes) if i not in hidden]
    return shown + [f"{len(hidden)} more analyses stopped at their step budget (--verbose lists them); their loss calls count as unresolved"]


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
