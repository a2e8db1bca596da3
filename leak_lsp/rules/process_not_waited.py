"""## What it does
Checks for child processes (`subprocess.Popen`, `multiprocessing.Process`,
`os.fork`, `os.posix_spawn`, `os.spawn*(P_NOWAIT)`, `asyncio.create_subprocess_*`)
that a handler starts and does not wait for on every path to its exits.

## Why is this bad?
The child keeps running while the container is frozen (a child in its own session
even escapes a process-group stop), or is frozen and resumes in a later invocation.
Either way it is no longer bound to the request that started it, and an unwaited child
becomes a zombie that accumulates across invocations. `subprocess.run`, `call`,
`check_call` and `check_output` wait for the child and are not reported.

## Example
```python
import subprocess

def lambda_handler(event, context):
    proc = subprocess.Popen(["gzip", "/tmp/report.csv"])
    return {"statusCode": 200}
```

## Use instead
```python
import subprocess

def lambda_handler(event, context):
    with subprocess.Popen(["gzip", "/tmp/report.csv"]) as proc:
        pass
    return {"statusCode": 200}
```
or call `proc.wait()` (or `communicate()`) before returning.

## Fix safety
Waiting for the child before each exit is safe: the work still happens, inside its own
invocation. A child that never ends makes the handler time out instead of leaking.
`os.forkpty()` returns a `(pid, fd)` pair: its fix waits for `pid[0]`.

## References
- [`subprocess.Popen.wait`](https://docs.python.org/3/library/subprocess.html#subprocess.Popen.wait)
- [`multiprocessing.Process.join`](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, Settling, WorkKind

POPEN = WorkKind(
    name="popen",
    handle_name="process",
    noun="child process",
    created_by=("subprocess.Popen",),
    settle_methods=frozenset({"wait", "communicate"}),
    with_settles=True,
    settle_template="{handle}.wait()",
    settle_title="Wait for the child process",
)

ASYNC_PROCESS = WorkKind(
    name="async-process",
    handle_name="process",
    noun="child process",
    created_by=("asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"),
    settle_methods=frozenset({"wait", "communicate"}),
    settle_template="await {handle}.wait()",
    settle_title="Wait for the child process",
)

PROCESS = WorkKind(
    name="process",
    handle_name="process",
    noun="process",
    started_by=(("multiprocessing.Process", "start"), ("multiprocessing.context.Process", "start")),
    settle_methods=frozenset({"join"}),
    settle_template="{handle}.join()",
    settle_title="Join the process",
)

FORK = WorkKind(
    name="fork",
    handle_name="pid",
    noun="child process",
    created_by=("os.fork", "os.forkpty", "os.posix_spawn", "os.posix_spawnp", "os.spawnl", "os.spawnle", "os.spawnlp",
                "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe"),
    settle_functions=frozenset({"os.waitpid", "os.wait4"}),
    settle_template="{os.waitpid}({handle}, 0)",
    settle_title="Wait for the child process",
    settlings=(Settling("os.forkpty", "{os.waitpid}({handle}[0], 0)"),),  # a (pid, fd) pair
)

RULE = Rule(
    code="EL105",
    name="process-not-waited",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is not waited for when the {entry} {exits}; it outlives the invocation",
    kinds=(POPEN, ASYNC_PROCESS, PROCESS, FORK),
    declared_work="process",
)
