"""## What it does
Checks for Node.js handlers that call `context.done()`, `context.succeed()` or
`context.fail()` while work they started is still pending, or start work after it.

## Why is this bad?
The legacy completion methods post the response at once, whatever
`callbackWaitsForEmptyEventLoop` says. The sandbox is frozen with the work pending and
it resumes in a later invocation. On nodejs24.x the methods are gone: the handler's
`undefined` result is posted at once, the work leaks even when it comes first, and the
call throws a `TypeError` inside the next invocation.

## Example
```javascript
exports.handler = function (event, context) {
  const timer = setTimeout(() => flushMetrics(), 100);
  context.succeed({ ok: true });
};
```

## Use instead
```javascript
exports.handler = async function (event, context) {
  await flushMetrics();
  return { ok: true };
};
```

## Fix safety
When the work can be settled without `await` (the handler is not `async`), the fix
settles it just before the completion call: a timer or an interval is cleared
(`clearTimeout(timer);`), as EL102's fix does, since its callback would otherwise run in
whatever later invocation thaws the sandbox. The fix is safe and proven by running the
fixed handler (tests/runtime/node/test_javascript_corpus.py). Work that must be awaited
(a promise, a child process) has no automatic fix: converting the handler to `async`
changes how it completes, and the work may belong after the response. Move the
completion call into the work's callback (by hand), or return a promise.

## References
- aws-lambda-nodejs-runtime-interface-client v3.3.0, `src/CallbackContext.js` `done` (NODE.md R5)
- [Lambda nodejs24.x runtime changes](https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html) (NODE.md §1.2)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule

RULE = Rule(
    code="EL152",
    name="done-before-work",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is still pending after the {entry} {exits}; the response is posted at once "
            "and the work resumes in a later invocation",
)
