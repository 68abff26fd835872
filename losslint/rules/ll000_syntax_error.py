"""LL000: the file cannot be analysed."""

from losslint.rules.base import Rule, Severity

RULE = Rule(
    code="LL000",
    name="syntax-error",
    severity=Severity.ERROR,
    summary="A file cannot be parsed (syntax error, undecodable, binary, too large or too deeply nested)",
    doc="""\
## What it does
Reports a file losslint could not read or parse, with the reason and, for syntax
errors, the line and column CPython's parser gives. The file is skipped; the run goes
on with the other files.

## Why is this bad?
Nothing in that file was checked. A file that Python cannot parse cannot run either.

## Example
```python
print "loss", loss      # Python 2
```

## Fix
Fix the syntax, or exclude the file from the run.
""",
    check=None,
)
