"""## What it does
Checks for `atexit.register` calls inside a handler that are not undone with
`atexit.unregister` before it returns.

## Why is this bad?
A serverless container almost never exits normally: it is frozen and then killed, so
the registered function essentially never runs. Registered once per invocation, the
callbacks pile up in memory for the life of the container.

## Example
```python
import atexit

def lambda_handler(event, context):
    atexit.register(flush_metrics)
    return handle(event)
```

## Use instead
```python
def lambda_handler(event, context):
    try:
        return handle(event)
    finally:
        flush_metrics()
```

## Fix safety
The offered fix unregisters the callback before each exit, which keeps behaviour the
same (it was never going to run) and stops the pile-up. Calling the function directly
is the better repair and is left to the user.

## References
- [`atexit`](https://docs.python.org/3/library/atexit.html)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Alarm, Rule, WorkKind

EXIT_CALLBACK = WorkKind(
    name="atexit",
    noun="exit callback",
    alarms=(
        Alarm(arm="atexit.register", slot=None, seconds_argument=None, disarm="{atexit.unregister}({slot})",
              cancel="atexit.unregister"),
    ),
    settle_title="Unregister the exit callback",
    reported_at_import=False,  # registered once at import, it runs at exit as meant
)

RULE = Rule(
    code="EL401",
    name="atexit-in-handler",
    outcome=Outcome.NEVER,
    severity=Severity.WARNING,
    message="{what} registered here never runs on a frozen container and piles up on every invocation",
    kinds=(EXIT_CALLBACK,),
)
