"""## What it does
Checks for Lambda handlers that take a callback (a third parameter) in a function the
deployment file (SAM/CloudFormation `Runtime:`, `serverless.yml` `runtime:`) runs on
nodejs24.x or later.

## Why is this bad?
The nodejs24.x runtime (runtime interface client v4) removed callback handlers. When it
loads the function it checks the handler's `length` (the parameters before the first
default or rest parameter) and, for 3 or more on a handler that is not streaming, throws
`Runtime.CallbackHandlerDeprecated` at init: no invocation runs. The check is on
`length` alone, so an `async` handler that returns a promise but declares an unused
`callback` fails too. The same runtime also drops `context.done/succeed/fail` and
`callbackWaitsForEmptyEventLoop`, so a handler that ends through them leaks its work
there (see EL152). On nodejs18.x-22.x a callback handler still works (with a warning).

## Example
```javascript
// template.yaml: Runtime: nodejs24.x, Handler: app.handler
exports.handler = (event, context, callback) => {
  fetchOrder(event.id).then((order) => callback(null, order), callback);
};
```

```typescript
export const handler = async (event: OrderEvent, context: Context, callback: Callback) => {
  return fetchOrder(event.id);
};
```

## Use instead
```javascript
exports.handler = async (event) => {
  return fetchOrder(event.id);
};
```

## Fix safety
There is no automatic fix. An `async` handler that never reads its `callback` only needs
the parameter removed; a handler that calls it must return (or `await`) the work instead,
which changes how errors are reported, so the change is left to the author. A handler
wrapped by a library (`middy(fn)`) is not reported: the runtime sees the wrapper's
parameters, which the analysis does not know.

## References
- aws-lambda-nodejs-runtime-interface-client v4, `src/function/callback-deprecation.ts` (NODE.md §1.2)
- [Building Lambda functions with Node.js](https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html)
- open-telemetry/opentelemetry-js-contrib#3251 and CodeGenieApp/serverless-express#707 (wrappers failing at init)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule

RULE = Rule(
    code="EL154",
    name="callback-handler-on-nodejs24",
    outcome=Outcome.FAILS,
    severity=Severity.ERROR,
    message="`{what}` takes a callback ({noun}) and is deployed on nodejs{target}.x, which refuses callback handlers "
            "at init (Runtime.CallbackHandlerDeprecated): no invocation runs",
)
