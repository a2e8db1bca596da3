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
the calls before the `try` are set-up that rarely fails, except the work's own methods
(`driver.get(url)` before the `try`): using the work there is no set-up. A call
raising inside an `except` branch that settles the work (`except Exception: tidy();
driver.quit()`) is a second failure while handling the first, and is not reported.

In JavaScript and TypeScript an `await` opens the exception path: a rejected promise
leaves the handler (through its `finally` blocks) unless a `catch` of the handler takes
it. A sleep (`await new Promise((r) => setTimeout(r, ms))`, or a module function returning
one) does not reject. Work still pending on a normal path is reported by its own rule instead.

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
        title = driver.title
    finally:
        driver.quit()
    return {"title": title}
```

## Fix safety
The fix puts the statements from just after the work starts down to its settle in a
`try`, and the settle in its `finally`. On the normal path the same statements run in
the same order, so the handler returns what it returned; when one of them raises, the
work is settled and the same exception goes on out. A settle that is a statement of its
own moves into the `finally` as written; one inside a larger statement (`return
{"report": future.result()}`) stays where it is and the `finally` settles the work again.
A buffer filled since import (a span processor, a metrics buffer) is pending from the
handler's first statement: the `try` starts there and its flush goes into the `finally`.

It is safe when the settle cannot raise once the work has started: `join()` of a thread
or process, `cancel()` or `join()` of a timer, `wait()` of a child process, an alarm
disarmed. Any other settle (`driver.quit()`, a buffer's `force_flush()`, or
`future.result()` and `await task`, which re-raise the work's own exception) is an unsafe fix: in the `finally` it may replace the
exception on its way out, and a settle added beside one the handler already makes runs
twice on the normal path. A settle the handler makes in a branch or a loop (`if
t.is_alive(): t.join()`) also makes it unsafe: the added one settles at that point on
every path, possibly earlier than before.

No fix is offered when the settle is not in the same block as the scheduling (work
started in a `with` block, a loop or a branch and settled after it):
moving code across that boundary changes when the block's resource is released or how
often the loop settles; nor when a statement in between may leave the block early
(`return`, or `break` of an enclosing loop), where the `finally` would add a settle.
Two pieces of work started one after the other and settled in the same order
(`a.start(); b.start(); ...; a.join(); b.join()`) cross: the fix settles the first, and
the second keeps its finding, since nesting them would reverse the order of the settles.

A bounded settle that gives up (`t.join(timeout=2)`, `fut.result(timeout=3)`,
`asyncio.wait_for(...)` over a thread) gets no fix: in a `finally` it gives up just the
same, and the only settles that close that path either wait without a bound (dropping the
timeout its author chose) or stop the work, which only the work's own code can do (an
`Event` its loop checks). Decide which, and check `is_alive()` after the timeout.

## References
- [AWS Lambda execution environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
- [The `try` statement](https://docs.python.org/3/reference/compound_stmts.html#the-try-statement)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Occasion, Rule

# (kind, method): settles that cannot raise once the work has started, so a ``finally`` running them
# never replaces the exception on its way out. Any other settle makes the fix unsafe.
QUIET_SETTLES = frozenset({
    ("thread", "join"),
    ("timer", "cancel"),
    ("timer", "join"),
    ("process", "join"),
    ("popen", "wait"),
    ("greenlet", "join"),
    ("alarm", "alarm"),  # ``signal.alarm(0)``, also for a timer armed with ``setitimer``
    ("alarm", "setitimer"),
    ("alarm", "cancel_dump_traceback_later"),
})

RULE = Rule(
    code="EL902",
    name="work-leaks-on-exception",
    outcome=Outcome.LEAK,
    severity=Severity.WARNING,
    message="{what} is still pending if {exits}; settle it in a `finally`",
    occasion=Occasion.PENDING_ON_EXCEPTION,
)
