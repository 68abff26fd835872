"""``losslint --explain CODE``: a rule's documentation and its loss-value demo."""

from __future__ import annotations

from typing import Optional

from losslint.rules.base import Rule


def explain(rule: Rule, width: Optional[int] = None, colour: bool = False) -> None:
    """Print the documentation, then the demo as a table with a plot of the loss."""
    from rich.console import Console
    from rich.table import Table

    from losslint.reference.demos import demo, plot

    console = Console(highlight=False)
    default = "on by default" if rule.default else f"opt-in: enable with --extend-select {rule.code}"
    console.print(f"# {rule.name} ({rule.code})\n\nSeverity: {rule.severity.value}; {default}.\n", markup=False)
    console.print(rule.doc.rstrip(), markup=False, soft_wrap=True)
    example = demo(rule.code, width)
    if example is None:
        return
    table = Table(title=f"Demo: {example.setup}", title_justify="left")
    table.add_column("pipeline")
    table.add_column("loss", justify="right")
    table.add_column("‖∂loss/∂logits‖", justify="right")
    table.add_column("what happens")
    for row in example.rows:
        loss = "—" if row.loss is None else f"{row.loss:.4f}"
        grad = "—" if row.grad_norm is None else f"{row.grad_norm:.4f}"
        table.add_row(row.pipeline, loss, grad, row.note)
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
