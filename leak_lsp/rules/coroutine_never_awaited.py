"""## What it does
Checks for calls to `async def` functions of the module whose coroutine is neither
awaited, scheduled as a task nor run by an event loop.

## Why is this bad?
Calling a coroutine function only creates a coroutine object; its body never runs.
Python warns "coroutine ... was never awaited" at garbage collection, in a log line
that is easy to miss and that may land in another invocation's logs.

## Example
```python
async def notify(event): ...

async def main(event):
    notify(event)
    return {"ok": True}
```

## Use instead
```python
async def main(event):
    await notify(event)
    return {"ok": True}
```

## Fix safety
Adding `await` inside an `async def` is safe: the call now does what it was written to
do. In a synchronous function no fix is offered; run the coroutine with `asyncio.run`.

## References
- [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import AwaitInPlace, Rule, WorkKind

COROUTINE = WorkKind(
    name="coroutine",
    handle_name="coroutine",
    noun="coroutine",
    awaitable=True,
    settle_template="await {handle}",
    settle_title="Await the coroutine",
    reported_at_import=False,
    inert=True,
    unawaited_async_calls=True,
    await_in_place=AwaitInPlace.ONLY,
)

RULE = Rule(
    code="EL202",
    name="coroutine-never-awaited",
    outcome=Outcome.LOST,
    severity=Severity.WARNING,
    message="{what} is created here but never awaited when the {entry} {exits}; its body never runs",
    kinds=(COROUTINE,),
)
