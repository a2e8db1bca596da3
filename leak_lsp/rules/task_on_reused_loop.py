"""## What it does
Checks for asyncio tasks and loop callbacks (`asyncio.create_task`,
`asyncio.ensure_future`, `loop.create_task`, `loop.call_soon`, `call_later`,
`call_at`, an un-awaited `gather`, `run_in_executor`, `to_thread`,
`run_coroutine_threadsafe`) that are still pending when the handler returns, on an
event loop that outlives the invocation; and the same for tornado (`IOLoop.call_later`,
`add_callback`, `spawn_callback`, `PeriodicCallback`), twisted (`reactor.callLater`,
`LoopingCall`) and `sched.scheduler` events left for a later `run()`.

In JavaScript and TypeScript it checks for promises not awaited on every path (`fetch`,
an AWS SDK v3 `client.send`, an async function of the project, `void p`, a `.then`
chain, promises pushed into an array that no `Promise.all`/`allSettled` settles, async
`forEach` callbacks) and callback I/O and streams left running: Node's event loop is the
reused loop (NODE.md §1.5).

## Why is this bad?
The loop keeps only weak references to its tasks and advances only when it is driven.
On a module-level loop (`loop = asyncio.new_event_loop()` with
`loop.run_until_complete(main())` in the handler, as Mangum and many handlers do) the
pending task runs during the *next* invocation that drives the loop, with the next
request's data in scope. On Azure Functions, `async def` functions share the worker's
long-lived loop, so the task keeps running concurrently with later invocations.

## Example
```python
import asyncio

LOOP = asyncio.new_event_loop()

async def main(event):
    asyncio.create_task(audit(event))
    return {"ok": True}

def lambda_handler(event, context):
    return LOOP.run_until_complete(main(event))
```
```javascript
exports.handler = async (event) => {
  fetch(AUDIT_URL, { method: "POST", body: JSON.stringify(event) });
  return { ok: true };
};
```

## Use instead
```python
async def main(event):
    task = asyncio.create_task(audit(event))
    await task
    return {"ok": True}
```
or `async with asyncio.TaskGroup() as group:` around the tasks.
```javascript
exports.handler = async (event) => {
  await fetch(AUDIT_URL, { method: "POST", body: JSON.stringify(event) });
  return { ok: true };
};
```

## Fix safety
Awaiting the task before each exit is safe: the work completes inside its own
invocation. Cancelling a callback handle (`call_soon`, `call_later`, `call_at`) is safe in
the same sense as cancelling a `Timer`: the callback no longer runs in a later
invocation, and inside its own nothing changes (it had not run there either); when it
must run, wait for it by hand. An unnamed task is first bound to a fresh
name; the alternative fix awaits it where it is created. The future of
`asyncio.run_coroutine_threadsafe` is a `concurrent.futures.Future`, awaited through
`asyncio.wrap_future`; outside a coroutine it gets no fix. Tornado's `add_callback` and
`spawn_callback` return nothing that could be removed: they get no fix.

## References
- [`asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task): "Save a reference to the result of this function"
- [azure-functions-python-worker #1782](https://github.com/Azure/azure-functions-python-worker/issues/1782)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import AwaitInPlace, Rule, Settling, WorkKind

TASK = WorkKind(
    name="task",
    handle_name="task",
    noun="task",
    created_by=("asyncio.create_task", "asyncio.ensure_future", "asyncio.gather", "asyncio.to_thread",
                "asyncio.run_coroutine_threadsafe"),
    submitted_to=(("loop", "create_task"), ("loop", "run_in_executor")),
    receivers=(
        ("asyncio.new_event_loop", "loop"),
        ("asyncio.get_event_loop", "loop"),
        ("asyncio.get_running_loop", "loop"),
        ("asyncio.events.new_event_loop", "loop"),
        ("asyncio.TaskGroup", "task-group"),
    ),
    settle_methods=frozenset({"cancel", "result"}),
    settle_functions=frozenset({"asyncio.gather", "asyncio.wait", "asyncio.wait_for", "asyncio.shield",
                                "asyncio.as_completed"}),
    awaitable=True,
    settle_template="await {handle}",
    settle_title="Await the task",
    loop_bound=True,
    await_in_place=AwaitInPlace.ALSO,
    # a ``concurrent.futures.Future``: awaitable only once wrapped
    settlings=(Settling("asyncio.run_coroutine_threadsafe", "await {asyncio.wrap_future}({handle})",
                        "Await the future"),),
)

CALLBACK = WorkKind(
    name="callback",
    handle_name="handle",
    noun="callback",
    submitted_to=(("loop", "call_soon"), ("loop", "call_soon_threadsafe"), ("loop", "call_later"), ("loop", "call_at")),
    settle_methods=frozenset({"cancel"}),
    settle_template="{handle}.cancel()",
    settle_title="Cancel the callback",
    loop_bound=True,
)

IOLOOP_CALLBACK = WorkKind(
    name="ioloop-callback",
    handle_name="timeout",
    noun="IOLoop callback",
    submitted_to=(("tornado-loop", "call_later"), ("tornado-loop", "call_at"), ("tornado-loop", "add_timeout"),
                  ("tornado-loop", "add_callback"), ("tornado-loop", "spawn_callback")),
    receivers=(("tornado.ioloop.IOLoop.current", "tornado-loop"), ("tornado.ioloop.IOLoop.instance", "tornado-loop")),
    receiver_argument_settles=frozenset({"remove_timeout"}),
    settle_template="{owner}.remove_timeout({handle})",
    settle_title="Remove the timeout",
    # they return None: nothing can remove what they scheduled
    settlings=(Settling("add_callback"), Settling("spawn_callback")),
)

PERIODIC_CALLBACK = WorkKind(
    name="periodic-callback",
    handle_name="ticker",
    noun="periodic callback",
    started_by=(("tornado.ioloop.PeriodicCallback", "start"), ("twisted.internet.task.LoopingCall", "start")),
    settle_methods=frozenset({"stop"}),
    settle_template="{handle}.stop()",
    settle_title="Stop the periodic callback",
)

DELAYED_CALL = WorkKind(
    name="delayed-call",
    handle_name="delayed_call",
    noun="delayed call",
    created_by=("twisted.internet.reactor.callLater",),
    settle_methods=frozenset({"cancel"}),
    settle_template="{handle}.cancel()",
    settle_title="Cancel the delayed call",
)

SCHEDULED_EVENT = WorkKind(
    name="scheduled-event",
    handle_name="scheduled",
    noun="scheduled event",
    submitted_to=(("sched-scheduler", "enter"), ("sched-scheduler", "enterabs")),
    receivers=(("sched.scheduler", "sched-scheduler"),),
    receiver_settles=frozenset({"run"}),
    receiver_argument_settles=frozenset({"cancel"}),
    settle_template="{owner}.run()",
    settle_title="Run the scheduler to completion",
)

RULE = Rule(
    code="EL106",
    name="task-on-reused-loop",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} scheduled here is still pending when the {entry} {exits}; the reused event loop runs it in a later invocation",
    kinds=(TASK, CALLBACK, IOLOOP_CALLBACK, PERIODIC_CALLBACK, DELAYED_CALL, SCHEDULED_EVENT),
    declared_work="task",
)
