"""## What it does
Checks for `threading.Timer` objects that a handler starts and neither cancels nor
joins on every path to its exits; in JavaScript and TypeScript, `setTimeout` and
`setInterval` timers not cleared (or awaited, for a sleep) on every path.

## Why is this bad?
A timer is a thread that sleeps and then calls its function. When the handler returns
first, the container is frozen with the timer asleep; the wall clock keeps running, so
the timer fires at thaw, inside the next invocation. Watchdogs that warn about an
approaching timeout are the classic case: they fire in an unrelated later request.

## Example
```python
import threading

def lambda_handler(event, context):
    watchdog = threading.Timer(context.get_remaining_time_in_millis() / 1000 - 1, warn)
    watchdog.start()
    return process(event)
```
```javascript
exports.handler = async (event, context) => {
  const watchdog = setTimeout(warn, context.getRemainingTimeInMillis() - 1000);
  return process(event);
};
```

## Use instead
```python
import threading

def lambda_handler(event, context):
    watchdog = threading.Timer(context.get_remaining_time_in_millis() / 1000 - 1, warn)
    watchdog.start()
    try:
        return process(event)
    finally:
        watchdog.cancel()
```
```javascript
exports.handler = async (event, context) => {
  const watchdog = setTimeout(warn, context.getRemainingTimeInMillis() - 1000);
  try {
    return await process(event);
  } finally {
    clearTimeout(watchdog);
  }
};
```

## Fix safety
Cancelling the timer before each exit is safe for the guard pattern this rule targets:
the timer's function no longer runs after the invocation that armed it (inside that
invocation nothing changes: it had not run there either). If the timer's work must
happen, join the timer instead, by hand; that waits for the interval.

In JavaScript, the timeout of a `Promise.race([work(), new Promise((_, reject) =>
setTimeout(reject, ms))])` is bound to a `let` and the race goes into `try { ... }
finally { clearTimeout(timer); }`: when the work wins, the timeout no longer fires in a
later invocation; when the timeout wins, clearing a timer that already fired does
nothing. Every JavaScript fix is proven by running the fixed handler with `leak-lsp
reproduce` (tests/runtime/node/test_javascript_corpus.py).

## References
- [`threading.Timer`](https://docs.python.org/3/library/threading.html#timer-objects)
- [sentry-python #846 and PR #854](https://github.com/getsentry/sentry-python/issues/846)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, WorkKind

TIMER = WorkKind(
    name="timer",
    handle_name="timer",
    noun="timer",
    started_by=(("threading.Timer", "start"),),
    settle_methods=frozenset({"cancel", "join"}),
    settle_template="{handle}.cancel()",
    settle_title="Cancel the timer",
    informs_at_import=True,
)

RULE = Rule(
    code="EL102",
    name="timer-not-cancelled",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is still armed when the {entry} {exits}; it fires in a later invocation",
    kinds=(TIMER,),
    declared_work="timer",
)
