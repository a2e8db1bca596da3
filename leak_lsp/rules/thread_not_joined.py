"""## What it does
Checks for threads that a handler starts and does not join on every path to its exits.

## Why is this bad?
A serverless platform freezes or idles the container as soon as the handler returns.
A thread that is still running is paused with it and resumes inside a *later*
invocation of the same warm container: its output lands in another request's logs,
its side effects cross the isolation boundary between invocations, and its errors
surface in code that has nothing to do with it. Making it a daemon changes nothing:
the interpreter never exits between invocations.

## Example
```python
import threading

def lambda_handler(event, context):
    worker = threading.Thread(target=send_metrics, args=(event,))
    worker.start()
    return {"statusCode": 200}
```

## Use instead
```python
import threading

def lambda_handler(event, context):
    worker = threading.Thread(target=send_metrics, args=(event,))
    worker.start()
    try:
        return {"statusCode": 200}
    finally:
        worker.join()
```

A `stop()` or `cancel()` of a `Thread` subclass (one that ends its `run()`, as a
watchdog thread waiting on an `Event` does) settles it too.

## Fix safety
Inserting `join()` before each exit the thread outlives is safe: the work still runs,
now inside the invocation that asked for it. The handler waits for the thread, so a
thread that never ends makes the invocation time out instead of leaking; that is the
honest outcome. An unnamed `Thread(...).start()` is first bound to a fresh name.
`_thread.start_new_thread(f, args)` returns a bare id that cannot be joined: its fix
starts a `threading.Thread(target=f, args=args)` instead and joins it (safe: the same
function runs with the same arguments, now in a thread that can be waited for). When the
id is kept in a name, the call is not rewritten and no fix is offered.

## References
- [AWS Lambda execution environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
- [`threading.Thread.join`](https://docs.python.org/3/library/threading.html#threading.Thread.join)
- [sentry-python #846](https://github.com/getsentry/sentry-python/issues/846)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, Settling, WorkKind

THREAD = WorkKind(
    name="thread",
    handle_name="thread",
    noun="thread",
    started_by=(("threading.Thread", "start"), ("multiprocessing.dummy.Process", "start")),
    created_by=("_thread.start_new_thread", "_thread.start_new"),
    # ``_thread`` gives no handle: the Event or Lock passed to the thread is waited on instead
    # ``stop()``/``cancel()`` exist only on subclasses, whose run() ends when they are called
    settle_methods=frozenset({"join", "wait", "acquire", "stop", "cancel"}),
    settle_template="{handle}.join()",
    settle_title="Join the thread",
    settlings=tuple(
        Settling(function, "{handle}.join()", "Start a joinable `threading.Thread` instead, and join it",
                 rewrite_as="{threading.Thread}", rewrite_keywords=("target", "args", "kwargs"))
        for function in ("_thread.start_new_thread", "_thread.start_new")
    ),
)

RULE = Rule(
    code="EL101",
    name="thread-not-joined",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is still running when the {entry} {exits}; it resumes in a later invocation",
    kinds=(THREAD,),
    declared_work="thread",
)
