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
There is no automatic fix: converting a handler to `async` changes how it completes, and
the work may belong after the response. Move the completion call after the work (by
hand), or return a promise.

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
    message="{what} started here is still pending after the handler {exits}; the response is posted at once "
            "and the work resumes in a later invocation",
)
