"""## What it does
Checks for process-wide timers (`signal.alarm`, `signal.setitimer`,
`faulthandler.dump_traceback_later`) that a handler arms and does not disarm on every
path to its exits.

## Why is this bad?
There is one `ITIMER_REAL` per process. It keeps counting wall time while the container
is frozen and delivers `SIGALRM` at thaw or in the middle of the next invocation. Its
signal handler runs on the main thread, inside the stack of an unrelated request, and a
"timeout" exception raised there breaks that request. The usual culprit is a timeout
guard whose `alarm(0)` is missing, or sits after the `return` where it never runs.

## Example
```python
import signal

def lambda_handler(event, context):
    signal.signal(signal.SIGALRM, on_timeout)
    signal.alarm(5)
    return fetch(event)
```

## Use instead
```python
import signal

def lambda_handler(event, context):
    signal.signal(signal.SIGALRM, on_timeout)
    signal.alarm(5)
    try:
        return fetch(event)
    finally:
        signal.alarm(0)
```

## Fix safety
Disarming the same timer before each exit is safe: the alarm only guards this
invocation. The fix writes `signal.alarm(0)` or `signal.setitimer(which, 0)` in the
file's own import style, and adds `import signal` only when no usable import exists.

## References
- [`signal.alarm`](https://docs.python.org/3/library/signal.html#signal.alarm), [`signal.setitimer`](https://docs.python.org/3/library/signal.html#signal.setitimer)
- [`faulthandler.dump_traceback_later`](https://docs.python.org/3/library/faulthandler.html#faulthandler.dump_traceback_later)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Alarm, Rule, WorkKind

ALARM = WorkKind(
    name="alarm",
    noun="alarm",
    alarms=(
        Alarm(arm="signal.alarm", slot="signal.ITIMER_REAL", seconds_argument=0, disarm="{signal.alarm}(0)",
              noun="SIGALRM timer"),
        Alarm(arm="signal.setitimer", slot=None, seconds_argument=1, disarm="{signal.setitimer}({slot}, 0)",
              noun="interval timer"),
        Alarm(
            arm="faulthandler.dump_traceback_later",
            slot="faulthandler.dump_traceback_later",
            seconds_argument=None,
            disarm="{faulthandler.cancel_dump_traceback_later}()",
            cancel="faulthandler.cancel_dump_traceback_later",
            noun="traceback dump timer",
        ),
    ),
    settle_title="Disarm the timer",
)

RULE = Rule(
    code="EL103",
    name="alarm-not-disarmed",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} armed here is still armed when the {entry} {exits}; it fires in a later invocation",
    kinds=(ALARM,),
)
