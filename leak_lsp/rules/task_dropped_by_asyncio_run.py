"""## What it does
Checks for asyncio tasks and loop callbacks that are still pending when the coroutine
that `asyncio.run` drives returns.

## Why is this bad?
`asyncio.run` cancels every task still pending and closes its loop when the main
coroutine returns. The work is silently lost: the audit record is never written, the
notification never sent, and nothing in the logs says so. Storing tasks in a global set
(the advice against garbage collection) does not help, and on a reused loop it turns
the loss into a leak into the next invocation.

## Example
```python
import asyncio

async def main(event):
    asyncio.create_task(send_receipt(event))
    return {"ok": True}

def lambda_handler(event, context):
    return asyncio.run(main(event))
```

## Use instead
```python
async def main(event):
    receipt = asyncio.create_task(send_receipt(event))
    await receipt
    return {"ok": True}
```

## Fix safety
Awaiting the task before each exit is safe: the work that was being cancelled now
completes. An exception the task raises now propagates to the handler.

## References
- [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run): "cancels the remaining tasks"
- [Ruff RUF006](https://docs.astral.sh/ruff/rules/asyncio-dangling-task/)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Occasion, Rule

RULE = Rule(
    code="EL201",
    name="task-dropped-by-asyncio-run",
    outcome=Outcome.LOST,
    severity=Severity.WARNING,
    message="{what} scheduled here is still pending when the coroutine {exits}; `asyncio.run` cancels it",
    occasion=Occasion.CANCELLED_WITH_LOOP,
)
