"""## What it does
Checks for Node.js Lambda callback handlers that set
`context.callbackWaitsForEmptyEventLoop = false` and call `callback(...)` while work they
started (a timer, a request, a child process) is still pending, or start work after it.

## Why is this bad?
With the flag left at its default (`true`) the runtime posts the response only once the
event loop is empty, so pending work still runs inside the invocation. Setting it to
`false` makes `callback` post the response at once; the sandbox is then frozen with the
work pending, and it resumes inside a later invocation, whose request id its logs and
errors carry (an error it throws fails that innocent request). nodejs24.x removed
callback handlers altogether.

## Example
```javascript
exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const audit = fetch(AUDIT_URL, { method: "POST", body: JSON.stringify(event) });
  callback(null, { statusCode: 200 });
};
```

## Use instead
```javascript
exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  fetch(AUDIT_URL, { method: "POST", body: JSON.stringify(event) })
    .then(() => callback(null, { statusCode: 200 }), callback);
};
```

## Fix safety
The fix removes the `callbackWaitsForEmptyEventLoop = false` line, so the runtime waits
for the pending work again. It is unsafe: the flag is often set because a module-level
connection pool or interval never lets the loop drain, and without it such a handler
waits until its timeout. Moving `callback` after the work (by hand) is the safe change.

## References
- [AWS Lambda context object in Node.js](https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html)
- aws-lambda-nodejs-runtime-interface-client v3.3.0, `src/CallbackContext.js` (NODE.md R3, R4)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule

RULE = Rule(
    code="EL151",
    name="callback-before-work",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is still pending after the {entry} {exits} with callbackWaitsForEmptyEventLoop "
            "= false; the response is posted at once and the work resumes in a later invocation",
)
