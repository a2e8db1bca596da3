"""## What it does
Checks for gevent and eventlet greenlets (`gevent.spawn`, `spawn_later`,
`Greenlet.start`, `eventlet.spawn`, `spawn_after`) that a handler starts and neither
joins, kills nor waits for on every path to its exits.

## Why is this bad?
A greenlet runs only when the hub gets control. Left pending when the handler returns,
it runs during the *next* invocation that yields to the hub, with that request's data
in scope, or never, if the environment is recycled first. Its output and errors are
attributed to the wrong request.

## Example
```python
import gevent

def lambda_handler(event, context):
    gevent.spawn(send_audit, event)
    return {"ok": True}
```

## Use instead
```python
import gevent

def lambda_handler(event, context):
    audit = gevent.spawn(send_audit, event)
    audit.join()
    return {"ok": True}
```
or `gevent.joinall(greenlets)` for several.

## Fix safety
Joining the greenlet before each exit is safe: the work finishes inside the invocation
that started it.

## References
- [gevent: `Greenlet.join`, `joinall`](https://www.gevent.org/api/gevent.greenlet.html)
- [eventlet: `GreenThread.wait`](https://eventlet.readthedocs.io/en/latest/reference/api/eventlet.html)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, WorkKind

GREENLET = WorkKind(
    name="greenlet",
    handle_name="greenlet",
    noun="greenlet",
    started_by=(("gevent.Greenlet", "start"), ("gevent.greenlet.Greenlet", "start")),
    created_by=("gevent.spawn", "gevent.spawn_later", "gevent.Greenlet.spawn"),
    settle_methods=frozenset({"join", "kill", "get"}),
    settle_functions=frozenset({"gevent.joinall", "gevent.killall", "gevent.wait"}),
    settle_template="{handle}.join()",
    settle_title="Join the greenlet",
)

GREEN_THREAD = WorkKind(
    name="green-thread",
    handle_name="green_thread",
    noun="green thread",
    created_by=("eventlet.spawn", "eventlet.spawn_after", "eventlet.greenthread.spawn", "eventlet.greenthread.spawn_after"),
    settle_methods=frozenset({"wait", "kill", "cancel"}),
    settle_template="{handle}.wait()",
    settle_title="Wait for the green thread",
)

RULE = Rule(
    code="EL108",
    name="greenlet-not-joined",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} spawned here is still pending when the {entry} {exits}; the hub runs it in a later invocation",
    kinds=(GREENLET, GREEN_THREAD),
)
