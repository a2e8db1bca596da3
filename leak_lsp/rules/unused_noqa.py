"""## What it does
Checks for leak-lsp codes in `# noqa` comments that suppress nothing on their line, or
that name no leak-lsp rule at all.

## Why is this bad?
A suppression outlives the leak it was written for: once the thread is joined, a stale
`# noqa: EL101` stays on the line and silently hides the next leak written there. A
misspelt code (`# noqa: EL1O1`) suppresses nothing while looking as if it did. Codes of
other tools (`E501`) are left alone, and so is a bare `# noqa`.

## Example
```python
def lambda_handler(event, context):
    worker = threading.Thread(target=work)
    worker.start()  # noqa: EL101
    worker.join()
```

## Use instead
```python
def lambda_handler(event, context):
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
```

## Fix safety
The fix removes the code from the comment, keeping the other codes, and the whole
`# noqa` directive when it was the only code (a bare `# noqa` left behind would
suppress everything on the line). It is safe: the code suppressed nothing. No fix is
offered when the comment cannot be cut cleanly (`# noqa: EL1O1` is read as `EL1`).

## References
- [ruff's `unused-noqa` (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule

RULE = Rule(
    code="EL910",
    name="unused-noqa",
    outcome=Outcome.UNKNOWN,
    severity=Severity.INFORMATION,
    message="unused `noqa` directive: {what}",
)
