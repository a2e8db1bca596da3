"""## What it does
Checks for work that a handler settles on every normal path but not when a call between
the scheduling and the settling raises: a browser driver quit only on success, a span
processor flushed only on success, a thread joined after a request that can fail. A
settle bounded by a timeout (`fut.result(timeout=5)`, `t.join(5)`) is reported the same
way: when the timeout expires the work is still running.

Only calls open an exception path, and not every call: logging, `print`, `len`,
`time.time()`, string and container methods, mapping lookups such as `event.get("id")`,
and the calls that start or settle work are taken not to raise. Statements inside a
`try` that catches everything are left to its handlers; under handlers of named
exceptions only (`except ClientError:`), any other exception escapes. Work that a
`finally` of the function settles is not reported: its author handled exceptions, and
the calls before the `try` are set-up that rarely fails.

## Why is this bad?
When the handler raises out, the platform reports the error and freezes the container
with the work still running; it resumes in a later invocation, as any other leak does.
Failures are exactly when this matters: timeouts, retries and network errors are when a
watchdog timer or a browser process is left behind, and every failed invocation adds one.
The default severity is below the normal-path rules (warning), because the path needs an
exception; turn the rule off with `ignore = ["EL902"]`.

## Example
```python
from selenium import webdriver

def lambda_handler(event, context):
    driver = webdriver.Chrome()
    driver.get(event["url"])
    title = driver.title
    driver.quit()
    return {"title": title}
```

## Use instead
```python
from selenium import webdriver

def lambda_handler(event, context):
    driver = webdriver.Chrome()
    try:
        driver.get(event["url"])
        return {"title": driver.title}
    finally:
        driver.quit()
```

## Fix safety
No automatic fix yet: moving the statements between the scheduling and the settling
into a `try` whose `finally` settles the work is the fix, and it changes which code runs
after an exception, so it is left to review.

## References
- [AWS Lambda execution environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
- [The `try` statement](https://docs.python.org/3/reference/compound_stmts.html#the-try-statement)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Occasion, Rule

RULE = Rule(
    code="EL902",
    name="work-leaks-on-exception",
    outcome=Outcome.LEAK,
    severity=Severity.WARNING,
    message="{what} is still pending if {exits}; settle it in a `finally`",
    occasion=Occasion.PENDING_ON_EXCEPTION,
)
