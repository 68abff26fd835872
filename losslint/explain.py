"""``losslint --explain CODE``: a rule's documentation and its loss-value demo."""

from __future__ import annotations

from typing import Optional

from losslint.rules.base import Rule


def explain(rule: Rule, width: Optional[int] = None, colour: bool = False) -> None:
    """Print the documentation, then the demo as a table with a plot of the loss."""
    from rich.console import Console
    from rich.table import Table

    from losslint.reference.demos import demo, plot

    console = Console(highlight=False, force_terminal=colour or None, no_color=not colour)
    default = "on by default" if rule.default else f"opt-in: enable with --extend-select {rule.code}"
    head = f"# {rule.name} ({rule.code})\n\nSeverity: {rule.severity.value}; {default}.\n"
    if colour:  # a terminal: the markdown rendered; a pipe gets the markdown itself (to paste or grep)
        from rich.markdown import Markdown

        console.print(Markdown(head + "\n" + rule.doc.rstrip()))
    else:
        console.print(head, markup=False)
        console.print(rule.doc.rstrip(), markup=False, soft_wrap=True)
    example = demo(rule.code, width)
    if example is None:
        return
    table = Table(title=f"Demo: {example.setup}", title_justify="left")
    rows = [
        (row.pipeline, "—" if row.loss is None else f"{row.loss:.4f}", "—" if row.grad_norm is None else f"{row.grad_norm:.4f}", row.note)
        for row in example.rows
    ]
    columns = [("pipeline", "left"), ("loss", "right"), ("‖∂loss/∂logits‖", "right"), ("what happens", "left")]
    # a column no row fills (no gradient in this demo, no notes) is left out, not shown empty
    kept = [i for i in range(len(columns)) if any(r[i] not in ("", "—") for r in rows) or i < 2]
    for i in kept:
        table.add_column(columns[i][0], justify=columns[i][1])  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*(r[i] for i in kept))
    console.print()
    console.print(table)
    console.print(example.summary, markup=False, soft_wrap=True)
    if example.curve is not None:
        console.print(f"\nLoss against the {example.curve.label}:", markup=False)
        for line in plot(example.curve):
            console.print(line, markup=False)


def save_plot(rule: Rule, path: str, width: Optional[int] = None) -> bool:
    """Draw the demo's curve to an image with matplotlib; False if the rule has none."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from losslint.reference.demos import demo

    example = demo(rule.code, width)
    if example is None or example.curve is None:
        return False
    figure, axes = plt.subplots(figsize=(6, 4))
    for name, values in example.curve.series.items():
        axes.plot(example.curve.xs, values, label=name, marker="o" if name == "mistaken" else None)
    axes.set_xlabel(example.curve.label)
    axes.set_ylabel("loss")
    axes.set_title(f"{rule.code} {rule.name}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True
