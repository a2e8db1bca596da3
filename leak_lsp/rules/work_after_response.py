"""## What it does
Checks for Cloud Functions HTTP handlers (and Firebase `onRequest` functions) that start
work before sending the response and do not finish it first, or start work after
`res.send()` / `res.json()` / `res.end()`. Work is any call the analysis knows to start it: `fetch`,
Firestore, Firebase Cloud Messaging and Auth requests (`admin.messaging().send(...)`), timers, and the
project's own async functions; a response sent inside a `cors(req, res, () => ...)` callback counts.

## Why is this bad?
The Functions Framework ends an HTTP invocation when the response is sent; it never
waits for the handler's promise. Work that runs after that point is background work:
its CPU is throttled, it resumes when a later request arrives (interfering with it),
and its network calls are often reset (`ECONNRESET`). This holds even when the handler
`await`s the work after sending the response. An Express app served on AWS Lambda through
`serverless-http` or `serverless-express` ends the same way: sending the response resolves
the handler's promise and the sandbox is frozen with the work inside it.

## Example
```javascript
exports.track = async (req, res) => {
  res.status(202).send("accepted");
  await fetch(ANALYTICS_URL, { method: "POST", body: JSON.stringify(req.body) });
};
```

## Use instead
```javascript
exports.track = async (req, res) => {
  await fetch(ANALYTICS_URL, { method: "POST", body: JSON.stringify(req.body) });
  res.status(202).send("accepted");
};
```

## Fix safety
There is no automatic fix: sending the response later changes the latency the client
sees. Finish the work first (by hand), or hand it to a queue or Cloud Tasks.

## References
- [Cloud Functions tips: do not start background activities](https://cloud.google.com/functions/docs/bestpractices/tips)
- GoogleCloudPlatform/functions-framework-nodejs `src/function_wrappers.ts` (NODE.md §1.3)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule

RULE = Rule(
    code="EL153",
    name="work-after-response",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} started here is still running after the {entry} {exits}; the invocation is over, so the "
            "platform throttles or freezes it and it resumes in a later invocation",
)
