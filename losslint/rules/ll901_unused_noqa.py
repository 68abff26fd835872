"""LL901: a suppression comment that suppresses nothing (opt-in; reported by the runner)."""

from losslint.rules.base import Rule, Severity

RULE = Rule(
    code="LL901",
    name="unused-noqa",
    severity=Severity.INFO,
    summary="A `# noqa: LLxxx` or `# losslint: noqa` that suppresses no finding, or names no rule (opt-in)",
    doc="""\
## What it does
Reports each suppression comment in a linted file that suppressed nothing in this run:
a `# noqa: LL101` on a line with no LL101 finding (the code was fixed, or the line
moved), a `# losslint: noqa` file comment in a file without findings, and a code that
names no rule (`# noqa: LL101x` is the code `LL101X`: codes match exactly, it does not
suppress LL101). Enable it with `--extend-select LL901`.

Only what losslint can judge is reported: a bare `# noqa` (it may be for flake8 or
ruff), codes of other tools (`E501`) and codes of rules that did not run (not
selected) are left alone.

## Why is this bad?
A stale suppression hides the next real finding on that line. After `--add-noqa`
adopted losslint on a large codebase, this rule says which suppressions the fixes
made unnecessary.

## Example
```python
loss = nn.CrossEntropyLoss()(logits, y)  # noqa: LL101   <- the softmax was removed
```

## Fix
Remove the comment (or the code from it). Info: it fails a run only with
`--fail-on info`.
""",
    check=None,
    default=False,
)
