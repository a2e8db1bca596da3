"""## What it does
Checks for background work started at module level, during the init phase: threads,
timers, alarms, executor work, child processes that import starts and never settles.

## Why is this bad?
The init phase ends when the first invocation starts; after that the container is
frozen between invocations, so the background work only makes progress in slices,
while some request is being handled. It competes with those requests, its output
appears in their logs, and it never finishes when the environment is recycled. The
impact is lower than a leak started per invocation, hence the lower severity. A timer
armed at module level (`threading.Timer` in Python, `setTimeout`, `setInterval` in
JavaScript and TypeScript) is reported as information only: no invocation owns it and it
only runs while thawed (a decision, /shared NODE.md §1.5); threads, executor work, child
processes and workers started at import keep the rule's severity.

## Example
```python
import threading

threading.Thread(target=warm_cache, daemon=True).start()

def lambda_handler(event, context):
    return CACHE.get(event["key"])
```

## Use instead
```python
import threading

warmer = threading.Thread(target=warm_cache)
warmer.start()
warmer.join()

def lambda_handler(event, context):
    return CACHE.get(event["key"])
```

## Fix safety
No automatic fix: joining at import time makes the init phase wait, which may be
what the user wants or may exceed the init timeout.

## References
- [Lambda execution environment lifecycle](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Occasion, Rule

RULE = Rule(
    code="EL301",
    name="work-started-at-import",
    outcome=Outcome.INIT,
    severity=Severity.WARNING,
    message="{what} started at import time is never settled; it only runs while some invocation is active",
    occasion=Occasion.STARTED_AT_IMPORT,
)
