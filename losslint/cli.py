"""The ``losslint`` command. Exit status: 0 no findings, 1 findings, 2 usage error."""

from __future__ import annotations

import sys
from typing import List, Optional, Tuple

import click

from losslint import __version__
from losslint.reporters import REPORTERS
from losslint.reporters.statistics import write as write_statistics
from losslint.rules import BY_CODE, RULES
from losslint.runner import lint
from losslint.selection import SelectionError, resolve


INFORMATIONAL = frozenset({"LL900"})
"""Codes that report on the run rather than on the code: they never fail it."""


def _split(values: Tuple[str, ...]) -> List[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _list_rules() -> None:
    width = max(len(rule.name) for rule in RULES)
    for rule in RULES:
        default = "" if rule.default else " (opt-in)"
        click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}")


def _explain(code: str, plot: Optional[str]) -> None:
    from losslint.explain import explain, save_plot

    rule = BY_CODE.get(code.strip().upper())
    if rule is None:
        raise click.UsageError(f"unknown rule code '{code}'; see --list-rules")
    if plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise click.UsageError("--plot needs matplotlib: pip install 'losslint[plot]'") from None
    explain(rule)
    if plot:
        if save_plot(rule, plot):
            click.echo(f"plot written to {plot}")
        else:
            click.echo(f"{rule.code} has no loss curve to plot", err=True)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable, replacing the defaults (ALL for all).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--show-unresolved", is_flag=True, help="List the loss calls that could not be checked, with the reason (LL900)."
)
@click.option("--statistics", is_flag=True, help="Show counts per rule and the coverage of loss calls per reason.")
@click.option(
    "--output-format",
    type=click.Choice(sorted(REPORTERS)),
    default="concise",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--stdin-filename", help="The name to report for source read from standard input ('-').")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option("--explain", metavar="CODE", help="Show a rule's documentation and loss-value demo, and exit.")
@click.option("--plot", metavar="FILE.png", help="With --explain: also draw the demo's loss curve (needs matplotlib).")
@click.version_option(__version__, prog_name="losslint")
def main(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    show_unresolved: bool,
    statistics: bool,
    output_format: str,
    stdin_filename: Optional[str],
    list_rules: bool,
    explain: Optional[str],
    plot: Optional[str],
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
    try:
        extend = _split(extend_select) + (["LL900"] if show_unresolved else [])
        selected = resolve(_split(select) if select else None, extend, _split(ignore))
    except SelectionError as error:
        raise click.UsageError(str(error)) from error

    sources = None
    if paths == ("-",):
        sources = {stdin_filename or "-": sys.stdin.buffer.read()}
    elif "-" in paths:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    report = lint(list(paths) or ["."], selected, sources)
    for note in report.notes:
        click.echo(f"losslint: {note}", err=True)
    if statistics:
        write_statistics(report, sys.stdout)
    else:
        REPORTERS[output_format](report, sys.stdout)
    sys.exit(1 if any(d.code not in INFORMATIONAL for d in report.diagnostics) else 0)
