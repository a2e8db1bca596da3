"""## What it does
Checks for background services that a handler starts and does not stop on every path
to its exits: `logging.handlers.QueueListener`, APScheduler's `BackgroundScheduler`,
watchdog's `Observer`, anyio's `start_blocking_portal()` used outside a `with` block.

## Why is this bad?
Each of these runs its own thread. Started per invocation and never stopped, they pile
up (one more thread per request), keep running frozen work in later invocations, and
lose the records or events they buffered when the environment is recycled.

## Example
```python
from logging.handlers import QueueListener

def lambda_handler(event, context):
    listener = QueueListener(log_queue, file_handler)
    listener.start()
    return handle(event)
```

## Use instead
```python
def lambda_handler(event, context):
    listener = QueueListener(log_queue, file_handler)
    listener.start()
    try:
        return handle(event)
    finally:
        listener.stop()
```

## Fix safety
Stopping the service before each exit is safe: `stop()` and `shutdown()` drain what is
queued before returning. `start_blocking_portal()` returns a context manager, not a
portal: its only fix moves the rest of the body into `with start_blocking_portal() as
portal:`. It is unsafe (applied with `--unsafe-fixes` only): the name now holds the
portal itself, so code that used the context manager by hand changes meaning.

## References
- [`logging.handlers.QueueListener`](https://docs.python.org/3/library/logging.handlers.html#queuelistener)
- [APScheduler `BackgroundScheduler.shutdown`](https://apscheduler.readthedocs.io/en/3.x/modules/schedulers/base.html)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, Settling, WorkKind

LISTENER = WorkKind(
    name="listener",
    handle_name="listener",
    noun="queue listener",
    started_by=(("logging.handlers.QueueListener", "start"),),
    settle_methods=frozenset({"stop"}),
    settle_template="{handle}.stop()",
    settle_title="Stop the listener",
)

SCHEDULER = WorkKind(
    name="scheduler",
    handle_name="scheduler",
    noun="scheduler",
    started_by=(("apscheduler.schedulers.background.BackgroundScheduler", "start"),),
    settle_methods=frozenset({"shutdown"}),
    settle_template="{handle}.shutdown()",
    settle_title="Shut the scheduler down",
)

OBSERVER = WorkKind(
    name="observer",
    handle_name="observer",
    noun="file observer",
    started_by=(("watchdog.observers.Observer", "start"),),
    settle_methods=frozenset({"join"}),
    settle_template="{handle}.stop()\n{handle}.join()",
    settle_title="Stop and join the observer",
)

PORTAL = WorkKind(
    name="portal",
    handle_name="portal",
    noun="blocking portal",
    created_by=("anyio.from_thread.start_blocking_portal",),
    settle_methods=frozenset({"stop"}),
    with_settles=True,
    settle_template="{handle}.stop()",
    settle_title="Stop the portal",
    # a context manager: the portal runs, and stops, only in a ``with`` block
    settlings=(Settling("anyio.from_thread.start_blocking_portal", with_title="Use the portal in a `with` block"),),
)

RULE = Rule(
    code="EL107",
    name="service-not-stopped",
    outcome=Outcome.LEAK,
    severity=Severity.WARNING,
    message="{what} started here is still running when the {entry} {exits}; its thread outlives the invocation",
    kinds=(LISTENER, SCHEDULER, OBSERVER, PORTAL),
)
